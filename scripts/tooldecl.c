/*
 * tooldecl.c - the tool declarations (src/tools/schemas/) turned into the C
 * tool table and the tool reference, at build time.
 *
 *   tooldecl [--c OUT.c] [--docs OUT.md] SCHEMA_DIR HANDLERS_H
 *
 * SCHEMA_DIR/LIST names the declaration files in table order (tools/list
 * order), one a line; "# text" lines are section headings (a comment in
 * the table, a heading in the docs). Each file declares one tool: name,
 * title, description, surfaces, scope, annotations (the four MCP hints),
 * flags (streams, spend, repeats, waits), handler (default: the name),
 * preview (spend tools), speech (in-call: start, delay, failure),
 * inputSchema, outputSchema, and example (arguments for the docs only).
 *
 * Shared schema pieces live in SCHEMA_DIR/fragments/NAME.json and are
 * written out while generating, so the table holds plain JSON text:
 *   {"$include": "NAME", "PARAM": value, ...}  is replaced by the fragment,
 *       where the fragment's {"$param": "PARAM"} are replaced by the values;
 *   "$merge": "NAME" (or ["A", "B"]) inside an object inserts the members of
 *       the fragment (an object) at that place.
 * ("$ref" is JSON Schema's own and is left alone.)
 *
 * It fails (exit 1, a message naming the file) when a file is not valid
 * JSON, has an unknown or missing field, is not in LIST or LIST names a
 * missing file, names a handler or preview HANDLERS_H does not declare, or
 * when HANDLERS_H declares a handler (HANDLER(name);) or a preview
 * (int name_preview(...)) that no file uses. Only jansson is needed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

#define MAX_TOOLS 256
#define MAX_NAMES 256
#define PATH_LEN 1024
#define INCLUDE_DEPTH 16

struct decl {
	char file[PATH_LEN];  /* relative to the schema dir */
	const char *section;  /* the LIST heading above it, or NULL */
	json_t *doc;          /* the file as written */
	json_t *input;        /* expanded schemas (owned) */
	json_t *output;       /* NULL when the tool declares none */
};

static const char *dir;
static struct decl decls[MAX_TOOLS];
static size_t ndecls;
static char *sections[MAX_TOOLS];
static json_t *fragments;  /* name -> parsed fragment file */

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	fputs("tooldecl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static json_t *load(const char *rel)
{
	char path[PATH_LEN];
	json_error_t e;
	json_t *v;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	v = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	if (!v)
		fail("%s:%d: not valid JSON: %s", path, e.line, e.text);
	return v;
}

/* ---- fragments ------------------------------------------------------------ */

static json_t *fragment(const char *name, const char *file)
{
	char rel[PATH_LEN];
	json_t *f = json_object_get(fragments, name);

	if (f)
		return f;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
			fail("%s: bad fragment name '%s'", file, name);
			return NULL;
		}
	snprintf(rel, sizeof(rel), "fragments/%s.json", name);
	f = load(rel);
	if (!f)
		return NULL;
	json_object_set_new(fragments, name, f);
	return f;
}

static json_t *expand(const json_t *v, const json_t *params, const char *file, int depth);

/* Members of the "$merge" fragments named by `what` into out. */
static int merge(json_t *out, const json_t *what, const json_t *params, const char *file, int depth)
{
	size_t i, n = json_is_array(what) ? json_array_size(what) : 1;

	for (i = 0; i < n; i++) {
		const json_t *name = json_is_array(what) ? json_array_get(what, i) : what;
		const json_t *f = json_is_string(name) ? fragment(json_string_value(name), file) : NULL;
		json_t *x;

		if (!json_is_string(name))
			return fail("%s: \"$merge\" takes a fragment name or a list of names", file);
		if (!f)
			return -1;
		if (!json_is_object(f))
			return fail("%s: fragment '%s' is merged but is not an object", file,
				    json_string_value(name));
		x = expand(f, params, file, depth + 1);
		if (!x)
			return -1;
		if (json_object_update(out, x)) {
			json_decref(x);
			return fail("%s: cannot merge '%s'", file, json_string_value(name));
		}
		json_decref(x);
	}
	return 0;
}

