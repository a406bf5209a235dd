/* trunk.c - SIP trunk settings: parse, resolve, build (see trunk.h). */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <sodium.h>
#include "base/secret.h"
#include "sip/trunk.h"
#include "base/util.h"

/* "host", "host:port", "[v6]:port" into host and port (default 5060). */
static int split_hostport(const char *s, char *host, size_t hn, uint16_t *port)
{
	const char *colon, *end;
	int64_t p = 5060;

	if (!s || !*s)
		return -1;
	if (*s == '[') {
		end = strchr(s, ']');
		if (!end)
			return -1;
		if ((size_t)(end - s - 1) >= hn)
			return -1;
		snprintf(host, hn, "%.*s", (int)(end - s - 1), s + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -1;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL;	/* bare IPv6 without brackets: no port */
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		if (n == 0 || n >= hn)
			return -1;
		snprintf(host, hn, "%.*s", (int)n, s);
	}
	if (colon && (util_parse_i64(colon + 1, &p) || p < 1 || p > 65535))
		return -1;
	*port = (uint16_t)p;
	for (const char *c = host; *c; c++)
		if (!(*c == '.' || *c == '-' || *c == ':' || *c == '_' ||
		      (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return -1;
	return 0;
}

static int copy_str(char *dst, size_t n, const json_t *v)
{
	const char *s = json_string_value(v);
	if (!v || json_is_null(v)) {
		dst[0] = '\0';
		return 0;
	}
	if (!s || strlen(s) >= n)
		return -1;
	snprintf(dst, n, "%s", s);
	return 0;
}

void sip_trunk_wipe(struct sip_trunk *t)
{
	sodium_memzero(t->password, sizeof(t->password));
}

int sip_trunk_parse(const char *text, struct sip_trunk *t, char *err, size_t errlen)
{
	json_t *j = NULL;
	const char *proxy, *transport, *pw;
	char regist[256];
	uint16_t rport;
	int r = -1;

	memset(t, 0, sizeof(*t));
	if (!text || !*text || !strcmp(text, "{}")) {
		snprintf(err, errlen, "no SIP trunk configured");
		return -1;
	}
	j = json_loads(text, 0, NULL);
	if (!json_is_object(j)) {
		snprintf(err, errlen, "the trunk settings are not a JSON object");
		goto out;
	}
	proxy = json_string_value(json_object_get(j, "proxy"));
	if (!proxy)
		proxy = json_string_value(json_object_get(j, "registrar"));
	if (!proxy || split_hostport(proxy, t->host, sizeof t->host, &t->port)) {
		snprintf(err, errlen, "the trunk has no usable proxy or registrar (host:port)");
		goto out;
	}
	if (json_string_value(json_object_get(j, "registrar"))) {
		if (split_hostport(json_string_value(json_object_get(j, "registrar")), regist,
				   sizeof regist, &rport)) {
			snprintf(err, errlen, "the trunk's registrar is not host:port");
			goto out;
		}
		snprintf(t->registrar, sizeof t->registrar, "%s%s%s:%u", strchr(regist, ':') ? "[" : "",
			 regist, strchr(regist, ':') ? "]" : "", rport);
	}
	t->expires = 3600;
	if (json_object_get(j, "expires")) {
		json_t *e = json_object_get(j, "expires");
		if (!json_is_integer(e) || json_integer_value(e) < 60 ||
		    json_integer_value(e) > 86400) {
			snprintf(err, errlen, "the trunk's expires is not 60..86400 seconds");
			goto out;
		}
		t->expires = (uint32_t)json_integer_value(e);
	}
	transport = json_string_value(json_object_get(j, "transport"));
	if (transport && strcmp(transport, "udp") && strcmp(transport, "tcp")) {
		snprintf(err, errlen, "the trunk's transport '%s' is not udp or tcp", transport);
		goto out;
	}
	t->tcp = transport && !strcmp(transport, "tcp");
	if (copy_str(t->username, sizeof t->username, json_object_get(j, "username")) ||
	    copy_str(t->caller_id, sizeof t->caller_id, json_object_get(j, "caller_id")) ||
	    copy_str(t->domain, sizeof t->domain, json_object_get(j, "domain"))) {
		snprintf(err, errlen, "a trunk setting is not a string or too long");
		goto out;
	}
	pw = json_string_value(json_object_get(j, "password"));
	if (pw && *pw) {
		char *plain = NULL;
		if (secret_is_sealed(pw)) {
			plain = secret_open(pw, err, errlen);
			if (!plain)
				goto out;
		}
		const char *use = plain ? plain : pw;
		if (strlen(use) >= sizeof t->password) {
			snprintf(err, errlen, "the trunk password is too long");
			if (plain) {
				sodium_memzero(plain, strlen(plain));
				free(plain);
			}
			goto out;
		}
		snprintf(t->password, sizeof t->password, "%s", use);
		if (plain) {
			sodium_memzero(plain, strlen(plain));
			free(plain);
		}
	}
	if (!t->domain[0])
		snprintf(t->domain, sizeof t->domain, "%s", t->host);
	r = 0;
out:
	json_decref(j);
	if (r)
		sip_trunk_wipe(t);
	return r;
}

int sip_trunk_resolve(struct sip_trunk *t, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	int rc;

	hints.ai_socktype = t->tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_family = AF_UNSPEC;
	rc = getaddrinfo(t->host, NULL, &hints, &res);
	if (rc || !res) {
		snprintf(err, errlen, "cannot resolve the SIP trunk host '%s': %s", t->host,
			 gai_strerror(rc));
		return -1;
	}
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, t->addr,
			  sizeof t->addr);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, t->addr,
			  sizeof t->addr);
	freeaddrinfo(res);
	return 0;
}

int sip_trunk_registrar_addr(const struct sip_trunk *t, char *out, size_t n, char *err,
			     size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	char host[256], addr[64];
	uint16_t port;
	int rc;

	if (!t->registrar[0] || split_hostport(t->registrar, host, sizeof host, &port)) {
		snprintf(err, errlen, "the trunk has no registrar");
		return -1;
	}
	hints.ai_socktype = t->tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_family = AF_UNSPEC;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc || !res) {
		snprintf(err, errlen, "cannot resolve the registrar '%s': %s", host,
			 gai_strerror(rc));
		return -1;
	}
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, addr,
			  sizeof addr);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, addr,
			  sizeof addr);
	rc = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	if ((size_t)snprintf(out, n, "%s%s%s:%u", rc ? "[" : "", addr, rc ? "]" : "", port) >= n) {
		snprintf(err, errlen, "the registrar address is too long");
		return -1;
	}
	return 0;
}

