/* cmdline.c - the command table's lookup, option parser and help (see cmdline.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cmdline.h"

#define WRAP 100   /* help lines wrap before this column */

/* ---- lookup ----------------------------------------------------------------- */

/* How many argv words `sub` ("source add") matches at argv[0..], or 0. */
static int sub_words(const char *sub, int argc, char **argv)
{
	int n = 0;

	while (*sub) {
		size_t len = strcspn(sub, " ");
		if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], sub, len))
			return 0;
		n++;
		sub += len;
		sub += strspn(sub, " ");
	}
	return n;
}

const struct cmdline_cmd *cmdline_find(const struct cmdline_cmd *table, int argc, char **argv,
				       int *words, const struct cmdline_cmd **family)
{
	const struct cmdline_cmd *best = NULL;
	int best_n = 0;

	*family = NULL;
	*words = 0;
	if (argc < 1)
		return NULL;
	for (const struct cmdline_cmd *c = table; c->name; c++) {
		int n;
		if (strcmp(c->name, argv[0]))
			continue;
		if (!*family)
			*family = c;
		n = c->sub ? sub_words(c->sub, argc - 1, argv + 1) : 0;
		if ((c->sub && !n) || (best && n + 1 <= best_n))
			continue;
		best = c;
		best_n = n + 1;
	}
	*words = best_n;
	return best;
}

/* ---- parsing ---------------------------------------------------------------- */

static int nopts(const struct cmdline_cmd *cmd)
{
	int n = 0;
	while (n < CMDLINE_MAX_OPTS && cmd->opts[n].name)
		n++;
	return n;
}