/* v with its includes written out (new reference), NULL after a message. */
static json_t *expand(const json_t *v, const json_t *params, const char *file, int depth)
{
	const char *key;
	json_t *val, *out, *inc;

	if (depth > INCLUDE_DEPTH) {
		fail("%s: fragments include each other more than %d deep", file, INCLUDE_DEPTH);
		return NULL;
	}
	if (json_is_array(v)) {
		size_t i;
		out = json_array();
		json_array_foreach(v, i, val) {
			json_t *x = expand(val, params, file, depth);
			if (!x) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, x);
		}
		return out;
	}
	if (!json_is_object(v))
		return json_deep_copy(v);
	if ((inc = json_object_get(v, "$param"))) {
		val = json_is_string(inc) ? json_object_get(params, json_string_value(inc)) : NULL;
		if (!val || json_object_size(v) != 1) {
			fail("%s: \"$param\" '%s' has no value", file,
			     json_is_string(inc) ? json_string_value(inc) : "?");
			return NULL;
		}
		return json_deep_copy(val);
	}
	if ((inc = json_object_get(v, "$include"))) {
		json_t *args = json_object();
		const json_t *f;

		if (!json_is_string(inc)) {
			json_decref(args);
			fail("%s: \"$include\" takes a fragment name", file);
			return NULL;
		}
		json_object_foreach((json_t *)v, key, val) {
			json_t *x;
			if (!strcmp(key, "$include"))
				continue;
			if (!(x = expand(val, params, file, depth))) {
				json_decref(args);
				return NULL;
			}
			json_object_set_new(args, key, x);
		}
		f = fragment(json_string_value(inc), file);
		out = f ? expand(f, args, file, depth + 1) : NULL;
		json_decref(args);
		return out;
	}
	out = json_object();
	json_object_foreach((json_t *)v, key, val) {
		json_t *x;
		if (!strcmp(key, "$merge")) {
			if (merge(out, val, params, file, depth)) {
				json_decref(out);
				return NULL;
			}
			continue;
		}
		if (!(x = expand(val, params, file, depth))) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, key, x);
	}
	return out;
}

/* ---- declarations ------------------------------------------------------- */

static const char *const top_keys[] = {
	"name", "title", "description", "surfaces", "scope", "annotations", "flags", "handler",
	"preview", "speech", "inputSchema", "outputSchema", "example", NULL
};
static const char *const hints[] = {
	"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint", NULL
};
static const char *const hint_flags[] = {
	"TOOL_READONLY", "TOOL_DESTRUCTIVE", "TOOL_IDEMPOTENT", "TOOL_OPENWORLD", NULL
};
static const char *const flag_names[] = { "streams", "spend", "repeats", "waits", NULL };
static const char *const flag_c[] = { "TOOL_STREAMS", "TOOL_SPEND", "TOOL_REPEATS", "TOOL_WAITS", NULL };
static const char *const scope_names[] = { "read", "write", "spend", "admin", "incall", NULL };
static const char *const scope_c[] = {
	"AUTH_SCOPE_READ", "AUTH_SCOPE_WRITE", "AUTH_SCOPE_SPEND", "AUTH_SCOPE_ADMIN", "AUTH_SCOPE_INCALL", NULL
};
static const char *const surface_names[] = { "control", "conformance", "incall", NULL };
static const char *const surface_c[] = { "SURFACE_CONTROL", "SURFACE_CONFORMANCE", "SURFACE_INCALL", NULL };
static const char *const speech_keys[] = { "start", "delay", "failure", NULL };

static int lookup(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return i;
	return -1;
}

static const char *str(const json_t *d, const char *key)
{
	return json_string_value(json_object_get(d, key));
}

static const char *handler_of(const json_t *d)
{
	return str(d, "handler") ? str(d, "handler") : str(d, "name");
}

