/* page.c - the Laravel-style page object users' scripts expect. */
#include <stdio.h>
#include "tools/tools.h"

static json_t *url_for(const char *path, int page, int last)
{
	char u[256];
	if (page < 1 || page > last)
		return json_null();
	snprintf(u, sizeof(u), "%s?page=%d", path, page);
	return json_string(u);
}

json_t *page_object(json_t *data, const char *path, int page, int per_page,
		    long long total)
{
	int last = total > 0 ? (int)((total + per_page - 1) / per_page) : 1;
	size_t n = json_array_size(data);
	long long from = n ? (long long)(page - 1) * per_page + 1 : 0;
	json_t *links = json_array();

	json_array_append_new(links, json_pack("{s:o, s:s, s:b}", "url",
		url_for(path, page - 1, last), "label", "&laquo; Previous", "active", 0));
	for (int i = 1; i <= last && i <= 50; i++) {
		char label[16];
		snprintf(label, sizeof(label), "%d", i);
		json_array_append_new(links, json_pack("{s:o, s:s, s:b}", "url",
			url_for(path, i, last), "label", label, "active", i == page));
	}
	json_array_append_new(links, json_pack("{s:o, s:s, s:b}", "url",
		url_for(path, page + 1, last), "label", "Next &raquo;", "active", 0));
	return json_pack("{s:i, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:s, s:i, s:o, s:o, s:I}",
			 "current_page", page, "data", data,
			 "first_page_url", url_for(path, 1, last),
			 "from", from ? json_integer(from) : json_null(),
			 "last_page", last,
			 "last_page_url", url_for(path, last, last),
			 "links", links,
			 "next_page_url", url_for(path, page + 1, last),
			 "path", path, "per_page", per_page,
			 "prev_page_url", url_for(path, page - 1, last),
			 "to", n ? json_integer(from + (long long)n - 1) : json_null(),
			 "total", (json_int_t)total);
}

long long arg_int(const json_t *args, const char *name, long long def)
{
	const json_t *v = json_object_get(args, name);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	return def;
}
