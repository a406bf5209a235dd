/* test_netguard.c - the SSRF guard: address classes, embedded IPv4, allow-list. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include "test.h"
#include "outbound/netguard.h"

/* a sockaddr for a textual address (v4 or v6) */
static const struct sockaddr *SA(const char *ip)
{
	static struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
	} else {
		ss.ss_family = AF_UNIX;   /* neither: the guard must refuse it */
	}
	return (const struct sockaddr *)&ss;
}

#define CLS(ip) netguard_classify(SA(ip))

TEST(netguard_ipv4_classes)
{
	CHECK(CLS("8.8.8.8") == NG_PUBLIC);
	CHECK(CLS("1.1.1.1") == NG_PUBLIC);
	CHECK(CLS("127.0.0.1") == NG_LOOPBACK);
	CHECK(CLS("127.255.255.254") == NG_LOOPBACK);
	CHECK(CLS("10.0.0.1") == NG_PRIVATE);
	CHECK(CLS("172.16.0.1") == NG_PRIVATE);
	CHECK(CLS("172.31.255.255") == NG_PRIVATE);
	CHECK(CLS("172.32.0.1") == NG_PUBLIC);
	CHECK(CLS("172.15.255.255") == NG_PUBLIC);
	CHECK(CLS("192.168.1.1") == NG_PRIVATE);
	CHECK(CLS("169.254.1.1") == NG_LINKLOCAL);
	CHECK(CLS("169.254.169.254") == NG_METADATA);
	CHECK(CLS("100.100.100.200") == NG_METADATA);
	CHECK(CLS("100.64.0.1") == NG_CGNAT);
	CHECK(CLS("100.127.255.255") == NG_CGNAT);
	CHECK(CLS("100.128.0.1") == NG_PUBLIC);
	CHECK(CLS("0.0.0.0") == NG_UNSPECIFIED);
	CHECK(CLS("0.1.2.3") == NG_UNSPECIFIED);
	CHECK(CLS("224.0.0.1") == NG_MULTICAST);
	CHECK(CLS("239.255.255.250") == NG_MULTICAST);
	CHECK(CLS("255.255.255.255") == NG_RESERVED);
	CHECK(CLS("240.0.0.1") == NG_RESERVED);
	CHECK(CLS("192.0.2.1") == NG_RESERVED);
	CHECK(CLS("198.18.0.1") == NG_RESERVED);
	CHECK(CLS("192.0.0.192") == NG_RESERVED);
}

TEST(netguard_ipv6_classes)
{
	CHECK(CLS("2606:4700:4700::1111") == NG_PUBLIC);
	CHECK(CLS("::1") == NG_LOOPBACK);
	CHECK(CLS("::") == NG_UNSPECIFIED);
	CHECK(CLS("fc00::1") == NG_PRIVATE);
	CHECK(CLS("fd12:3456::1") == NG_PRIVATE);
	CHECK(CLS("fec0::1") == NG_PRIVATE);
	CHECK(CLS("fe80::1") == NG_LINKLOCAL);
	CHECK(CLS("febf::1") == NG_LINKLOCAL);
	CHECK(CLS("fd00:ec2::254") == NG_METADATA);
	CHECK(CLS("ff02::1") == NG_MULTICAST);
	CHECK(CLS("2001:db8::1") == NG_RESERVED);
	CHECK(CLS("2001::1") == NG_RESERVED);          /* Teredo */
	CHECK(CLS("100::1") == NG_RESERVED);
	CHECK(CLS("::7f00:1") == NG_RESERVED);         /* deprecated v4-compatible */
	CHECK(CLS("4000::1") == NG_RESERVED);          /* outside 2000::/3 */
	CHECK(CLS("64:ff9b:1::a00:1") == NG_PRIVATE);  /* local-use NAT64 */
}

TEST(netguard_embedded_ipv4)
{
	CHECK(CLS("::ffff:127.0.0.1") == NG_LOOPBACK);
	CHECK(CLS("::ffff:10.1.2.3") == NG_PRIVATE);
	CHECK(CLS("::ffff:169.254.169.254") == NG_METADATA);
	CHECK(CLS("::ffff:8.8.8.8") == NG_PUBLIC);
	CHECK(CLS("64:ff9b::127.0.0.1") == NG_LOOPBACK);
	CHECK(CLS("64:ff9b::a9fe:a9fe") == NG_METADATA);
	CHECK(CLS("64:ff9b::8.8.8.8") == NG_PUBLIC);
	CHECK(CLS("2002:c0a8:0101::1") == NG_PRIVATE);   /* 6to4 of 192.168.1.1 */
	CHECK(CLS("2002:0808:0808::1") == NG_PUBLIC);
}

TEST(netguard_no_allow_list)
{
	struct netguard g;
	netguard_init(&g);
	CHECK(netguard_allowed(SA("8.8.8.8"), &g) == 1);
	CHECK(netguard_allowed(SA("2606:4700:4700::1111"), &g) == 1);
	CHECK(netguard_allowed(SA("127.0.0.1"), &g) == 0);
	CHECK(netguard_allowed(SA("::1"), &g) == 0);
	CHECK(netguard_allowed(SA("::ffff:127.0.0.1"), &g) == 0);
	CHECK(netguard_allowed(SA("10.0.0.1"), NULL) == 0);
	CHECK(netguard_allowed(SA("8.8.8.8"), NULL) == 1);
	CHECK(netguard_allowed(SA("junk"), NULL) == 0);   /* AF_UNIX */
	CHECK(netguard_allowed(NULL, NULL) == 0);
}