/* A list of names from `list`: an array of strings, each known. */
static int names_ok(const json_t *v, const char *const *list, const char *what, const char *file)
{
	size_t i;
	json_t *x;

	if (!json_is_array(v))
		return fail("%s: \"%s\" is a list of names", file, what);
	json_array_foreach(v, i, x)
		if (lookup(list, json_string_value(x)) < 0)
			return fail("%s: unknown %s '%s'", file, what,
				    json_is_string(x) ? json_string_value(x) : "?");
	return 0;
}

static int check_decl(struct decl *t)
{
	const json_t *d = t->doc, *v;
	const char *key, *base = strrchr(t->file, '/');
	size_t len;
	json_t *val;

	base = base ? base + 1 : t->file;
	if (!json_is_object(d))
		return fail("%s: a declaration is an object", t->file);
	json_object_foreach((json_t *)d, key, val)
		if (lookup(top_keys, key) < 0)
			return fail("%s: unknown field \"%s\"", t->file, key);
	if (!str(d, "name") || !str(d, "title") || !str(d, "description"))
		return fail("%s: name, title and description are required strings", t->file);
	len = strlen(str(d, "name"));
	if (strncmp(base, str(d, "name"), len) || strcmp(base + len, ".json"))
		return fail("%s: the file is not named after the tool '%s'", t->file, str(d, "name"));
	if (names_ok(json_object_get(d, "surfaces"), surface_names, "surfaces", t->file))
		return -1;
	if (!json_array_size(json_object_get(d, "surfaces")))
		return fail("%s: a tool is on at least one surface", t->file);
	v = json_object_get(d, "scope");
	if (!json_is_null(v) && lookup(scope_names, json_string_value(v)) < 0)
		return fail("%s: \"scope\" is one of read, write, spend, admin, incall or null", t->file);
	v = json_object_get(d, "annotations");
	if (!json_is_object(v) || json_object_size(v) != 4)
		return fail("%s: \"annotations\" holds the four hints", t->file);
	for (int i = 0; hints[i]; i++)
		if (!json_is_boolean(json_object_get(v, hints[i])))
			return fail("%s: annotation \"%s\" is missing or not a boolean", t->file, hints[i]);
	if ((v = json_object_get(d, "flags")) && names_ok(v, flag_names, "flags", t->file))
		return -1;
	if (json_object_get(d, "handler") && !str(d, "handler"))
		return fail("%s: \"handler\" is a function name", t->file);
	if (json_object_get(d, "preview") && !str(d, "preview"))
		return fail("%s: \"preview\" is a function name", t->file);
	{
		int spend = 0;
		size_t i;
		json_array_foreach(json_object_get(d, "flags"), i, val)
			spend |= !strcmp(json_string_value(val), "spend");
		if (spend != !!str(d, "preview"))
			return fail("%s: a tool has a preview exactly when it has the spend flag", t->file);
	}
	if ((v = json_object_get(d, "speech"))) {
		if (!json_is_object(v))
			return fail("%s: \"speech\" is an object", t->file);
		json_object_foreach((json_t *)v, key, val)
			if (lookup(speech_keys, key) < 0 || !json_is_string(val))
				return fail("%s: speech \"%s\" is not start, delay or failure text", t->file, key);
	}
	if ((v = json_object_get(d, "example")) && !json_is_object(v))
		return fail("%s: \"example\" is an object of arguments", t->file);
	if (!json_is_object(json_object_get(d, "inputSchema")))
		return fail("%s: \"inputSchema\" is required and is an object", t->file);
	t->input = expand(json_object_get(d, "inputSchema"), NULL, t->file, 0);
	if (!t->input)
		return -1;
	if ((v = json_object_get(d, "outputSchema"))) {
		if (!json_is_object(v))
			return fail("%s: \"outputSchema\" is an object", t->file);
		if (!(t->output = expand(v, NULL, t->file, 0)))
			return -1;
	}
	return 0;
}