/* "switchboard key create" */
static void label(const struct cmdline_cmd *cmd, char *out, size_t n)
{
	snprintf(out, n, "switchboard %s%s%s", cmd->name, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
}

static int bad(const struct cmdline_cmd *cmd, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(const struct cmdline_cmd *cmd, char *err, size_t errlen, const char *fmt, ...)
{
	char l[128];
	va_list ap;
	int n;

	label(cmd, l, sizeof(l));
	n = snprintf(err, errlen, "%s: ", l);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return CMDLINE_BAD;
}

/* The index of the option `name` (len bytes): an exact name, else the only
 * one it is a prefix of (getopt_long's rule). -1 unknown, -2 ambiguous,
 * -3 help. */
static int lookup(const struct cmdline_cmd *cmd, const char *name, size_t len)
{
	int n = nopts(cmd), hit = -1, hits = 0;

	if (len == 4 && !strncmp(name, "help", 4))
		return -3;
	for (int i = 0; i < n; i++)
		if (strlen(cmd->opts[i].name) == len && !strncmp(cmd->opts[i].name, name, len))
			return i;
	if (!len)
		return -1;
	for (int i = 0; i < n; i++)
		if (!strncmp(cmd->opts[i].name, name, len)) {
			hit = i;
			hits++;
		}
	if (!strncmp("help", name, len)) {
		hit = -3;
		hits++;
	}
	return hits > 1 ? -2 : hits ? hit : -1;
}

int cmdline_parse(const struct cmdline_cmd *cmd, int argc, char **argv, struct cmdline_args *out,
		  char *err, size_t errlen)
{
	int i, n = nopts(cmd), only_pos = 0;

	memset(out, 0, sizeof(*out));
	out->cmd = cmd;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (only_pos || a[0] != '-' || !a[1]) {
			if (out->npos >= cmd->npos || out->npos >= CMDLINE_MAX_POS)
				return bad(cmd, err, errlen, "unexpected argument '%s'", a);
			out->pos[out->npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (!strcmp(a, "-h"))
			return CMDLINE_HELP;
		if (a[1] != '-')
			return bad(cmd, err, errlen, "unknown option '%s'", a);
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		int k = lookup(cmd, name, len);
		if (k == -3 && !eq)
			return CMDLINE_HELP;
		if (k == -2)
			return bad(cmd, err, errlen, "ambiguous option '--%.*s'", (int)len, name);
		if (k == -1)
			return bad(cmd, err, errlen, "unknown option '--%.*s'", (int)len, name);
		if (k == -3 || !cmd->opts[k].arg) {
			if (eq)
				return bad(cmd, err, errlen, "option '--%s' takes no value",
					   k == -3 ? "help" : cmd->opts[k].name);
			out->val[k] = "";
		} else if (eq) {
			out->val[k] = eq + 1;
		} else if (i + 1 < argc) {
			out->val[k] = argv[++i];
		} else {
			return bad(cmd, err, errlen, "option '--%s' needs a value (%s)", cmd->opts[k].name,
				   cmd->opts[k].arg);
		}
	}
	for (i = 0; i < n; i++)
		if ((cmd->opts[i].flags & CMDLINE_REQUIRED) && !out->val[i])
			return bad(cmd, err, errlen, "missing required option '--%s%s%s'", cmd->opts[i].name,
				   cmd->opts[i].arg ? " " : "", cmd->opts[i].arg ? cmd->opts[i].arg : "");
	if (out->npos < cmd->npos - cmd->npos_optional)
		return bad(cmd, err, errlen, "missing argument %s", cmd->pos ? cmd->pos : "");
	return CMDLINE_OK;
}

static int index_of(const struct cmdline_args *a, const char *name)
{
	int n = nopts(a->cmd);

	for (int i = 0; i < n; i++)
		if (!strcmp(a->cmd->opts[i].name, name))
			return i;
	fprintf(stderr, "switchboard %s: the handler asks for option '--%s', which its row does not "
		"declare\n", a->cmd->name, name);
	abort();
}

const char *cmdline_get(const struct cmdline_args *a, const char *name)
{
	return a->val[index_of(a, name)];
}

const char *cmdline_get_or(const struct cmdline_args *a, const char *name, const char *dflt)
{
	const char *v = cmdline_get(a, name);
	return v ? v : dflt;
}

int cmdline_has(const struct cmdline_args *a, const char *name)
{
	return cmdline_get(a, name) != NULL;
}

/* ---- help ------------------------------------------------------------------- */

/* Print w at *col, wrapping to indent when the line would pass WRAP. */
static void word(FILE *f, int *col, int indent, const char *w)
{
	int len = (int)strlen(w);

	if (*col > indent && *col + 1 + len > WRAP) {
		fprintf(f, "\n%*s", indent, "");
		*col = indent;
	}
	fprintf(f, " %s", w);
	*col += 1 + len;
}

/* Text from column col, its words wrapped to indent before WRAP, and a newline. */
static void words(FILE *f, int col, int indent, const char *text)
{
	char w[256];

	while (*text) {
		size_t len = strcspn(text, " ");
		snprintf(w, sizeof(w), "%.*s", (int)len, text);
		word(f, &col, indent, w);
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

void cmdline_usage_line(FILE *f, const struct cmdline_cmd *cmd)
{
	char l[128], w[128];
	int n = nopts(cmd), col, indent;

	label(cmd, l, sizeof(l));
	col = fprintf(f, "usage: %s", l);
	indent = col < 40 ? col : 8;
	for (int pass = 0; pass < 2; pass++)   /* required options first */
		for (int i = 0; i < n; i++) {
			const struct cmdline_opt *o = &cmd->opts[i];
			if ((o->flags & CMDLINE_REQUIRED) ? pass : !pass)
				continue;
			snprintf(w, sizeof(w), "%s--%s%s%s%s", pass ? "[" : "", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "", pass ? "]" : "");
			word(f, &col, indent, w);
		}
	if (cmd->pos)
		word(f, &col, indent, cmd->pos);
	fputc('\n', f);
}

void cmdline_help(FILE *f, const struct cmdline_cmd *cmd)
{
	int n = nopts(cmd), width = 10;

	cmdline_usage_line(f, cmd);
	fprintf(f, "  %s\n", cmd->summary);
	if (cmd->notes)
		fputs(cmd->notes, f);
	for (int i = 0; i < n; i++) {
		int w = (int)strlen(cmd->opts[i].name) + 2 +
			(cmd->opts[i].arg ? 1 + (int)strlen(cmd->opts[i].arg) : 0);
		if (w > width && w <= 30)
			width = w;
	}
	fputs("options:\n", f);
	for (int i = 0; i < n; i++) {
		const struct cmdline_opt *o = &cmd->opts[i];
		char left[128], text[512];
		int col;
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		snprintf(text, sizeof(text), "%s%s", o->help, o->flags & CMDLINE_REQUIRED ? " (required)" : "");
		col = fprintf(f, "  %-*s ", width, left);
		if (col > width + 3) {
			fprintf(f, "\n%*s", width + 3, "");
			col = width + 3;
		}
		words(f, col, width + 3, text);
	}
	fprintf(f, "  %-*s  %s\n", width, "-h, --help", "this help");
}

void cmdline_help_family(FILE *f, const struct cmdline_cmd *table, const char *name)
{
	int first = 1;

	for (const struct cmdline_cmd *c = table; c->name; c++) {
		if (strcmp(c->name, name))
			continue;
		if (!first)
			fputc('\n', f);
		cmdline_help(f, c);
		first = 0;
	}
}

void cmdline_help_all(FILE *f, const struct cmdline_cmd *table)
{
	fputs("usage: switchboard <command> [options]\n\n", f);
	for (const struct cmdline_cmd *c = table; c->name; c++) {
		char l[128];
		snprintf(l, sizeof(l), "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
		fprintf(f, "  %-22s %s\n", l, c->summary);
	}
	fputs("\nEvery command takes --help; 'switchboard help COMMAND' shows the options of one.\n", f);
}
