/* contactsrc.c - HTTP and CardDAV contact sources for lookup_contact
 * (see contactsrc.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <sodium.h>
#include "base/jsonsafe.h"
#include "base/buf.h"
#include "agent/contactsrc.h"
#include "outbound/httpaction.h"
#include "base/log.h"
#include "outbound/netguard.h"
#include "base/phone.h"
#include "base/secret.h"
#include "store/store.h"
#include "outbound/template.h"
#include "base/util.h"
#include "base/vcard.h"


/* ---- labels and numbers ---------------------------------------------------------- */

int contactsrc_label(const char *kind, const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int rc = -1, n;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		n = snprintf(out, outlen, "%s:%s%s%s", kind, host, port ? ":" : "", port ? port : "");
		rc = n > 0 && (size_t)n < outlen ? 0 : -1;
	}
	if (rc)
		snprintf(out, outlen, "%s:unknown", kind);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

int contactsrc_national(const char *e164, char *out, size_t outlen)
{
	char cc[8];
	int n;

	if (!e164 || e164[0] != '+' || phone_country_code(e164, cc, sizeof(cc)))
		return -1;
	const char *rest = e164 + 1 + strlen(cc);
	/* NANP and Italy keep no added trunk prefix */
	if (!strcmp(cc, "1") || !strcmp(cc, "39"))
		n = snprintf(out, outlen, "%s", rest);
	else
		n = snprintf(out, outlen, "0%s", rest);
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* ---- the cache --------------------------------------------------------------------- */

#define CACHE_N 256

static struct {
	int64_t account;
	char e164[32];
	double expires;
	json_t *found;
} cache[CACHE_N];
static size_t cache_next;
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static json_t *cache_get(int64_t account, const char *e164)
{
	json_t *r = NULL;
	double now = util_mono();

	pthread_mutex_lock(&cache_mu);
	for (size_t i = 0; i < CACHE_N; i++)
		if (cache[i].found && cache[i].account == account && cache[i].expires > now &&
		    !strcmp(cache[i].e164, e164)) {
			r = json_deep_copy(cache[i].found);
			break;
		}
	pthread_mutex_unlock(&cache_mu);
	return r;
}

static void cache_put(int64_t account, const char *e164, const json_t *found)
{
	double ttl = (double)util_env_i64("SWITCHBOARD_CONTACT_CACHE_TTL_S", 60, 0, 86400);
	size_t slot = CACHE_N;

	if (ttl <= 0 || strlen(e164) >= sizeof(cache[0].e164))
		return;
	pthread_mutex_lock(&cache_mu);
	for (size_t i = 0; i < CACHE_N && slot == CACHE_N; i++)
		if (cache[i].found && cache[i].account == account && !strcmp(cache[i].e164, e164))
			slot = i;
	if (slot == CACHE_N) {
		slot = cache_next;
		cache_next = (cache_next + 1) % CACHE_N;
	}
	json_decref(cache[slot].found);
	cache[slot].account = account;
	snprintf(cache[slot].e164, sizeof(cache[slot].e164), "%s", e164);
	cache[slot].expires = util_mono() + ttl;
	cache[slot].found = json_deep_copy(found);
	pthread_mutex_unlock(&cache_mu);
}

void contactsrc_cache_clear(void)
{
	pthread_mutex_lock(&cache_mu);
	for (size_t i = 0; i < CACHE_N; i++) {
		json_decref(cache[i].found);
		cache[i].found = NULL;
	}
	pthread_mutex_unlock(&cache_mu);
}

/* ---- one source's job ----------------------------------------------------------------- */

struct job {
	/* in */
	char kind[16];
	char *url;
	char *userpwd;                 /* "user:password" or NULL; wiped after */
	char label[300];
	int64_t id;
	const char *e164, *national;
	const struct netguard *guard;
	long timeout_ms;
	double deadline;               /* util_mono() by which the job gives up */
	/* out */
	json_t *found;                 /* [{name, company, numbers, email, source}] */
	char error[320];
	pthread_t th;
	int started;
};

/* numbers (strings) normalised to E.164; does any equal the asked one? */
static int keep_contact(struct job *j, const char *name, const char *company,
			const char *email, json_t *raw_numbers)
{
	json_t *nums = json_array(), *v;
	char cc[8], e[32];
	size_t i;
	int match = 0;

	if (phone_country_code(j->e164, cc, sizeof(cc)))
		cc[0] = '\0';
	json_array_foreach(raw_numbers, i, v) {
		const char *s = json_string_value(v);
		if (!s || phone_normalize(s, cc, e, sizeof(e)))
			continue;
		if (!strcmp(e, j->e164))
			match = 1;
		json_array_append_new(nums, json_string(e));
	}
	if ((match || !json_array_size(raw_numbers)) && name && *name &&
	    json_array_size(j->found) < 20) {
		json_t *c = json_pack("{s:s, s:o, s:O, s:o, s:s}", "name", name,
			"company", company && *company ? json_string(company) : json_null(),
			"numbers", nums,
			"email", email && *email ? json_string(email) : json_null(),
			"source", j->label);
		if (c)
			json_array_append_new(j->found, c);
	}
	json_decref(nums);
	return match;
}

/* ---- HTTP ------------------------------------------------------------------------------- */

static int http_ask(struct job *j, const char *number)
{
	struct buf url = BUF_INIT(HA_MAX_URL + 128);
	struct ha_raw rq;
	struct ha_raw_result hr;
	json_t *doc = NULL, *list, *c;
	const char *hdrs[] = { "Accept: application/json", NULL };
	size_t i;
	int rc = -1;

	memset(&rq, 0, sizeof(rq));
	if (buf_adds(&url, j->url) || buf_adds(&url, strchr(j->url, '?') ? "&phone=" : "?phone=") ||
	    template_urlencode(&url, number, strlen(number))) {
		snprintf(j->error, sizeof(j->error), "the url is too long");
		buf_release(&url);
		return -1;
	}
	rq.method = "GET";
	rq.url = buf_str(&url);
	rq.headers = hdrs;
	rq.timeout_ms = (long)((j->deadline - util_mono()) * 1000.0);
	if (rq.timeout_ms < 50) {
		snprintf(j->error, sizeof(j->error), "timeout: the source did not answer in time");
		buf_release(&url);
		return -1;
	}
	rq.userpwd = j->userpwd;
	rq.max_response = CONTACTSRC_RESPONSE_MAX;
	rq.guard = j->guard;
	httpaction_raw(&rq, &hr);
	if (!hr.ok) {
		snprintf(j->error, sizeof(j->error), "%s: %s", ha_err_name(hr.err), hr.message);
		goto out;
	}
	if (hr.status == 404) {   /* "no such contact" for some directories */
		rc = 0;
		goto out;
	}
	if (hr.status < 200 || hr.status >= 300) {
		snprintf(j->error, sizeof(j->error), "http_status: the source answered %ld", hr.status);
		goto out;
	}
	doc = jsonsafe_loadb(hr.body, hr.body_len, JSON_DECODE_ANY, NULL, NULL);
	list = json_is_array(doc) ? doc : json_object_get(doc, "contacts");
	if (!json_is_array(list)) {
		snprintf(j->error, sizeof(j->error), "invalid_json: the source did not answer "
			 "with a list of contacts");
		goto out;
	}
	json_array_foreach(list, i, c) {
		json_t *nums = json_object_get(c, "numbers"), *tmp = NULL;
		if (!json_is_array(nums))
			nums = json_object_get(c, "phones");
		if (!json_is_array(nums)) {
			const char *one = json_string_value(json_object_get(c, "phone"));
			if (!one)
				one = json_string_value(json_object_get(c, "number"));
			tmp = json_array();
			if (one)
				json_array_append_new(tmp, json_string(one));
			nums = tmp;
		}
		keep_contact(j, json_string_value(json_object_get(c, "name")),
			     json_string_value(json_object_get(c, "company")),
			     json_string_value(json_object_get(c, "email")), nums);
		json_decref(tmp);
	}
	rc = 0;
out:
	json_decref(doc);
	ha_raw_result_release(&hr);
	buf_release(&url);
	return rc;
}

/* ---- CardDAV ----------------------------------------------------------------------------- */

static int xml_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		int r;
		switch (*s) {
		case '<': r = buf_adds(b, "&lt;"); break;
		case '>': r = buf_adds(b, "&gt;"); break;
		case '&': r = buf_adds(b, "&amp;"); break;
		case '"': r = buf_adds(b, "&quot;"); break;
		default: r = buf_addch(b, *s); break;
		}
		if (r)
			return -1;
	}
	return 0;
}

