/*
 * netguard.h - which network addresses an outbound action may connect to.
 *
 * The SSRF guard for mid-call HTTP actions. It judges the address a socket is
 * about to connect to (after DNS resolution, so a hostname that resolves to
 * 10.0.0.5 or 127.0.0.1 is caught, and DNS rebinding gains nothing), never a
 * hostname. Every address that is not public unicast is refused: loopback,
 * private (RFC 1918, fc00::/7, deprecated site-local fec0::/10), link-local,
 * cloud metadata endpoints, CGNAT 100.64/10, "this network" 0/8 and ::,
 * multicast, and reserved/documentation/benchmark ranges (and IPv6 outside
 * 2000::/3). An IPv4 address carried inside IPv6 (::ffff:a.b.c.d mapped,
 * 64:ff9b::/96 NAT64, 2002::/16 6to4) is judged as that IPv4 address.
 *
 * An operator allow-list of CIDR blocks, e.g. SWITCHBOARD_HTTP_ALLOW=
 * "127.0.0.1/32,10.0.0.0/8,fd12::/16", re-admits addresses it covers (the
 * address itself or its embedded IPv4). Metadata addresses (169.254.169.254,
 * fd00:ec2::254, 100.100.100.200) are the exception: only an entry naming
 * that exact host (/32 or /128) admits them, never a broader block.
 *
 * A struct netguard is plain data with no pointers: initialise it once, then
 * share it read-only between threads; there is nothing to release.
 */
#ifndef NETGUARD_H
#define NETGUARD_H

#include <stddef.h>
#include <sys/socket.h>

#define NETGUARD_MAX 32  /* allow-list entries */
#define NETGUARD_ENV "SWITCHBOARD_HTTP_ALLOW"

/* Address classes, most specific first; NG_PUBLIC is the only one allowed
 * without an allow-list entry. */
#define NETGUARD_CLASS_MAP(X) \
	X(PUBLIC, "public") \
	X(LOOPBACK, "loopback") \
	X(PRIVATE, "private") \
	X(LINKLOCAL, "link-local") \
	X(METADATA, "metadata") \
	X(CGNAT, "shared (cgnat)") \
	X(UNSPECIFIED, "unspecified") \
	X(MULTICAST, "multicast") \
	X(RESERVED, "reserved") \
	X(UNKNOWN, "unknown family")

enum netguard_class {
#define NG_ENUM(e, s) NG_##e,
	NETGUARD_CLASS_MAP(NG_ENUM)
#undef NG_ENUM
};

struct netguard_cidr {
	int family;               /* AF_INET or AF_INET6 */
	unsigned char addr[16];   /* network order, host bits cleared */
	unsigned prefix;          /* 0-32 or 0-128 */
};

struct netguard {
	size_t n;
	struct netguard_cidr allow[NETGUARD_MAX];
};

/* Setup: an empty guard (public addresses only), or one with an allow-list
 * (comma- or space-separated CIDRs; a bare address is a single host). */
void netguard_init(struct netguard *g);
int netguard_parse(struct netguard *g, const char *list, char *err, size_t errlen);
/* the allow-list from SWITCHBOARD_HTTP_ALLOW (unset or empty: none) */
int netguard_init_env(struct netguard *g, char *err, size_t errlen);

/* Judging */
enum netguard_class netguard_classify(const struct sockaddr *sa);
const char *netguard_class_name(enum netguard_class c);
/* 1 when a connection to sa is allowed, 0 when refused; g may be NULL */
int netguard_allowed(const struct sockaddr *sa, const struct netguard *g);

#endif
