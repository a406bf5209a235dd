/*
 * executor_bench.c - the HTTP action executor's added latency: N requests
 * to the same local server, each on a new libcurl handle, made (a) directly
 * with libcurl and (b) through httpaction_run (validation, templating,
 * netguard, result shaping). Prints medians and p99s as JSON.
 *   build/bench/executor URL N
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include "outbound/httpaction.h"
#include "outbound/netguard.h"
#include "base/util.h"

static size_t sink(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	*(size_t *)u += s * n;
	return s * n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[(int)(p * (n - 1))];
}

int main(int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : NULL;
	int64_t n64 = 0;
	int n;
	double *direct, *exec;
	struct netguard g;
	struct ha_action act;
	struct ha_options opts;
	char err[256];

	if (!url || argc < 3 || util_parse_i64(argv[2], &n64) || n64 < 10 || n64 > 1000000) {
		fputs("usage: executor URL N\n", stderr);
		return 2;
	}
	n = (int)n64;
	util_init();
	httpaction_global_init();
	direct = calloc((size_t)n, sizeof(double));
	exec = calloc((size_t)n, sizeof(double));
	netguard_init(&g);
	if (netguard_parse(&g, "127.0.0.1/32", err, sizeof(err)))
		return 1;
	json_t *def = json_pack("{s:s, s:s, s:i, s:[]}", "url", url, "method", "GET",
				"timeout", 5, "params");
	if (ha_action_from_json(def, &act, err, sizeof(err))) {
		fprintf(stderr, "action: %s\n", err);
		return 1;
	}
	ha_options_init(&opts);
	opts.guard = &g;
	for (int round = 0; round < 2; round++) {	/* round 0 warms up */
		for (int i = 0; i < n; i++) {
			/* interleaved so both see the same server and machine state */
			size_t got = 0;
			double t0 = util_mono();
			CURL *c = curl_easy_init();
			curl_easy_setopt(c, CURLOPT_URL, url);
			curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
			curl_easy_setopt(c, CURLOPT_WRITEDATA, &got);
			curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
			curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
			if (curl_easy_perform(c) != CURLE_OK || !got)
				return 1;
			curl_easy_cleanup(c);
			direct[i] = (util_mono() - t0) * 1e3;

			struct ha_result r;
			t0 = util_mono();
			if (httpaction_run(&act, NULL, NULL, &opts, &r)) {
				fprintf(stderr, "executor: %s\n", r.message);
				return 1;
			}
			ha_result_release(&r);
			exec[i] = (util_mono() - t0) * 1e3;
		}
	}
	double d50 = pct(direct, n, 0.5), d99 = pct(direct, n, 0.99);
	double e50 = pct(exec, n, 0.5), e99 = pct(exec, n, 0.99);
	printf("{\"requests\":%d,\"direct_p50_ms\":%.3f,\"direct_p99_ms\":%.3f,"
	       "\"executor_p50_ms\":%.3f,\"executor_p99_ms\":%.3f,\"added_p50_ms\":%.3f}\n",
	       n, d50, d99, e50, e99, e50 - d50);
	ha_action_release(&act);
	json_decref(def);
	free(direct);
	free(exec);
	return 0;
}
