/* ha_shape.c - what the model sees of an HTTP answer (see ha_shape.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/jsonsafe.h"
#include "outbound/ha_shape.h"

/* length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) { k = 2; cp = s[0] & 0x1f; }
	else if ((s[0] & 0xf0) == 0xe0) { k = 3; cp = s[0] & 0x0f; }
	else if ((s[0] & 0xf8) == 0xf0) { k = 4; cp = s[0] & 0x07; }
	else return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* text safe for a JSON string and a model: valid UTF-8, no stray controls */
static int add_clean_text(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t k = utf8_len(p + i, n - i);
		int bad = !k || (k == 1 && ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
					     p[i] != '\r') || p[i] == 0x7f));
		if (bad ? buf_addch(out, '?') : buf_add(out, s + i, k))
			return -1;
		i += k ? k : 1;
	}
	return 0;
}

/* Cut text (valid UTF-8) to cap bytes, marker included, at a character
 * boundary. */
static void cap_text(struct buf *t, size_t cap, int *truncated)
{
	size_t mlen = strlen(HA_TRUNCATED), keep;
	if (t->len <= cap)
		return;
	keep = cap > mlen ? cap - mlen : 0;
	while (keep > 0 && ((unsigned char)t->ptr[keep] & 0xc0) == 0x80)
		keep--;
	t->len = keep;
	t->ptr[keep] = '\0';
	if (cap > mlen)
		buf_adds(t, HA_TRUNCATED);
	*truncated = 1;
}

/* RFC 6901 pointer lookup; NULL when absent */
static json_t *pointer_get(json_t *doc, const char *ptr)
{
	json_t *cur = doc;
	char tok[256];

	while (*ptr && cur) {
		size_t n = 0;
		if (*ptr != '/')
			return NULL;
		ptr++;
		while (*ptr && *ptr != '/') {
			char c = *ptr++;
			if (c == '~' && (*ptr == '0' || *ptr == '1'))
				c = *ptr++ == '0' ? '~' : '/';
			if (n + 1 >= sizeof(tok))
				return NULL;
			tok[n++] = c;
		}
		tok[n] = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok);
		} else if (json_is_array(cur)) {
			char *end;
			if (!n || (tok[0] == '0' && n > 1) || tok[0] < '0' || tok[0] > '9')
				return NULL;
			unsigned long idx = strtoul(tok, &end, 10);
			cur = *end ? NULL : json_array_get(cur, idx);
		} else {
			return NULL;
		}
	}
	return cur;
}

int ha_shape_body(const char *body, size_t len, const char *const *select, size_t nselect,
		  size_t cap, struct ha_shape *res)
{
	/* re-serialised JSON can outgrow its source ("1e-9" has 22 digits) */
	struct buf out = BUF_INIT(len * 8 + 4096);
	json_t *doc = NULL;
	char *txt = NULL;
	int rc = -1, is_json = 0;

	memset(res, 0, sizeof(*res));
	if (len)
		doc = jsonsafe_loadb(body, len, JSON_DECODE_ANY, NULL, NULL);
	if (doc && nselect) {
		json_t *sel = json_object();
		if (!sel)
			goto out;
		for (size_t i = 0; i < nselect; i++) {
			json_t *v = pointer_get(doc, select[i]);
			const char *key = select[i][0] == '/' ? select[i] + 1 : select[i];
			if (json_object_set_new(sel, *key ? key : "/", v ? json_incref(v) : json_null()))
				break;
		}
		json_decref(doc);
		doc = sel;
	}
	if (doc) {
		txt = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(16));
		if (!txt || buf_adds(&out, txt))
			goto out;
		is_json = 1;
	} else if (add_clean_text(&out, body ? body : "", len)) {
		goto out;
	}
	if (out.len > cap) {
		cap_text(&out, cap, &res->truncated);
		is_json = 0;
	}
	res->is_json = is_json;
	res->text = buf_detach(&out, &res->len);
	res->parsed = doc;
	doc = NULL;
	rc = 0;
out:
	free(txt);
	json_decref(doc);
	buf_release(&out);
	return rc;
}