char *sip_trunk_build(const char *proxy, const char *registrar, const char *transport,
		      const char *username, const char *password, const char *caller_id,
		      const char *domain, char *err, size_t errlen)
{
	char host[256];
	uint16_t port;
	json_t *j = json_object();
	char *sealed = NULL, *out = NULL;

	if (!proxy && !registrar) {
		snprintf(err, errlen, "a trunk needs --trunk-proxy or --trunk-registrar");
		goto done;
	}
	if ((proxy && split_hostport(proxy, host, sizeof host, &port)) ||
	    (registrar && split_hostport(registrar, host, sizeof host, &port))) {
		snprintf(err, errlen, "'%s' is not host[:port]", proxy && split_hostport(proxy,
			 host, sizeof host, &port) ? proxy : registrar);
		goto done;
	}
	if (transport && strcmp(transport, "udp") && strcmp(transport, "tcp")) {
		snprintf(err, errlen, "transport '%s' is not udp or tcp", transport);
		goto done;
	}
	if (password && !username) {
		snprintf(err, errlen, "a trunk password needs a username");
		goto done;
	}
	if ((username && strlen(username) >= 128) || (password && strlen(password) >= 128) ||
	    (caller_id && strlen(caller_id) >= 64) || (domain && strlen(domain) >= 256)) {
		snprintf(err, errlen, "a trunk setting is too long");
		goto done;
	}
	if (password && !(sealed = secret_seal(password, err, errlen)))
		goto done;
	if (proxy)
		json_object_set_new(j, "proxy", json_string(proxy));
	if (registrar)
		json_object_set_new(j, "registrar", json_string(registrar));
	json_object_set_new(j, "transport", json_string(transport ? transport : "udp"));
	if (username)
		json_object_set_new(j, "username", json_string(username));
	if (sealed)
		json_object_set_new(j, "password", json_string(sealed));
	if (caller_id)
		json_object_set_new(j, "caller_id", json_string(caller_id));
	if (domain)
		json_object_set_new(j, "domain", json_string(domain));
	out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	if (!out)
		snprintf(err, errlen, "out of memory");
done:
	free(sealed);
	json_decref(j);
	return out;
}