static void utf8_put(struct buf *b, unsigned long cp)
{
	if (cp < 0x80) {
		buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addch(b, (char)(0xc0 | (cp >> 6)));
		buf_addch(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addch(b, (char)(0xe0 | (cp >> 12)));
		buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addch(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x110000) {
		buf_addch(b, (char)(0xf0 | (cp >> 18)));
		buf_addch(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addch(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addch(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* XML character data (entities and CDATA sections undone) into out */
static void xml_text(struct buf *out, const char *p, const char *end)
{
	while (p < end) {
		if (*p == '<' && end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			const char *q = p + 9, *close = NULL;
			for (const char *k = q; k + 3 <= end; k++)
				if (!memcmp(k, "]]>", 3)) {
					close = k;
					break;
				}
			if (!close)
				close = end;
			buf_add(out, q, (size_t)(close - q));
			p = close + 3 <= end ? close + 3 : end;
		} else if (*p == '&') {
			const char *semi = memchr(p, ';', (size_t)(end - p) < 12 ? (size_t)(end - p) : 12);
			size_t n = semi ? (size_t)(semi - p) : 0;
			if (n == 3 && !memcmp(p, "&lt", 3)) buf_addch(out, '<');
			else if (n == 3 && !memcmp(p, "&gt", 3)) buf_addch(out, '>');
			else if (n == 4 && !memcmp(p, "&amp", 4)) buf_addch(out, '&');
			else if (n == 5 && !memcmp(p, "&quot", 5)) buf_addch(out, '"');
			else if (n == 5 && !memcmp(p, "&apos", 5)) buf_addch(out, '\'');
			else if (n > 2 && p[1] == '#') {
				char num[12];
				memcpy(num, p + 2, n - 2);
				num[n - 2] = '\0';
				unsigned long cp = num[0] == 'x' || num[0] == 'X'
					? strtoul(num + 1, NULL, 16) : strtoul(num, NULL, 10);
				utf8_put(out, cp);
			} else {
				buf_addch(out, '&');
				p++;
				continue;
			}
			p += n + 1;
		} else {
			buf_addch(out, *p++);
		}
	}
}

struct card_ctx {
	struct job *j;
};

static int card_one(const struct vcard_entry *e, void *arg)
{
	struct card_ctx *cc = arg;
	json_t *nums = json_array();
	for (size_t i = 0; i < e->ntels; i++)
		json_array_append_new(nums, json_string(e->tels[i]));
	/* a card without numbers cannot be the match a TEL filter found */
	if (e->ntels)
		keep_contact(cc->j, e->name, e->org, e->email, nums);
	json_decref(nums);
	return 0;
}

/* Every <x:address-data>...</x:address-data> (any prefix) of a multistatus. */
static void multistatus_cards(struct job *j, const char *body, size_t len)
{
	const char *p = body, *end = body + len;
	struct buf text = BUF_INIT(CONTACTSRC_RESPONSE_MAX);
	struct card_ctx cc = { j };
	static const char tag[] = "address-data";

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt)
			break;
		const char *name = lt + 1, *gt;
		if (name >= end || *name == '/' || *name == '?' || *name == '!') {
			p = lt + 1;
			continue;
		}
		size_t nlen = 0;
		while (name + nlen < end && !strchr(" \t\r\n/>", name[nlen]))
			nlen++;
		const char *colon = memchr(name, ':', nlen);
		const char *local = colon ? colon + 1 : name;
		size_t llen = nlen - (size_t)(local - name);
		gt = memchr(name, '>', (size_t)(end - name));
		if (!gt)
			break;
		if (llen != sizeof(tag) - 1 || strncasecmp(local, tag, llen) || gt[-1] == '/') {
			p = gt + 1;
			continue;
		}
		/* the matching close tag: "</" + the same qualified name + ">" */
		const char *close = NULL;
		for (const char *k = gt + 1; k + 2 + nlen < end; k++) {
			k = memchr(k, '<', (size_t)(end - k));
			if (!k || k + 2 + nlen >= end)
				break;
			if (k[1] == '/' && !memcmp(k + 2, name, nlen) && k[2 + nlen] == '>') {
				close = k;
				break;
			}
		}
		if (!close)
			break;
		buf_reset(&text);
		xml_text(&text, gt + 1, close);
		vcard_parse(buf_str(&text), text.len, card_one, &cc);
		p = close + 3 + nlen;
	}
	buf_release(&text);
}

static int carddav_ask(struct job *j)
{
	struct buf body = BUF_INIT(8192);
	struct ha_raw rq;
	struct ha_raw_result hr;
	const char *hdrs[] = { "Depth: 1", "Content-Type: application/xml; charset=utf-8",
			       "Accept: application/xml, text/xml", NULL };
	const char *needles[3] = { j->e164, j->national, NULL };
	char tail[16];
	size_t dl = strlen(j->e164);
	int rc = -1;

	if (dl > 8) {   /* the subscriber part, for numbers stored with spaces */
		snprintf(tail, sizeof(tail), "%s", j->e164 + dl - 7);
		needles[2] = tail;
	}
	buf_adds(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<C:addressbook-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:carddav\">\n"
		 "  <D:prop><D:getetag/><C:address-data/></D:prop>\n"
		 "  <C:filter test=\"anyof\">\n");
	for (int i = 0; i < 3; i++) {
		if (!needles[i] || !*needles[i])
			continue;
		buf_adds(&body, "    <C:prop-filter name=\"TEL\"><C:text-match collation=\"i;unicode-casemap\""
			 " match-type=\"contains\">");
		xml_escape(&body, needles[i]);
		buf_adds(&body, "</C:text-match></C:prop-filter>\n");
	}
	if (buf_adds(&body, "  </C:filter>\n</C:addressbook-query>\n")) {
		snprintf(j->error, sizeof(j->error), "internal: the query is too long");
		buf_release(&body);
		return -1;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "REPORT";
	rq.url = j->url;
	rq.headers = hdrs;
	rq.body = buf_str(&body);
	rq.body_len = body.len;
	rq.timeout_ms = j->timeout_ms;
	rq.userpwd = j->userpwd;
	rq.max_response = CONTACTSRC_RESPONSE_MAX;
	rq.guard = j->guard;
	httpaction_raw(&rq, &hr);
	if (!hr.ok) {
		snprintf(j->error, sizeof(j->error), "%s: %s", ha_err_name(hr.err), hr.message);
		goto out;
	}
	if (hr.status != 207 && hr.status != 200) {
		snprintf(j->error, sizeof(j->error), "http_status: the source answered %ld", hr.status);
		goto out;
	}
	multistatus_cards(j, hr.body, hr.body_len);
	rc = 0;
out:
	ha_raw_result_release(&hr);
	buf_release(&body);
	return rc;
}

static void *run_job(void *arg)
{
	struct job *j = arg;

	if (!strcmp(j->kind, "carddav")) {
		carddav_ask(j);
	} else if (!http_ask(j, j->e164) && !json_array_size(j->found) && j->national &&
		   *j->national) {
		http_ask(j, j->national);
	}
	return NULL;
}

/* ---- the lookup ------------------------------------------------------------------------- */

/* the allow-list, read once */
static struct netguard src_guard;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void init_guard(void)
{
	char err[200];
	if (netguard_init_env(&src_guard, err, sizeof(err))) {
		log_error("contacts: %s: %s", NETGUARD_ENV, err);
		netguard_init(&src_guard);
	}
}

int contactsrc_lookup(int64_t account_id, const char *e164, json_t **found, json_t **failed)
{
	struct job jobs[CONTACTSRC_MAX];
	json_t *srcs = NULL, *s;
	char national[32];
	size_t i, n = 0;
	int any_failed = 0;

	*found = NULL;
	*failed = NULL;
	memset(jobs, 0, sizeof(jobs));
	srcs = store_contact_source_list(account_id, 1);
	if (!srcs)
		return -1;
	*found = json_array();
	*failed = json_array();
	if (!json_array_size(srcs))
		goto out;
	json_t *hit = cache_get(account_id, e164);
	if (hit) {
		json_decref(*found);
		*found = hit;
		goto out;
	}
	pthread_once(&guard_once, init_guard);
	if (contactsrc_national(e164, national, sizeof(national)))
		national[0] = '\0';
	json_array_foreach(srcs, i, s) {
		struct job *j;
		const char *pw = json_string_value(json_object_get(s, "password"));
		const char *user = json_string_value(json_object_get(s, "username"));
		if (n >= CONTACTSRC_MAX)
			break;
		j = &jobs[n];
		snprintf(j->kind, sizeof(j->kind), "%s", json_string_value(json_object_get(s, "kind")));
		j->url = strdup(json_string_value(json_object_get(s, "url")));
		j->id = json_integer_value(json_object_get(s, "id"));
		contactsrc_label(j->kind, j->url ? j->url : "", j->label, sizeof(j->label));
		j->e164 = e164;
		j->national = national;
		j->timeout_ms = (long)util_env_i64("SWITCHBOARD_CONTACT_SOURCE_TIMEOUT_MS", 2000, 100, 30000);
		j->found = json_array();
		if (user) {
			char err[160], *plain = pw ? secret_open(pw, err, sizeof(err)) : NULL;
			struct buf up = BUF_INIT(2048);
			if (pw && !plain) {
				snprintf(j->error, sizeof(j->error), "config: the password cannot be opened");
			} else if (buf_printf(&up, "%s:%s", user, plain ? plain : "")) {
				snprintf(j->error, sizeof(j->error), "config: the credentials are too long");
			} else {
				j->userpwd = buf_detach(&up, NULL);
			}
			if (plain) {
				sodium_memzero(plain, strlen(plain));
				free(plain);
			}
			if (up.ptr)
				sodium_memzero(up.ptr, up.cap);
			buf_release(&up);
		}
		n++;
	}
	for (i = 0; i < n; i++) {
		jobs[i].guard = &src_guard;
		jobs[i].deadline = util_mono() + (double)jobs[i].timeout_ms / 1000.0;
		if (!jobs[i].url)
			snprintf(jobs[i].error, sizeof(jobs[i].error), "internal: out of memory");
		if (jobs[i].error[0])
			continue;
		jobs[i].started = !pthread_create(&jobs[i].th, NULL, run_job, &jobs[i]);
		if (!jobs[i].started)
			snprintf(jobs[i].error, sizeof(jobs[i].error), "internal: cannot start a thread");
	}
	for (i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		size_t k;
		json_t *c;
		if (j->started)
			pthread_join(j->th, NULL);
		if (j->error[0]) {
			any_failed = 1;
			json_array_append_new(*failed, json_pack("{s:s, s:I, s:s}", "source", j->label,
				"source_id", (json_int_t)j->id, "error", j->error));
			log_warn("contacts: account %lld: source '%s' failed: %s",
				 (long long)account_id, j->label, j->error);
		}
		json_array_foreach(j->found, k, c)
			json_array_append(*found, c);
	}
	if (!any_failed)
		cache_put(account_id, e164, *found);
out:
	for (i = 0; i < n; i++) {
		free(jobs[i].url);
		if (jobs[i].userpwd) {
			sodium_memzero(jobs[i].userpwd, strlen(jobs[i].userpwd));
			free(jobs[i].userpwd);
		}
		json_decref(jobs[i].found);
	}
	json_decref(srcs);
	return 0;
}