static void rstrip(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int read_list(void)
{
	char path[PATH_LEN], line[PATH_LEN];
	const char *section = NULL;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/LIST", dir);
	if (!(f = fopen(path, "r")))
		return fail("cannot open '%s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		rstrip(line);
		if (!line[0])
			continue;
		if (line[0] == '#') {
			const char *s = line + 1;
			while (*s == ' ')
				s++;
			section = sections[ndecls] = strdup(s);
			continue;
		}
		if (ndecls == MAX_TOOLS) {
			rc = fail("%s: more than %d tools", path, MAX_TOOLS);
			break;
		}
		snprintf(decls[ndecls].file, sizeof(decls[ndecls].file), "%s", line);
		decls[ndecls].section = section;
		section = NULL;
		if (!(decls[ndecls].doc = load(line)) || check_decl(&decls[ndecls])) {
			rc = -1;
			break;
		}
		for (size_t j = 0; j < ndecls; j++)
			if (!strcmp(decls[j].file, line)) {
				rc = fail("%s: '%s' is listed twice", path, line);
				break;
			}
		ndecls++;
		if (rc)
			break;
	}
	fclose(f);
	return rc;
}

/* Every .json under dir (fragments/ aside) must be listed. */
static int check_unlisted(const char *sub)
{
	char path[PATH_LEN], rel[PATH_LEN];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", dir, *sub ? "/" : "", sub);
	if (!(d = opendir(path)))
		return fail("cannot open '%s': %s", path, strerror(errno));
	while (!rc && (e = readdir(d))) {
		struct stat st;
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(rel, sizeof(rel), "%s%s%s", sub, *sub ? "/" : "", e->d_name) >= sizeof(rel) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path)) {
			rc = fail("%s/%s: path too long", dir, sub);
			break;
		}
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (strcmp(rel, "fragments"))
				rc = check_unlisted(rel);
			continue;
		}
		if (n < 5 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		size_t i;
		for (i = 0; i < ndecls && strcmp(decls[i].file, rel); i++)
			;
		if (i == ndecls)
			rc = fail("%s/%s: not in %s/LIST", dir, rel, dir);
	}
	closedir(d);
	return rc;
}

/* Handlers and previews the header declares, each used by some file. */
static int check_handlers(const char *header)
{
	char line[1024];
	char *names[MAX_NAMES];
	size_t n = 0;
	FILE *f = fopen(header, "r");
	int rc = 0;

	if (!f)
		return fail("cannot open '%s': %s", header, strerror(errno));
	while (fgets(line, sizeof(line), f) && n < MAX_NAMES) {
		char *s = NULL, *e;
		if (!strncmp(line, "HANDLER(", 8))
			s = line + 8;
		else if (!strncmp(line, "int ", 4) && (e = strchr(line, '(')) && e - line > 12 &&
			 !strncmp(e - 8, "_preview", 8))
			s = line + 4;
		if (!s)
			continue;
		e = s + strcspn(s, ")(");
		*e = '\0';
		names[n++] = strdup(s);
	}
	fclose(f);
	for (size_t i = 0; i < ndecls && !rc; i++) {
		const char *fn[2] = { handler_of(decls[i].doc), str(decls[i].doc, "preview") };
		for (int k = 0; k < 2 && !rc; k++) {
			size_t j;
			if (!fn[k])
				continue;
			for (j = 0; j < n && strcmp(names[j], fn[k]); j++)
				;
			if (j == n)
				rc = fail("%s/%s: %s '%s' is not declared in %s", dir, decls[i].file,
					  k ? "preview" : "handler", fn[k], header);
		}
	}
	for (size_t j = 0; j < n && !rc; j++) {
		size_t i;
		for (i = 0; i < ndecls; i++) {
			const char *pv = str(decls[i].doc, "preview");
			if (!strcmp(handler_of(decls[i].doc), names[j]) || (pv && !strcmp(pv, names[j])))
				break;
		}
		if (i == ndecls)
			rc = fail("%s: '%s' is declared but no file in %s uses it", header, names[j], dir);
	}
	for (size_t j = 0; j < n; j++)
		free(names[j]);
	return rc;
}

/* ---- the C table -------------------------------------------------------- */

/* s as C string literals of at most ~90 characters each, the continuation
 * lines indented by `indent` tabs. */
