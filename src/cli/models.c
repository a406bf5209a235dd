/* models.c - the model catalog from the command line (see models.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "cli/models.h"
#include "cli/cmdline.h"
#include "cli/database.h"
#include "agent/llm.h"
#include "base/secret.h"
#include "store/store.h"

static int open_db(const struct cmdline_args *a)
{
	return database_open(database_path(cmdline_get(a, "db")), DATABASE_EXISTING);
}

int models_cmd_add(const struct cmdline_args *a)
{
	const char *name = cmdline_get(a, "name"), *url = cmdline_get(a, "url");
	const char *key_env = cmdline_get(a, "key-env");
	char *sealed = NULL, err[256], base[1024];
	size_t l;
	int r;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		fprintf(stderr, "switchboard: --url must start with http:// or https://\n");
		return 2;
	}
	if (open_db(a))
		return 1;
	if (key_env) {
		const char *k = getenv(key_env);
		if (!k || !*k) {
			fprintf(stderr, "switchboard: environment variable '%s' is empty\n", key_env);
			return 2;
		}
		sealed = secret_seal(k, err, sizeof(err));
		if (!sealed) {
			fprintf(stderr, "switchboard: cannot seal the key: %s\n", err);
			return 1;
		}
	}
	snprintf(base, sizeof(base), "%s", url);
	while ((l = strlen(base)) && base[l - 1] == '/')
		base[l - 1] = '\0';
	r = store_model_upsert(name, "openai-compatible", base, sealed, cmdline_get(a, "description"));
	free(sealed);
	if (r) {
		fprintf(stderr, "switchboard: cannot save model '%s': store error\n", name);
		return 1;
	}
	printf("saved %s\n", name);
	return 0;
}

int models_cmd_list(const struct cmdline_args *a)
{
	json_t *all, *m;
	size_t i;

	if (open_db(a))
		return 1;
	all = store_models_list();
	json_array_foreach(all, i, m) {
		const char *n = json_string_value(json_object_get(m, "name"));
		struct store_model row;
		store_model_get(n, &row);
		printf("%-32s %-8s %s\n", n, llm_usable(n) ? "usable" : "-",
		       row.base_url[0] ? row.base_url : "(default provider)");
		sodium_memzero(&row, sizeof(row));
	}
	json_decref(all);
	return all ? 0 : 1;
}

int models_cmd_remove(const struct cmdline_args *a)
{
	const char *name = cmdline_get(a, "name");
	int r;

	if (open_db(a))
		return 1;
	r = store_model_delete(name);
	if (r)
		fprintf(stderr, "switchboard: cannot remove model '%s': %s\n", name,
			r == STORE_NOTFOUND ? "no such model" : "store error");
	else
		printf("removed %s\n", name);
	return r ? 1 : 0;
}
