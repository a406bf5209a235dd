/* page.c - the Laravel-style page object users' scripts expect. */
#include <stdio.h>
#include "tools/tools.h"
#include "base/util.h"

#define PAGE_MAX 1000000

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
	/* page numbers beyond any real list are clamped, never overflowed */
	if (page < 1 || page > PAGE_MAX)
		page = page < 1 ? 1 : PAGE_MAX;
	if (per_page < 1)
		per_page = 1;
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
	if (json_is_real(v) && json_real_value(v) > -9e18 && json_real_value(v) < 9e18)
		return (long long)json_real_value(v);
	return def;
}

int arg_page(const json_t *args)
{
	long long p = arg_int(args, "page", 1);
	return p < 1 ? 1 : p > PAGE_MAX ? PAGE_MAX : (int)p;
}

const char *arg_str(const json_t *args, const char *name)
{
	return json_string_value(json_object_get(args, name));
}

json_t *money_json(int64_t micros)
{
	char m[32];
	util_money(micros, m, sizeof(m));
	return json_string(m);
}

void money_field(json_t *o, const char *key_micros, const char *key)
{
	json_t *v = json_object_get(o, key_micros);
	json_object_set_new(o, key, money_json(json_is_integer(v) ? json_integer_value(v) : 0));
	json_object_del(o, key_micros);
}

int tool_funds(struct tool_result *res, int64_t balance, int64_t needed,
	       const char *what)
{
	char b[32], n[32], msg[512];

	util_money(balance, b, sizeof(b));
	util_money(needed, n, sizeof(n));
	snprintf(msg, sizeof(msg), "insufficient balance: %s needs %s USD, the account has "
		 "%s USD: top up the balance first", what, n, b);
	json_decref(res->structured);
	res->structured = json_pack("{s:s, s:s, s:s}", "message", msg, "balance", b,
				    "required", n);
	res->is_error = 1;
	return -1;
}

json_t *spend_preview(const char *action, const char *target, int64_t cost,
		      json_t *details)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:o}", "action", action, "target", target,
			 "estimated_cost", money_json(cost), "currency", "USD",
			 "details", details ? details : json_object());
}