static void c_string(FILE *o, const char *s, int indent)
{
	int col = 0;

	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (col >= 70 && *p != ' ' && p[-1] == ' ') {
			fputs("\"\n", o);
			for (int i = 0; i < indent; i++)
				fputc('\t', o);
			fputc('"', o);
			col = 0;
		}
		switch (*p) {
		case '"': fputs("\\\"", o); col += 2; break;
		case '\\': fputs("\\\\", o); col += 2; break;
		case '\n': fputs("\\n", o); col += 2; break;
		case '\r': fputs("\\r", o); col += 2; break;
		case '\t': fputs("\\t", o); col += 2; break;
		default:
			if (*p < 0x20)
				col += fprintf(o, "\\%03o", *p);
			else {
				fputc(*p, o);
				col++;
			}
		}
		/* break compact JSON after a comma too */
		if (col >= 80 && *p == ',') {
			fputs("\"\n", o);
			for (int i = 0; i < indent; i++)
				fputc('\t', o);
			fputc('"', o);
			col = 0;
		}
	}
	fputc('"', o);
}

/* Compact JSON text of a schema: 15 significant digits when they give the
 * same numbers back (0.7, not 0.69999999999999996), 17 otherwise. */
static char *schema_text(const json_t *s)
{
	char *txt = json_dumps(s, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_t *back = txt ? json_loads(txt, 0, NULL) : NULL;

	if (!back || !json_equal(back, s)) {
		free(txt);
		txt = json_dumps(s, JSON_COMPACT | JSON_REAL_PRECISION(17));
	}
	json_decref(back);
	return txt;
}

static void c_flags(FILE *o, const json_t *d)
{
	const json_t *a = json_object_get(d, "annotations");
	size_t i;
	json_t *v;
	int any = 0;

	for (int k = 0; hints[k]; k++)
		if (json_is_true(json_object_get(a, hints[k]))) {
			fprintf(o, "%s%s", any ? " | " : "", hint_flags[k]);
			any = 1;
		}
	json_array_foreach(json_object_get(d, "flags"), i, v) {
		fprintf(o, "%s%s", any ? " | " : "", flag_c[lookup(flag_names, json_string_value(v))]);
		any = 1;
	}
	if (!any)
		fputc('0', o);
}

static void c_surfaces(FILE *o, const json_t *d)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(d, "surfaces"), i, v)
		fprintf(o, "%s%s", i ? " | " : "", surface_c[lookup(surface_names, json_string_value(v))]);
}

static int write_c(const char *path)
{
	FILE *o = fopen(path, "w");

	if (!o)
		return fail("cannot write '%s': %s", path, strerror(errno));
	fprintf(o, "/*\n * Generated by scripts/tooldecl.c from %s/ (one JSON file a tool,\n"
		" * in the order of its LIST): do not edit, edit the declarations.\n */\n", dir);
	fputs("#include \"tools/tools.h\"\n\nconst struct tool tool_table[] = {\n", o);
	for (size_t i = 0; i < ndecls; i++) {
		const struct decl *t = &decls[i];
		const json_t *d = t->doc, *sp = json_object_get(d, "speech");
		const char *scope = str(d, "scope");
		char *in = schema_text(t->input), *out = t->output ? schema_text(t->output) : NULL;

		if (t->section)
			fprintf(o, "\t/* ---- %s ---- */\n", t->section);
		fprintf(o, "\t/* %s/%s */\n\t{ .name = ", dir, t->file);
		c_string(o, str(d, "name"), 2);
		fputs(",\n\t  .title = ", o);
		c_string(o, str(d, "title"), 2);
		fputs(",\n\t  .description = ", o);
		c_string(o, str(d, "description"), 2);
		fputs(",\n\t  .input_schema = ", o);
		c_string(o, in, 2);
		fputs(",\n\t  .output_schema = ", o);
		if (out)
			c_string(o, out, 2);
		else
			fputs("NULL", o);
		fputs(",\n\t  .flags = ", o);
		c_flags(o, d);
		fprintf(o, ",\n\t  .scope = %s,\n\t  .surfaces = ", scope ? scope_c[lookup(scope_names, scope)] : "0");
		c_surfaces(o, d);
		fprintf(o, ",\n\t  .fn = %s", handler_of(d));
		if (str(d, "preview"))
			fprintf(o, ",\n\t  .preview = %s", str(d, "preview"));
		for (int k = 0; speech_keys[k]; k++)
			if (str(sp, speech_keys[k])) {
				fprintf(o, ",\n\t  .say_%s = ", speech_keys[k]);
				c_string(o, str(sp, speech_keys[k]), 2);
			}
		fputs(" },\n", o);
		free(in);
		free(out);
	}
	fputs("\t{ .name = NULL }\n};\n", o);
	if (fclose(o))
		return fail("cannot write '%s'", path);
	return 0;
}

