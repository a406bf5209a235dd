/* netguard.c - SSRF guard: address classes and the allow-list (see netguard.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "outbound/netguard.h"

static const char *const class_names[] = {
#define NG_NAME(e, s) s,
	NETGUARD_CLASS_MAP(NG_NAME)
#undef NG_NAME
};

const char *netguard_class_name(enum netguard_class c)
{
	if ((size_t)c >= sizeof(class_names) / sizeof(class_names[0]))
		return "unknown";
	return class_names[c];
}

/* ------------------------------------------------------------------ */
/* Classification                                                      */

static int in4(uint32_t a, uint32_t net, unsigned prefix)
{
	uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
	return (a & mask) == (net & mask);
}

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
			 ((uint32_t)(c) << 8) | (uint32_t)(d))

static enum netguard_class classify4(uint32_t a)
{
	if (a == IP4(169, 254, 169, 254) || a == IP4(100, 100, 100, 200))
		return NG_METADATA;
	if (in4(a, IP4(0, 0, 0, 0), 8))
		return NG_UNSPECIFIED;
	if (in4(a, IP4(127, 0, 0, 0), 8))
		return NG_LOOPBACK;
	if (in4(a, IP4(10, 0, 0, 0), 8) || in4(a, IP4(172, 16, 0, 0), 12) ||
	    in4(a, IP4(192, 168, 0, 0), 16))
		return NG_PRIVATE;
	if (in4(a, IP4(169, 254, 0, 0), 16))
		return NG_LINKLOCAL;
	if (in4(a, IP4(100, 64, 0, 0), 10))
		return NG_CGNAT;
	if (in4(a, IP4(224, 0, 0, 0), 4))
		return NG_MULTICAST;
	if (in4(a, IP4(192, 0, 0, 0), 24) ||     /* IETF protocol assignments */
	    in4(a, IP4(192, 0, 2, 0), 24) ||     /* documentation */
	    in4(a, IP4(198, 51, 100, 0), 24) ||
	    in4(a, IP4(203, 0, 113, 0), 24) ||
	    in4(a, IP4(198, 18, 0, 0), 15) ||    /* benchmarking */
	    in4(a, IP4(192, 88, 99, 0), 24) ||   /* 6to4 relay anycast */
	    in4(a, IP4(240, 0, 0, 0), 4))        /* reserved, broadcast */
		return NG_RESERVED;
	return NG_PUBLIC;
}

static uint32_t get4(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static int in6(const unsigned char *a, const unsigned char *net, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	if (memcmp(a, net, full))
		return 0;
	if (!rest)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (net[full] & mask);
}

/* The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4): 1 and *v4,
 * or 0 when it carries none. */
static int embedded4(const unsigned char *a, uint32_t *v4)
{
	static const unsigned char mapped[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };
	static const unsigned char nat64[12] = { 0,0x64,0xff,0x9b, 0,0,0,0, 0,0,0,0 };
	if (!memcmp(a, mapped, 12) || !memcmp(a, nat64, 12)) {
		*v4 = get4(a + 12);
		return 1;
	}
	if (a[0] == 0x20 && a[1] == 0x02) {
		*v4 = get4(a + 2);
		return 1;
	}
	return 0;
}

static enum netguard_class classify6(const unsigned char *a)
{
	static const unsigned char zero[16] = { 0 };
	static const unsigned char ec2[16] = { 0xfd,0,0x0e,0xc2, 0,0,0,0, 0,0,0,0, 0,0,0x02,0x54 };
	static const unsigned char nat64local[16] = { 0,0x64,0xff,0x9b,0,1 };
	static const unsigned char discard[16] = { 0x01,0 };
	static const unsigned char ietf[16] = { 0x20,0x01 };
	static const unsigned char doc[16] = { 0x20,0x01,0x0d,0xb8 };
	uint32_t v4;

	if (!memcmp(a, zero, 16))
		return NG_UNSPECIFIED;
	if (!memcmp(a, zero, 15) && a[15] == 1)
		return NG_LOOPBACK;
	if (embedded4(a, &v4))
		return classify4(v4);
	if (!memcmp(a, ec2, 16))
		return NG_METADATA;
	if (a[0] == 0xff)
		return NG_MULTICAST;
	if ((a[0] & 0xfe) == 0xfc)
		return NG_PRIVATE;                    /* fc00::/7 unique local */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return NG_LINKLOCAL;                  /* fe80::/10 */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return NG_PRIVATE;                    /* fec0::/10 site-local */
	if (in6(a, nat64local, 48))
		return NG_PRIVATE;                    /* 64:ff9b:1::/48 local NAT64 */
	if (in6(a, discard, 64) || in6(a, ietf, 23) || in6(a, doc, 32))
		return NG_RESERVED;
	if ((a[0] & 0xe0) != 0x20)
		return NG_RESERVED;                   /* outside 2000::/3 */
	return NG_PUBLIC;
}

enum netguard_class netguard_classify(const struct sockaddr *sa)
{
	if (!sa)
		return NG_UNKNOWN;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		return classify4(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return classify6(s6->sin6_addr.s6_addr);
	}
	return NG_UNKNOWN;
}

/* ------------------------------------------------------------------ */
/* Allow-list                                                          */

void netguard_init(struct netguard *g)
{
	memset(g, 0, sizeof(*g));
}

static int parse_entry(const char *s, size_t len, struct netguard_cidr *c)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned max;
	long prefix = -1;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	slash = strchr(tmp, '/');
	if (slash) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -1;
		prefix = strtol(slash, &end, 10);
		if (*end || prefix > 128)
			return -1;
	}
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, tmp, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, tmp, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	if (prefix > (long)max)
		return -1;
	c->prefix = prefix < 0 ? max : (unsigned)prefix;
	/* clear host bits so matching is a plain prefix compare */
	for (unsigned bit = c->prefix; bit < max; bit++)
		c->addr[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
	return 0;
}

