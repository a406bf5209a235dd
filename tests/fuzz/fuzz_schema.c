/*
 * fuzz_schema.c - schema_check, schema_validate and schema_errors_summary on
 * a random schema and document.
 *
 * Input: schema JSON, a NUL byte, document JSON (any JSON value, embedded
 * NULs allowed). Without a NUL the schema is validated against itself.
 * Beyond "no crash, no leak" it checks the API promises of schema.h:
 * schema_check leaves a NUL-terminated message that fits errlen, the
 * verdict with and without collected errors is the same, errors is an
 * object of non-empty arrays of strings with at most 50 messages in all,
 * and the summary line stays bounded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "mcp/schema.h"

#define MAX_MESSAGES 50
#define SUMMARY_BOUND (16384 + 8)

/*
 * Patterns reach glibc regcomp/regexec, which we trust but cannot make
 * fast: regcomp copies the tree under every quantifier, so stacked or
 * nested ones blow up ("a++++...+" with 40 '+' wants gigabytes, as does
 * "(a{99}){99}" nested once more), and back-references (a glibc extension
 * to ERE) make regexec exponential. That cost is glibc's and is reachable
 * only through the schemas of the tool table, which we write (no schema
 * comes from a client). Inputs whose patterns could go there are skipped
 * so the fuzzer spends its time in schema.c: at most 64 bytes, 6
 * quantifiers, counts up to 32, and no "\1".."\9".
 */
static int pattern_tame(const char *p)
{
	size_t quantifiers = 0;

	if (strlen(p) > 64)
		return 0;
	for (const char *s = p; *s; s++) {
		if (*s == '\\' && s[1] >= '1' && s[1] <= '9')
			return 0;
		if (strchr("*+?{", *s) && ++quantifiers > 6)
			return 0;
		if (*s == '{')
			for (const char *d = s + 1; *d && *d != '}'; d++)
				if (*d >= '0' && *d <= '9' && strtol(d, NULL, 10) > 32)
					return 0;
	}
	return 1;
}

static int schema_tame(const json_t *s, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > 64)
		return 0;	/* validation is recursive; jansson allows 2048 */
	if (json_is_object(s)) {
		json_object_foreach((json_t *)s, k, v) {
			if (!strcmp(k, "pattern") && json_is_string(v) &&
			    !pattern_tame(json_string_value(v)))
				return 0;
			if (!schema_tame(v, depth + 1))
				return 0;
		}
	} else if (json_is_array(s)) {
		json_array_foreach(s, i, v)
			if (!schema_tame(v, depth + 1))
				return 0;
	}
	return 1;
}

static void check_errors(const json_t *errors)
{
	const char *field;
	json_t *msgs, *m;
	size_t i, total = 0;

	if (!json_is_object(errors) || json_object_size(errors) == 0)
		abort();	/* a failed verdict comes with at least one message */
	json_object_foreach((json_t *)errors, field, msgs) {
		if (!json_is_array(msgs) || !json_array_size(msgs))
			abort();
		json_array_foreach(msgs, i, m)
			if (!json_is_string(m) || !json_string_length(m))
				abort();
		total += json_array_size(msgs);
	}
	if (total > MAX_MESSAGES)
		abort();
}

/* The format checkers on a string document: no crash on any bytes. */
static void formats(const json_t *doc)
{
	const char *s = json_string_value(doc);
	if (!s)
		return;
	schema_is_e164(s);
	schema_is_date(s);
	schema_is_datetime(s);
	schema_is_uri(s);
	schema_is_email(s);
	schema_is_uuid(s);
	schema_is_time_hm(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t slen = nul ? (size_t)(nul - data) : size;
	json_t *schema, *doc = NULL, *errors = NULL;
	char err[256], *small = NULL, *sum = NULL;
	size_t smalllen;
	int rc, verdict;

	schema = json_loadb((const char *)data, slen, JSON_DECODE_ANY, NULL);
	if (!schema)
		return 0;
	if (!schema_tame(schema, 0))
		goto out;
	doc = nul ? json_loadb((const char *)nul + 1, size - slen - 1,
			       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL)
		  : json_incref(schema);
	if (!doc)
		goto out;
	formats(doc);

	/* the message must fit any errlen, and errlen 0 / NULL must be safe */
	rc = schema_check(schema, err, sizeof(err));
	if (!memchr(err, 0, sizeof(err)) || (rc && !err[0]) || (!rc && err[0]))
		abort();
	smalllen = 1 + (size % 13);
	small = malloc(smalllen);
	if (schema_check(schema, small, smalllen) != rc ||
	    !memchr(small, 0, smalllen) || schema_check(schema, NULL, 0) != rc)
		abort();
	if (rc)
		goto out;

	verdict = schema_validate(schema, doc, &errors);
	if (verdict != schema_validate(schema, doc, NULL))
		abort();	/* the fast path (no messages) must agree */
	if (verdict == 0) {
		if (errors)
			abort();
	} else {
		check_errors(errors);
		sum = schema_errors_summary(errors);
		if (!sum || strlen(sum) > SUMMARY_BOUND || !sum[0])
			abort();
	}
out:
	free(sum);
	free(small);
	json_decref(errors);
	json_decref(doc);
	json_decref(schema);
	return 0;
}