/* ---- the reference (docs/TOOLS.md) --------------------------------------- */

/* Markdown table cell text: pipes escaped, newlines as spaces. */
static void md_cell(FILE *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", o);
		else if (*s == '\n')
			fputc(' ', o);
		else
			fputc(*s, o);
	}
}

static void md_json(FILE *o, const json_t *v)
{
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	/* a code span holding a backquote is opened with two */
	const char *q = t && strchr(t, '`') ? "`` " : "`";

	fputs(q, o);
	md_cell(o, t ? t : "?");
	fputs(q[1] ? " ``" : "`", o);
	free(t);
}

static void md_type(FILE *o, const json_t *s)
{
	const json_t *t = json_object_get(s, "type");
	size_t i;
	json_t *v;

	if (json_is_string(t)) {
		fputs(json_string_value(t), o);
	} else if (json_is_array(t)) {
		json_array_foreach(t, i, v)
			fprintf(o, "%s%s", i ? " or " : "", json_string_value(v));
	} else if (json_object_get(s, "const")) {
		fputs("constant", o);
	} else if (json_object_get(s, "enum")) {
		fputs("enum", o);
	} else if (json_object_get(s, "$ref")) {
		fprintf(o, "see `%s`", json_string_value(json_object_get(s, "$ref")));
	} else {
		fputs("any", o);
	}
	if (json_is_object(json_object_get(s, "items")))
		fprintf(o, " of %s", str(json_object_get(s, "items"), "type") ?
			str(json_object_get(s, "items"), "type") : "values");
}

static void md_constraints(FILE *o, const json_t *s)
{
	static const char *const plain[] = {
		"enum", "const", "format", "pattern", "minimum", "maximum", "exclusiveMinimum",
		"exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
		"default", NULL
	};
	const json_t *items = json_object_get(s, "items"), *ap = json_object_get(s, "additionalProperties");
	int any = 0;

	for (int k = 0; plain[k]; k++) {
		const json_t *v = json_object_get(s, plain[k]);
		if (!v)
			continue;
		fprintf(o, "%s%s ", any ? ", " : "", plain[k]);
		md_json(o, v);
		any = 1;
	}
	if (json_is_object(items) && json_object_get(items, "enum")) {
		fprintf(o, "%sitems enum ", any ? ", " : "");
		md_json(o, json_object_get(items, "enum"));
		any = 1;
	}
	if (json_is_object(ap)) {
		fprintf(o, "%svalues: ", any ? ", " : "");
		md_type(o, ap);
		any = 1;
	}
	if (!any)
		fputs(" ", o);
}

static int required(const json_t *s, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(s, "required"), i, v)
		if (!strcmp(json_string_value(v), name))
			return 1;
	return 0;
}

/* One row per property, nested ones (object members, array items) named
 * with their path: headers[].name. */
static void md_props(FILE *o, const json_t *s, const char *prefix, int depth)
{
	const json_t *props = json_object_get(s, "properties");
	const char *key;
	json_t *p;

	if (depth > 4)
		return;
	json_object_foreach((json_t *)props, key, p) {
		char name[256];
		const json_t *items = json_object_get(p, "items");

		snprintf(name, sizeof(name), "%s%s", prefix, key);
		fprintf(o, "| `%s` | ", name);
		md_type(o, p);
		fprintf(o, " | %s | ", required(s, key) ? "yes" : "no");
		md_constraints(o, p);
		fputs(" | ", o);
		md_cell(o, str(p, "description") ? str(p, "description") : "");
		fputs(" |\n", o);
		if (json_object_get(p, "properties")) {
			char sub[sizeof(name) + 4];
			if ((size_t)snprintf(sub, sizeof(sub), "%s.", name) < sizeof(sub))
				md_props(o, p, sub, depth + 1);
		}
		if (json_is_object(items) && json_object_get(items, "properties")) {
			char sub[sizeof(name) + 4];
			if ((size_t)snprintf(sub, sizeof(sub), "%s[].", name) < sizeof(sub))
				md_props(o, items, sub, depth + 1);
		}
	}
}