int netguard_parse(struct netguard *g, const char *list, char *err, size_t errlen)
{
	const char *p = list ? list : "";

	netguard_init(g);
	while (*p) {
		size_t len;
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, ", \t");
		if (!len)
			break;
		if (g->n == NETGUARD_MAX) {
			snprintf(err, errlen, "too many allow-list entries (at most %d)",
				 NETGUARD_MAX);
			netguard_init(g);
			return -1;
		}
		if (parse_entry(p, len, &g->allow[g->n])) {
			snprintf(err, errlen, "invalid allow-list entry '%.*s'",
				 (int)(len > 64 ? 64 : len), p);
			netguard_init(g);
			return -1;
		}
		g->n++;
		p += len;
	}
	return 0;
}

int netguard_init_env(struct netguard *g, char *err, size_t errlen)
{
	const char *v = getenv(NETGUARD_ENV);
	if (netguard_parse(g, v, err, errlen)) {
		size_t l = strlen(err);
		snprintf(err + l, errlen > l ? errlen - l : 0, " in %s", NETGUARD_ENV);
		return -1;
	}
	return 0;
}

/* Is (family, addr) covered by an entry? exact: only full-length entries. */
static int listed(const struct netguard *g, int family, const unsigned char *addr,
		  int exact)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct netguard_cidr *c = &g->allow[i];
		unsigned max = family == AF_INET ? 32 : 128;
		if (c->family != family || (exact && c->prefix != max))
			continue;
		if (in6(addr, c->addr, c->prefix))
			return 1;
	}
	return 0;
}

int netguard_allowed(const struct sockaddr *sa, const struct netguard *g)
{
	enum netguard_class cls = netguard_classify(sa);
	unsigned char a4[4], a6[16];
	int has4 = 0, has6 = 0;
	uint32_t v4;

	if (cls == NG_PUBLIC)
		return 1;
	if (cls == NG_UNKNOWN || !g || !g->n)
		return 0;
	if (sa->sa_family == AF_INET) {
		memcpy(a4, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		has4 = 1;
	} else {
		memcpy(a6, ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr, 16);
		has6 = 1;
		if (embedded4(a6, &v4)) {
			uint32_t n = htonl(v4);
			memcpy(a4, &n, 4);
			has4 = 1;
		}
	}
	int exact = cls == NG_METADATA;
	return (has4 && listed(g, AF_INET, a4, exact)) ||
	       (has6 && listed(g, AF_INET6, a6, exact));
}
