/* main.c - runs every unit-test table; prints "N passed, N failed". */
#include <stdlib.h>
#include "test.h"

#ifndef SUITES
#define SUITES(X) \
	X(buf) X(jsonsafe) X(schema) X(store) X(auth) X(session) X(rpc) X(sms) \
	X(phone) X(gate) X(template) X(netguard) X(httpaction) X(tz) X(officehours) X(llm) \
	X(voice) X(dialer) X(audit) X(cmdline) X(tooltable) X(call_status) X(assistant_settings)
#endif
#define DECL(s) extern const struct unit_test s##_tests[];
SUITES(DECL)
#define ROW(s) { #s, s##_tests },
static const struct { const char *name; const struct unit_test *t; } suites[] = { SUITES(ROW) };

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (only && strcmp(only, suites[i].name))
			continue;
		for (const struct unit_test *t = suites[i].t; t->name; t++) {
			int f = 0;
			t->fn(&f);
			printf("%s %s.%s\n", f ? "FAIL" : "ok  ", suites[i].name, t->name);
			f ? failed++ : passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