/* An example value for a required argument, or NULL when the schema says
 * too little (a pattern): then the file gives "example". */
static json_t *example_value(const json_t *p)
{
	const char *type = str(p, "type"), *format = str(p, "format");
	const json_t *v;

	if ((v = json_object_get(p, "default")))
		return json_deep_copy(v);
	if ((v = json_object_get(p, "const")))
		return json_deep_copy(v);
	if ((v = json_object_get(p, "enum")))
		return json_deep_copy(json_array_get(v, 0));
	if (!type)
		return NULL;
	if (!strcmp(type, "integer") || !strcmp(type, "number")) {
		v = json_object_get(p, "minimum");
		return json_integer(json_is_integer(v) && json_integer_value(v) > 1 ? json_integer_value(v) : 1);
	}
	if (!strcmp(type, "boolean"))
		return json_true();
	if (!strcmp(type, "object"))
		return json_object();
	if (!strcmp(type, "array"))
		return json_array();
	if (strcmp(type, "string"))
		return NULL;
	if (format && !strcmp(format, "e164"))
		return json_string("+4915123456789");
	if (format && !strcmp(format, "uuid"))
		return json_string("0b4f6a52-3c2e-4f0e-9d5a-6f1b2c3d4e5f");
	if (format && !strcmp(format, "date"))
		return json_string("2025-01-31");
	if (format && !strcmp(format, "uri"))
		return json_string("https://example.com/hook");
	if (json_object_get(p, "pattern"))
		return NULL;
	return json_string("text");
}

