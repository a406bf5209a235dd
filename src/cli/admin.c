/* admin.c - operator commands for contacts, users, office hours, live calls. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include "cli/admin.h"
#include "cli/cmdline.h"
#include "cli/database.h"
#include "base/buf.h"
#include "base/log.h"
#include "agent/officehours.h"
#include "base/phone.h"
#include "store/store.h"
#include "base/util.h"
#include "base/vcard.h"
#include "agent/webhook.h"
#include "agent/contactsrc.h"
#include "base/secret.h"

#define FILE_MAX (16u << 20)

static char *read_file(const char *path, char *err, size_t errlen)
{
	struct buf b = BUF_INIT(FILE_MAX);
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n)) {
			snprintf(err, errlen, "'%s' is larger than %u bytes", path, FILE_MAX);
			fclose(f);
			buf_release(&b);
			return NULL;
		}
	fclose(f);
	return buf_detach(&b, NULL);
}

/* ---- CSV ------------------------------------------------------------------ */

/* Split one CSV record at *p into fields (quotes, "" escapes); advances *p
 * past the line end. Fields go into a new JSON array of strings. */
static json_t *csv_record(const char **p)
{
	json_t *fields = json_array();
	struct buf f = BUF_INIT(1u << 16);
	const char *s = *p;
	int q = 0;

	for (;;) {
		char c = *s;
		if (q) {
			if (!c)
				break;
			if (c == '"' && s[1] == '"') {
				buf_addch(&f, '"');
				s += 2;
				continue;
			}
			if (c == '"') {
				q = 0;
				s++;
				continue;
			}
			buf_addch(&f, c);
			s++;
			continue;
		}
		if (c == '"') {
			q = 1;
			s++;
		} else if (c == ',' || c == ';' || c == '\n' || c == '\r' || !c) {
			json_array_append_new(fields, json_string(buf_str(&f)));
			buf_reset(&f);
			if (c == ',' || c == ';') {
				s++;
				continue;
			}
			if (c == '\r')
				s++;
			if (*s == '\n')
				s++;
			break;
		} else {
			buf_addch(&f, c);
			s++;
		}
	}
	buf_release(&f);
	*p = s;
	return fields;
}

static int column(const json_t *head, const char *const *names)
{
	size_t i;
	json_t *h;
	json_array_foreach(head, i, h)
		for (int k = 0; names[k]; k++)
			if (!strcasecmp(json_string_value(h), names[k]))
				return (int)i;
	return -1;
}

static int add_contact(long long account, const char *name, const char *company,
		       const char *email, const char *source, const char *phones,
		       const char *cc)
{
	json_t *nums = json_array();
	char one[64], e164[32];
	const char *p = phones;
	int64_t id;
	int r;

	while (p && *p) {
		size_t n = strcspn(p, "|/,");
		if (n && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (!phone_normalize(one, cc, e164, sizeof(e164)))
				json_array_append_new(nums, json_string(e164));
			else
				log_warn("contact '%s': cannot read number '%s', skipped", name, one);
		}
		p += n;
		p += *p != 0;
	}
	r = json_array_size(nums) ? store_contact_insert(account, name, company && *company ? company : NULL,
		email && *email ? email : NULL, source, nums, &id) : -1;
	json_decref(nums);
	return r;
}

static int import_csv(long long account, const char *text, const char *cc, char *err, size_t errlen)
{
	static const char *const c_name[] = { "name", "full name", "fn", NULL };
	static const char *const c_phone[] = { "phone", "phones", "number", "phone_number", "tel", NULL };
	static const char *const c_company[] = { "company", "org", "organization", NULL };
	static const char *const c_email[] = { "email", "e-mail", NULL };
	const char *p = text;
	json_t *head = csv_record(&p);
	int in = column(head, c_name), ip = column(head, c_phone);
	int ic = column(head, c_company), ie = column(head, c_email), count = 0;

	if (in < 0 || ip < 0) {
		snprintf(err, errlen, "the CSV header needs a 'name' and a 'phone' column");
		json_decref(head);
		return -1;
	}
	while (*p) {
		json_t *rec = csv_record(&p);
		const char *name = json_string_value(json_array_get(rec, (size_t)in));
		if (name && *name && !add_contact(account, name,
				json_string_value(json_array_get(rec, (size_t)ic)),
				json_string_value(json_array_get(rec, (size_t)ie)), "csv",
				json_string_value(json_array_get(rec, (size_t)ip)), cc))
			count++;
		json_decref(rec);
	}
	json_decref(head);
	return count;
}

/* ---- vCard ---------------------------------------------------------------- */

struct vcard_import {
	long long account;
	const char *cc;
	int count;
};