TEST(netguard_allow_list)
{
	struct netguard g;
	char err[128];
	REQUIRE(netguard_parse(&g, " 127.0.0.1/32, 10.0.0.0/8 fd12::/16,192.168.5.7", err,
			       sizeof(err)) == 0);
	CHECK(g.n == 4);
	CHECK(netguard_allowed(SA("127.0.0.1"), &g) == 1);
	CHECK(netguard_allowed(SA("127.0.0.2"), &g) == 0);
	CHECK(netguard_allowed(SA("::ffff:127.0.0.1"), &g) == 1);  /* mapped form */
	CHECK(netguard_allowed(SA("64:ff9b::10.9.8.7"), &g) == 1); /* NAT64 form */
	CHECK(netguard_allowed(SA("::1"), &g) == 0);
	CHECK(netguard_allowed(SA("10.200.3.4"), &g) == 1);
	CHECK(netguard_allowed(SA("11.0.0.1"), &g) == 1);          /* public anyway */
	CHECK(netguard_allowed(SA("172.16.0.1"), &g) == 0);
	CHECK(netguard_allowed(SA("fd12:1::1"), &g) == 1);
	CHECK(netguard_allowed(SA("fd13::1"), &g) == 0);
	CHECK(netguard_allowed(SA("192.168.5.7"), &g) == 1);
	CHECK(netguard_allowed(SA("192.168.5.8"), &g) == 0);

	/* host bits in an entry are ignored */
	REQUIRE(netguard_parse(&g, "10.1.2.3/16", err, sizeof(err)) == 0);
	CHECK(netguard_allowed(SA("10.1.200.1"), &g) == 1);
	CHECK(netguard_allowed(SA("10.2.0.1"), &g) == 0);
}

TEST(netguard_metadata_needs_exact_entry)
{
	struct netguard g;
	char err[128];
	REQUIRE(netguard_parse(&g, "0.0.0.0/0,169.254.0.0/16,::/0,100.64.0.0/10", err,
			       sizeof(err)) == 0);
	CHECK(netguard_allowed(SA("10.0.0.1"), &g) == 1);
	CHECK(netguard_allowed(SA("169.254.1.1"), &g) == 1);
	CHECK(netguard_allowed(SA("169.254.169.254"), &g) == 0);
	CHECK(netguard_allowed(SA("100.100.100.200"), &g) == 0);
	CHECK(netguard_allowed(SA("fd00:ec2::254"), &g) == 0);
	CHECK(netguard_allowed(SA("::ffff:169.254.169.254"), &g) == 0);
	REQUIRE(netguard_parse(&g, "169.254.169.254/32", err, sizeof(err)) == 0);
	CHECK(netguard_allowed(SA("169.254.169.254"), &g) == 1);
	CHECK(netguard_allowed(SA("::ffff:169.254.169.254"), &g) == 1);
}

TEST(netguard_parse_errors)
{
	struct netguard g;
	char err[128];
	CHECK(netguard_parse(&g, "", err, sizeof(err)) == 0 && g.n == 0);
	CHECK(netguard_parse(&g, NULL, err, sizeof(err)) == 0 && g.n == 0);
	CHECK(netguard_parse(&g, " , ,", err, sizeof(err)) == 0 && g.n == 0);
	CHECK(netguard_parse(&g, "10.0.0.0/33", err, sizeof(err)) == -1);
	CHECK_STR(err, "invalid allow-list entry '10.0.0.0/33'");
	CHECK(g.n == 0);
	CHECK(netguard_parse(&g, "10.0.0.0/", err, sizeof(err)) == -1);
	CHECK(netguard_parse(&g, "10.0.0.0/-1", err, sizeof(err)) == -1);
	CHECK(netguard_parse(&g, "localhost", err, sizeof(err)) == -1);
	CHECK_STR(err, "invalid allow-list entry 'localhost'");
	CHECK(netguard_parse(&g, "::1/129", err, sizeof(err)) == -1);
	CHECK(netguard_parse(&g, "10.0.0.0/8x", err, sizeof(err)) == -1);

	struct buf_ { char s[40 * 16]; } many;
	size_t off = 0;
	for (int i = 0; i < NETGUARD_MAX + 1; i++)
		off += (size_t)snprintf(many.s + off, sizeof(many.s) - off, "10.0.0.%d,", i);
	CHECK(netguard_parse(&g, many.s, err, sizeof(err)) == -1);
	CHECK_STR(err, "too many allow-list entries (at most 32)");

	setenv(NETGUARD_ENV, "127.0.0.1/32", 1);
	CHECK(netguard_init_env(&g, err, sizeof(err)) == 0 && g.n == 1);
	setenv(NETGUARD_ENV, "nope", 1);
	CHECK(netguard_init_env(&g, err, sizeof(err)) == -1);
	CHECK_STR(err, "invalid allow-list entry 'nope' in SWITCHBOARD_HTTP_ALLOW");
	unsetenv(NETGUARD_ENV);
	CHECK(netguard_init_env(&g, err, sizeof(err)) == 0 && g.n == 0);
	CHECK_STR(netguard_class_name(NG_METADATA), "metadata");
}

const struct unit_test netguard_tests[] = {
	T(netguard_ipv4_classes), T(netguard_ipv6_classes), T(netguard_embedded_ipv4),
	T(netguard_no_allow_list), T(netguard_allow_list),
	T(netguard_metadata_needs_exact_entry), T(netguard_parse_errors), { 0 }
};