static int md_example(FILE *o, const struct decl *t)
{
	json_t *args = json_deep_copy(json_object_get(t->doc, "example")), *call;
	const char *key;
	json_t *p;
	char *txt;

	if (!args) {
		args = json_object();
		json_object_foreach(json_object_get(t->input, "properties"), key, p) {
			json_t *v;
			if (!required(t->input, key))
				continue;
			if (!(v = example_value(p))) {
				json_decref(args);
				return fail("%s/%s: argument '%s' needs an \"example\" for the docs", dir, t->file, key);
			}
			json_object_set_new(args, key, v);
		}
	}
	call = json_pack("{s:s, s:i, s:s, s:{s:s, s:o}}", "jsonrpc", "2.0", "id", 1, "method", "tools/call",
			 "params", "name", str(t->doc, "name"), "arguments", args);
	txt = json_dumps(call, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	fprintf(o, "\n```json\n%s\n```\n", txt);
	free(txt);
	json_decref(call);
	return 0;
}

static void md_anchor(FILE *o, const struct decl *t)
{
	const json_t *s = json_object_get(t->doc, "surfaces");
	fprintf(o, "%s%s", str(t->doc, "name"),
		strcmp(json_string_value(json_array_get(s, 0)), "control") ? "-" : "");
	if (strcmp(json_string_value(json_array_get(s, 0)), "control"))
		fputs(json_string_value(json_array_get(s, 0)), o);
}

static int write_docs(const char *path)
{
	FILE *o = fopen(path, "w");

	if (!o)
		return fail("cannot write '%s': %s", path, strerror(errno));
	fputs("# Tool reference\n\n"
	      "<!-- Generated by scripts/tooldecl.c from src/tools/schemas/: do not edit.\n"
	      "     `make docs/TOOLS.md` writes it again; the test command fails when it is stale. -->\n\n"
	      "Every MCP tool Switchboard serves, in `tools/list` order. The control plane is `/mcp`\n"
	      "and `switchboard stdio` (API keys); the in-call plane is `/call/mcp` during a live call;\n"
	      "the conformance fixtures are served by `serve --conformance`. Scope is what the caller's\n"
	      "key needs; spend tools run only once confirmed (README, \"Spend actions\").\n\n", o);
	for (size_t i = 0; i < ndecls; i++) {
		const struct decl *t = &decls[i];
		if (t->section)
			fprintf(o, "%s- %s\n", i ? "\n" : "", t->section);
		fprintf(o, "  - [`%s`](#", str(t->doc, "name"));
		md_anchor(o, t);
		fputs(")\n", o);
	}
	for (size_t i = 0; i < ndecls; i++) {
		const struct decl *t = &decls[i];
		const json_t *d = t->doc, *a = json_object_get(d, "annotations"), *sp = json_object_get(d, "speech");
		const char *key;
		json_t *v;
		size_t k;
		int any = 0;

		if (t->section)
			fprintf(o, "\n## %c%s\n", t->section[0] >= 'a' && t->section[0] <= 'z' ?
				t->section[0] - 'a' + 'A' : t->section[0], t->section + 1);
		fprintf(o, "\n<a id=\"");
		md_anchor(o, t);
		fprintf(o, "\"></a>\n### `%s` - %s\n\n%s\n\n", str(d, "name"), str(d, "title"), str(d, "description"));
		fprintf(o, "- Scope: %s%s%s\n", str(d, "scope") ? "`" : "",
			str(d, "scope") ? str(d, "scope") : "none", str(d, "scope") ? "`" : "");
		fputs("- Surface: ", o);
		json_array_foreach(json_object_get(d, "surfaces"), k, v)
			fprintf(o, "%s%s", k ? ", " : "", json_string_value(v));
		fputs("\n- Annotations: ", o);
		for (int h = 0; hints[h]; h++)
			if (json_is_true(json_object_get(a, hints[h]))) {
				fprintf(o, "%s%s", any ? ", " : "", hints[h]);
				any = 1;
			}
		fputs(any ? "\n" : "none\n", o);
		if (json_array_size(json_object_get(d, "flags"))) {
			fputs("- Runs: ", o);
			json_array_foreach(json_object_get(d, "flags"), k, v)
				fprintf(o, "%s%s", k ? ", " : "", json_string_value(v));
			fputs("\n", o);
		}
		json_object_foreach((json_t *)sp, key, v)
			fprintf(o, "- Says (%s): \"%s\"\n", key, json_string_value(v));
		if (json_object_size(json_object_get(t->input, "properties"))) {
			fputs("\n| Argument | Type | Required | Constraints | Description |\n"
			      "|---|---|---|---|---|\n", o);
			md_props(o, t->input, "", 0);
		} else {
			fputs("\nNo arguments.\n", o);
		}
		if (md_example(o, t)) {
			fclose(o);
			return -1;
		}
	}
	if (fclose(o))
		return fail("cannot write '%s'", path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c_out = NULL, *docs_out = NULL, *header = NULL;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--c") && i + 1 < argc)
			c_out = argv[++i];
		else if (!strcmp(argv[i], "--docs") && i + 1 < argc)
			docs_out = argv[++i];
		else if (!dir)
			dir = argv[i];
		else if (!header)
			header = argv[i];
		else
			dir = NULL;
	}
	if (!dir || !header) {
		fputs("usage: tooldecl [--c OUT.c] [--docs OUT.md] SCHEMA_DIR HANDLERS_H\n", stderr);
		return 2;
	}
	fragments = json_object();
	if (read_list() || check_unlisted("") || check_handlers(header))
		goto out;
	if (c_out && write_c(c_out))
		goto out;
	if (docs_out && write_docs(docs_out))
		goto out;
	rc = 0;
out:
	if (rc && c_out)
		remove(c_out);
	for (size_t i = 0; i < MAX_TOOLS; i++) {  /* a failed entry is past ndecls */
		json_decref(decls[i].doc);
		json_decref(decls[i].input);
		json_decref(decls[i].output);
	}
	for (size_t i = 0; i < MAX_TOOLS; i++)
		free(sections[i]);
	json_decref(fragments);
	return rc;
}