static int vcard_one(const struct vcard_entry *e, void *arg)
{
	struct vcard_import *vi = arg;
	struct buf tels = BUF_INIT(VCARD_MAX_TELS * 80);

	for (size_t i = 0; i < e->ntels; i++)
		buf_printf(&tels, "%s%s", i ? "|" : "", e->tels[i]);
	if (*e->name && tels.len &&
	    !add_contact(vi->account, e->name, e->org, e->email, "vcard", buf_str(&tels), vi->cc))
		vi->count++;
	buf_release(&tels);
	return 0;
}

static int import_vcard(long long account, const char *text, const char *cc)
{
	struct vcard_import vi = { account, cc, 0 };
	vcard_parse(text, strlen(text), vcard_one, &vi);
	return vi.count;
}

int admin_import_contacts(long long account_id, const char *text, const char *default_cc,
			  char *err, size_t errlen)
{
	const char *t = text;
	while (isspace((unsigned char)*t))
		t++;
	if (!strncasecmp(t, "BEGIN:VCARD", 11))
		return import_vcard(account_id, t, default_cc);
	return import_csv(account_id, t, default_cc, err, errlen);
}

/* ---- contact sources ----------------------------------------------------------- */

/* ---- opening ------------------------------------------------------------------ */

/* --account ID (required by every row) into *account, the database open and
 * the account found. 0, or the exit code: 2 a bad id, 1 no database or no
 * such account. */
static int begin(const struct cmdline_args *a, int64_t *account)
{
	struct store_account acc;

	if (util_parse_i64(cmdline_get(a, "account"), account) || *account < 1) {
		fputs("switchboard: --account ID is required\n", stderr);
		return 2;
	}
	if (database_open_existing(database_path(cmdline_get(a, "db"))))
		return 1;
	if (store_account_get(*account, &acc)) {
		fprintf(stderr, "switchboard: no account %lld\n", (long long)*account);
		store_thread_release();
		return 1;
	}
	return 0;
}

/* An id option (--user, --assistant, --id) that must be positive: into *out,
 * or -1 after a message naming the option. */
static int id_opt(const struct cmdline_args *a, const char *name, int64_t *out)
{
	const char *v = cmdline_get(a, name);

	if (util_parse_i64(v, out) || *out < 1) {
		fprintf(stderr, "switchboard: invalid --%s '%s': a positive id\n", name, v);
		return -1;
	}
	return 0;
}

/* ---- contacts, users, office hours, calls ------------------------------------- */

int admin_cmd_contact_import(const struct cmdline_args *a)
{
	char err[256], *text;
	int64_t account;
	int r, n;

	if ((r = begin(a, &account)))
		return r;
	text = read_file(a->pos[0], err, sizeof(err));
	n = text ? admin_import_contacts(account, text, cmdline_get_or(a, "country", ""), err, sizeof(err)) : -1;
	free(text);
	if (n < 0) {
		fprintf(stderr, "switchboard: %s\n", err);
		r = 1;
	} else {
		printf("imported %d contacts\n", n);
	}
	store_thread_release();
	return r;
}

int admin_cmd_contact_add(const struct cmdline_args *a)
{
	int64_t account;
	int r;

	if ((r = begin(a, &account)))
		return r;
	r = add_contact(account, cmdline_get(a, "name"), cmdline_get(a, "company"), NULL, "native",
			cmdline_get(a, "phone"), cmdline_get_or(a, "country", "")) ? 1 : 0;
	if (r)
		fputs("switchboard: cannot add the contact (is the number readable?)\n", stderr);
	else
		puts("added");
	store_thread_release();
	return r;
}

int admin_cmd_user_add(const struct cmdline_args *a)
{
	int64_t account, id;
	int r;

	if ((r = begin(a, &account)))
		return r;
	r = store_user_insert(account, cmdline_get(a, "name"), cmdline_get(a, "extension"),
			      cmdline_get(a, "phone"), cmdline_has(a, "dnd"), NULL, &id) ? 1 : 0;
	if (!r)
		printf("%lld\n", (long long)id);
	else
		fputs("switchboard: cannot add the user (extension taken?)\n", stderr);
	store_thread_release();
	return r;
}

int admin_cmd_user_dnd(const struct cmdline_args *a)
{
	int64_t account, user;
	int r;

	if (id_opt(a, "user", &user))
		return 2;
	if ((r = begin(a, &account)))
		return r;
	r = store_user_set_dnd(account, user, !strcmp(a->pos[0], "on")) ? 1 : 0;
	puts(r ? "no such user" : "ok");
	store_thread_release();
	return r;
}

int admin_cmd_office_hours_set(const struct cmdline_args *a)
{
	int64_t account, assistant;
	char err[256], *text;
	json_t *doc;
	int r;

	if (id_opt(a, "assistant", &assistant))
		return 2;
	if ((r = begin(a, &account)))
		return r;
	text = read_file(a->pos[0], err, sizeof(err));
	doc = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (!doc || officehours_validate(doc, err, sizeof(err))) {
		fprintf(stderr, "switchboard: office hours: %s\n", doc ? err : "not valid JSON");
		r = 1;
		goto out;
	}
	r = store_office_hours_set(account, assistant, doc) ? 1 : 0;
	puts(r ? "no such assistant" : "ok");
out:
	json_decref(doc);
	store_thread_release();
	return r;
}

