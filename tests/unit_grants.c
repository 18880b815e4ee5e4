/* SPDX-License-Identifier: ISC */
/* Unit tests of net grants: what parses, what a pattern covers, and which
 * addresses count as global (no name may lead a tool to the others). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "mcp-hotd.h"
#include "unit.h"

struct supervisor sv;

static int
parses(const char *s)
{
	struct net_grant	g;

	return grants_net_parse(s, &g) == 0;
}

static int
covers(const char *grant, const char *name)
{
	struct net_grant	g;

	return grants_net_parse(grant, &g) == 0 && grants_net_covers(&g, name);
}

static int
global(const char *addr)
{
	unsigned char	a[16];
	int		family = strchr(addr, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(family, addr, a) != 1)
		return -1;
	return broker_addr_global(family, a);
}

static int
redacts(const char *in, const char *want)
{
	struct json_object	*sec = json_tokener_parse(
	    "{\"KEY\":\"hunter22\",\"PIN\":\"123\",\"TOK\":\"abcdefgh\"}");
	char			 out[64];
	int			 ok;

	grants_redact(sec, in, strlen(in), out, sizeof(out));
	ok = strcmp(out, want) == 0;
	if (!ok)
		printf("# got \"%s\"\n", out);
	json_object_put(sec);
	return ok;
}

int
main(void)
{
	CHECK(redacts("key=hunter22;", "key=[redacted:KEY];") &&
	    redacts("hunter22abcdefgh", "[redacted:KEY][redacted:TOK]"),
	    "redact: each secret's value, side by side too");
	CHECK(redacts("pin 123", "pin 123"),
	    "redact: values shorter than GRANT_REDACT_MIN stay");
	CHECK(redacts("hunter2", "hunter2") && redacts("", ""),
	    "redact: a prefix is not the secret");
	CHECK(redacts("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxhunter22",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx[red"),
	    "redact: cut to the buffer, never past it");
	static const char *const good[] = { "api.github.com:443",
	    "*.example.org:443", "127.0.0.1:8080", "[::1]:8080",
	    "[2001:db8::1]:1", "Host_Name.Example:65535" };
	static const char *const bad[] = { "example.org", "example.org:",
	    "example.org:0", "example.org:65536", "example.org:44x", "::1:80",
	    "[::1]80", "*:443", "*.:443", "a..b:1", "-:-1", ":443", "1.2.3:80",
	    "exa mple.org:80", "*.*.org:1" };
	static const char *const local[] = { "127.0.0.1", "10.1.2.3",
	    "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
	    "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
	    "::ffff:8.8.8.8", "fc00::1", "fd12::1", "fe80::1", "64:ff9b::808:808",
	    "2002:c0a8:101::1", "ff02::1", "2001:db8::1" };
	static const char *const away[] = { "8.8.8.8", "1.1.1.1",
	    "172.32.0.1", "100.128.0.1", "2606:4700::1111", "2a00:1450::1" };
	struct net_grant	g;
	size_t			i;
	char			what[128];

	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		snprintf(what, sizeof(what), "'%s' parses", good[i]);
		CHECK(parses(good[i]), what);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(what, sizeof(what), "'%s' is refused", bad[i]);
		CHECK(!parses(bad[i]), what);
	}
	CHECK(grants_net_parse("[::1]:8080", &g) == 0 && g.kind == NET_ADDR &&
	    g.family == AF_INET6 && g.port == 8080, "[::1]:8080 is an address");
	CHECK(grants_net_parse("API.GitHub.com:443", &g) == 0 &&
	    strcmp(g.host, "api.github.com") == 0, "names are lower-cased");
	CHECK(covers("api.github.com:443", "api.github.com"), "a name covers itself");
	CHECK(!covers("api.github.com:443", "x.api.github.com"),
	    "a name covers no name below it");
	CHECK(covers("*.example.org:1", "a.example.org") &&
	    covers("*.example.org:1", "a.b.example.org"),
	    "*. covers one or more labels below");
	CHECK(!covers("*.example.org:1", "example.org"),
	    "*. does not cover the name itself");
	CHECK(!covers("*.example.org:1", "badexample.org"),
	    "*. matches whole labels only");
	CHECK(!covers("127.0.0.1:1", "localhost"), "an address covers no name");
	for (i = 0; i < sizeof(local) / sizeof(*local); i++) {
		snprintf(what, sizeof(what), "%s is not global", local[i]);
		CHECK(global(local[i]) == 0, what);
	}
	for (i = 0; i < sizeof(away) / sizeof(*away); i++) {
		snprintf(what, sizeof(what), "%s is global", away[i]);
		CHECK(global(away[i]) == 1, what);
	}
	{
		/* IPv4 addresses as the broker holds them: 4 bytes, then
		 * whatever follows (a sockaddr's padding, a stale entry). */
		const unsigned char a[16] = { 127, 0, 0, 1, 0xaa, 0xbb },
		    b[16] = { 127, 0, 0, 1, 0x11 }, c[16] = { 127, 0, 0, 2 };

		CHECK(grants_addr_equal(AF_INET, a, b) &&
		    !grants_addr_equal(AF_INET, a, c),
		    "IPv4 addresses compare in their 4 bytes (the broker's "
		    "remembered addresses de-duplicate)");
		CHECK(!grants_addr_equal(AF_INET6, a, b),
		    "IPv6 ones in all 16");
	}
	return unit_finish();
}
