/* admin.c - operator commands for contacts, users, office hours, live calls. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli/admin.h"
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

/* the database's directory, where secret.key lives (as `serve` has it) */
static const char *data_dir_of(const char *db, char *out, size_t outlen)
{
	const char *slash = strrchr(db, '/');
	snprintf(out, outlen, "%.*s", slash ? (int)(slash - db) : 1,
		 slash ? (slash == db ? "/" : db) : ".");
	return out;
}

static int source_cmd(int64_t account, const char *action, const char *kind, const char *url,
		      const char *user, const char *pwenv, int64_t id)
{
	if (!strcmp(action, "add")) {
		const char *pw = pwenv ? getenv(pwenv) : NULL;
		char err[200], label[300], *sealed = NULL;
		int64_t nid;
		int rc;

		if (!kind || (strcmp(kind, "http") && strcmp(kind, "carddav")) || !url) {
			fputs("switchboard: contact source add needs --kind http|carddav and --url URL\n",
			      stderr);
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
		if (pw && !(sealed = secret_seal(pw, err, sizeof(err)))) {
			fprintf(stderr, "switchboard: cannot seal the password: %s\n", err);
			return 1;
		}
		rc = store_contact_source_add(account, kind, url, user, sealed, &nid);
		free(sealed);
		if (rc) {
			fputs("switchboard: cannot add the contact source\n", stderr);
			return 1;
		}
		printf("%lld\n", (long long)nid);
		return 0;
	}
	if (!strcmp(action, "list")) {
		json_t *l = store_contact_source_list(account, 0), *v;
		size_t i;
		if (!l)
			return 1;
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
		json_decref(l);
		return 0;
	}
	if (!strcmp(action, "remove") && id > 0) {
		if (store_contact_source_delete(account, id)) {
			fprintf(stderr, "switchboard: account %lld has no contact source %lld\n",
				(long long)account, (long long)id);
			return 1;
		}
		puts("removed");
		return 0;
	}
	fputs("switchboard: contact source add|list|remove (see --help)\n", stderr);
	return 2;
}

/* ---- the commands ------------------------------------------------------------ */

static const char usage[] =
	"usage: switchboard contact import --account ID FILE.csv|FILE.vcf [--country CC]\n"
	"       switchboard contact add --account ID --name N --phone P[|P] [--company C] [--country CC]\n"
	"       switchboard user add --account ID --name N [--extension E] [--phone P] [--dnd]\n"
	"       switchboard user dnd --account ID --user ID on|off\n"
	"       switchboard office-hours set --account ID --assistant ID FILE.json\n"
	"       switchboard call start --account ID --assistant ID --from P [--to P]\n"
	"       switchboard contact source add --account ID --kind http|carddav --url URL\n"
	"                                      [--user U --password-env VAR]\n"
	"       switchboard contact source list --account ID\n"
	"       switchboard contact source remove --account ID --id N\n"
	"       switchboard webhook secret --account ID\n"
	"  All take --db PATH. Office hours: {\"weekly\":{\"monday\":[{\"open\":\"09:00\",\"close\":\"17:00\"}],...},\n"
	"  \"exceptions\":[{\"date\":\"2026-12-25\",\"closed\":true}]}. `call start` registers a call that an\n"
	"  external voice engine has on the line, to drive through /call/mcp; it prints the call id.\n";

int admin_main(int argc, char **argv, const char *(*db_path)(const char *))
{
	static const struct option opts[] = {
		{ "db", 1, 0, 'd' }, { "account", 1, 0, 'a' }, { "name", 1, 0, 'n' },
		{ "phone", 1, 0, 'p' }, { "company", 1, 0, 'c' }, { "country", 1, 0, 'C' },
		{ "extension", 1, 0, 'e' }, { "dnd", 0, 0, 'D' }, { "user", 1, 0, 'u' },
		{ "assistant", 1, 0, 's' }, { "from", 1, 0, 'f' }, { "to", 1, 0, 't' },
		{ "kind", 1, 0, 'k' }, { "url", 1, 0, 'U' }, { "password-env", 1, 0, 'P' },
		{ "id", 1, 0, 'i' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	const char *cmd = argv[0], *sub = argc > 1 ? argv[1] : "", *db = NULL;
	const char *name = NULL, *phone = NULL, *company = NULL, *cc = "", *ext = NULL;
	const char *from = NULL, *to = NULL, *kind = NULL, *url = NULL, *pwenv = NULL;
	const char *uname = NULL;
	int64_t account = 0, user = 0, assistant = 0, src_id = 0;
	int dnd = 0, c, r = 2;
	char err[256];

	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'a': if (util_parse_i64(optarg, &account)) account = -1; break;
		case 'n': name = optarg; break;
		case 'p': phone = optarg; break;
		case 'c': company = optarg; break;
		case 'C': cc = optarg; break;
		case 'e': ext = optarg; break;
		case 'D': dnd = 1; break;
		case 'u': if (util_parse_i64(optarg, &user)) user = -1; uname = optarg; break;
		case 'k': kind = optarg; break;
		case 'U': url = optarg; break;
		case 'P': pwenv = optarg; break;
		case 'i': if (util_parse_i64(optarg, &src_id)) src_id = -1; break;
		case 's': if (util_parse_i64(optarg, &assistant)) assistant = -1; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (account < 1) {
		fputs("switchboard: --account ID is required\n", stderr);
		return 2;
	}
	{
		char e2[256];
		if (store_open(db_path(db), e2, sizeof(e2))) {
			fprintf(stderr, "switchboard: %s\n", e2);
			return 1;
		}
	}
	/* sealed secrets (source passwords, the webhook secret) keep their key
	 * next to the database, as for `serve` */
	secret_init(data_dir_of(db_path(db), err, sizeof(err)));
	struct store_account acc;
	if (store_account_get(account, &acc)) {
		fprintf(stderr, "switchboard: no account %lld\n", (long long)account);
		return 1;
	}
	if (!strcmp(cmd, "contact") && !strcmp(sub, "import") && optind < argc) {
		char *text = read_file(argv[optind], err, sizeof(err));
		int n = text ? admin_import_contacts(account, text, cc, err, sizeof(err)) : -1;
		free(text);
		if (n < 0) {
			fprintf(stderr, "switchboard: %s\n", err);
			return 1;
		}
		printf("imported %d contacts\n", n);
		r = 0;
	} else if (!strcmp(cmd, "contact") && !strcmp(sub, "add") && name && phone) {
		r = add_contact(account, name, company, NULL, "native", phone, cc) ? 1 : 0;
		if (r)
			fputs("switchboard: cannot add the contact (is the number readable?)\n", stderr);
		else
			puts("added");
	} else if (!strcmp(cmd, "user") && !strcmp(sub, "add") && name) {
		int64_t id;
		r = store_user_insert(account, name, ext, phone, dnd, NULL, &id) ? 1 : 0;
		if (!r)
			printf("%lld\n", (long long)id);
		else
			fputs("switchboard: cannot add the user (extension taken?)\n", stderr);
	} else if (!strcmp(cmd, "user") && !strcmp(sub, "dnd") && user > 0 && optind < argc) {
		r = store_user_set_dnd(account, user, !strcmp(argv[optind], "on")) ? 1 : 0;
		puts(r ? "no such user" : "ok");
	} else if (!strcmp(cmd, "office-hours") && !strcmp(sub, "set") && assistant > 0 &&
		   optind < argc) {
		char *text = read_file(argv[optind], err, sizeof(err));
		json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		if (!doc || officehours_validate(doc, err, sizeof(err))) {
			fprintf(stderr, "switchboard: office hours: %s\n", doc ? err : "not valid JSON");
			json_decref(doc);
			return 1;
		}
		r = store_office_hours_set(account, assistant, doc) ? 1 : 0;
		json_decref(doc);
		puts(r ? "no such assistant" : "ok");
	} else if (!strcmp(cmd, "call") && !strcmp(sub, "start") && assistant > 0 && from) {
		int64_t id;
		r = store_call_start_live(account, assistant, "inbound", from, to, &id) ? 1 : 0;
		if (!r)
			printf("%lld\n", (long long)id);
		else
			fputs("switchboard: cannot start the call (unknown assistant?)\n", stderr);
	} else if (!strcmp(cmd, "contact") && !strcmp(sub, "source")) {
		r = source_cmd(account, optind < argc ? argv[optind] : "", kind, url, uname, pwenv,
			       src_id);
	} else if (!strcmp(cmd, "webhook") && !strcmp(sub, "secret")) {
		char secret[128];
		r = webhook_secret(account, secret, sizeof(secret)) ? 1 : 0;
		if (r)
			fputs("switchboard: cannot read or create the webhook secret\n", stderr);
		else
			puts(secret);
	} else {
		fputs(usage, stderr);
	}
	store_thread_release();
	return r;
}