int admin_cmd_call_start(const struct cmdline_args *a)
{
	int64_t account, assistant, id;
	int r;

	if (id_opt(a, "assistant", &assistant))
		return 2;
	if ((r = begin(a, &account)))
		return r;
	r = store_call_start_live(account, assistant, "inbound", cmdline_get(a, "from"),
				  cmdline_get(a, "to"), &id) ? 1 : 0;
	if (!r)
		printf("%lld\n", (long long)id);
	else
		fputs("switchboard: cannot start the call (unknown assistant?)\n", stderr);
	store_thread_release();
	return r;
}

/* ---- contact sources ----------------------------------------------------------- */

/* The checks of `contact source add`, before anything is opened; 0 or 2. */
static int source_check(const char *kind, const char *url, const char *user, const char *pwenv,
			const char *pw)
{
	char label[300];

	if (strcmp(kind, "http") && strcmp(kind, "carddav")) {
		fputs("switchboard: contact source add needs --kind http|carddav and --url URL\n", stderr);
		return 2;
	}
	if ((strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)) ||
	    strlen(url) > 2048 || contactsrc_label(kind, url, label, sizeof(label))) {
		fprintf(stderr, "switchboard: url '%.100s' is not an http or https url\n", url);
		return 2;
	}
	if (pwenv && !pw) {
		fprintf(stderr, "switchboard: environment variable '%s' is not set\n", pwenv);
		return 2;
	}
	if (pw && !user) {
		fputs("switchboard: --password-env needs --user\n", stderr);
		return 2;
	}
	return 0;
}

int admin_cmd_source_add(const struct cmdline_args *a)
{
	const char *kind = cmdline_get(a, "kind"), *url = cmdline_get(a, "url");
	const char *user = cmdline_get(a, "user"), *pwenv = cmdline_get(a, "password-env");
	const char *pw = pwenv ? getenv(pwenv) : NULL;
	char err[200], *sealed = NULL;
	int64_t account, id;
	int r;

	if ((r = begin(a, &account)))
		return r;
	if ((r = source_check(kind, url, user, pwenv, pw)))
		goto out;
	if (pw && !(sealed = secret_seal(pw, err, sizeof(err)))) {
		fprintf(stderr, "switchboard: cannot seal the password: %s\n", err);
		r = 1;
		goto out;
	}
	if (store_contact_source_add(account, kind, url, user, sealed, &id)) {
		fputs("switchboard: cannot add the contact source\n", stderr);
		r = 1;
		goto out;
	}
	printf("%lld\n", (long long)id);
out:
	free(sealed);
	store_thread_release();
	return r;
}

int admin_cmd_source_list(const struct cmdline_args *a)
{
	int64_t account;
	json_t *l, *v;
	size_t i;
	int r;

	if ((r = begin(a, &account)))
		return r;
	l = store_contact_source_list(account, 0);
	json_array_foreach(l, i, v) {
		char label[300];
		contactsrc_label(json_string_value(json_object_get(v, "kind")),
				 json_string_value(json_object_get(v, "url")), label, sizeof(label));
		printf("%lld\t%s\t%s\t%s%s\t%s\n",
		       (long long)json_integer_value(json_object_get(v, "id")), label,
		       json_string_value(json_object_get(v, "url")),
		       json_string_value(json_object_get(v, "username"))
		       ? json_string_value(json_object_get(v, "username")) : "-",
		       json_string_value(json_object_get(v, "password")) ? " (password set)" : "",
		       json_is_true(json_object_get(v, "enabled")) ? "enabled" : "disabled");
	}
	r = l ? 0 : 1;
	json_decref(l);
	store_thread_release();
	return r;
}

int admin_cmd_source_remove(const struct cmdline_args *a)
{
	int64_t account, id;
	int r;

	if (id_opt(a, "id", &id))
		return 2;
	if ((r = begin(a, &account)))
		return r;
	if (store_contact_source_delete(account, id)) {
		fprintf(stderr, "switchboard: account %lld has no contact source %lld\n",
			(long long)account, (long long)id);
		r = 1;
	} else {
		puts("removed");
	}
	store_thread_release();
	return r;
}

/* ---- webhook ------------------------------------------------------------------- */

int admin_cmd_webhook_secret(const struct cmdline_args *a)
{
	char secret[128];
	int64_t account;
	int r;

	if ((r = begin(a, &account)))
		return r;
	r = webhook_secret(account, secret, sizeof(secret)) ? 1 : 0;
	if (r)
		fputs("switchboard: cannot read or create the webhook secret\n", stderr);
	else
		puts(secret);
	sodium_memzero(secret, sizeof(secret));
	store_thread_release();
	return r;
}
