/* SPDX-License-Identifier: ISC */
/*
 * The net broker: a tool's allow.net grants, enforced here, outside the
 * tool (the privsep tradition: OpenBSD daemons pass fds over imsg).
 *
 * A worker has no network of its own (seccomp refuses socket and connect;
 * Landlock refuses TCP; its net namespace is empty). A tool with net
 * grants gets a second channel, SOCK_SEQPACKET, on which its Python socket
 * layer (workers/netroute.py) asks, one request at a time:
 *
 *	RESOLVE name -> the addresses, resolved here with evdns, only for a
 *		name a grant covers (nothing else reaches a resolver: no DNS
 *		exfiltration); addresses that are not global (loopback,
 *		private, link-local ...) are dropped unless listed themselves
 *		(no rebinding into the host);
 *	CONNECT addr, port -> a TCP socket whose non-blocking connect is
 *		under way, passed with SCM_RIGHTS, only to an address listed
 *		on that port, or a global one this broker returned to this
 *		worker for a name granted on that port: a name never widens
 *		an address that is not global beyond the ports it is listed
 *		on, and a RESOLVE without a port returns none.
 *
 * The socket is good for that connection only: the worker's seccomp
 * filters refuse connect, sendto with an address, MSG_FASTOPEN and
 * TCP_FASTOPEN_CONNECT (workers/sandbox.c), so a socket whose connect
 * failed cannot be pointed elsewhere.
 *
 * A refusal is an answer ({"denied"}: PermissionError in the tool). A frame
 * that is not a well-formed request, or a second request before the first
 * is answered, is the worker's death: its own Python never sends one.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "channel.h"
#include "frame.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "metrics.h"
#include "xmalloc.h"

#define BROKER_SEEN	64	/* addresses returned, per worker */

struct broker_seen {
	int		 family;
	unsigned char	 addr[16];
	char		 name[254];	/* the granted name it is for */
};

struct broker {
	const char			*tool;	/* its name, for logs */
	void				(*violated)(void *, const char *);
	void				*arg;	/* ... its owner's */
	struct channel			*ch;
	struct net_grant		*grants;
	size_t				 ngrants;
	int				 busy;	/* a RESOLVE is being resolved */
	struct evdns_getaddrinfo_request *req;
	uint64_t			 id;	/* of the request in hand */
	uint16_t			 port;	/* the RESOLVE's, or 0 */
	char				 name[254];
	struct broker_seen		 seen[BROKER_SEEN];
	size_t				 nseen, next;
};

static struct evdns_base	*broker_dns;

/* A request the worker's own code never sends: that worker's death. */
static void
broker_violation(struct broker *b, const char *why)
{
	char	cause[256];

	snprintf(cause, sizeof(cause), "was killed: its broker channel %s",
	    why);
	b->violated(b->arg, cause);
}

static void
broker_fail(void *arg, const char *why)
{
	broker_violation(arg, why);
}

/* One answer, with fd when it is not -1; never blocks. */
static void
broker_answer(struct broker *b, uint16_t type, struct json_object *m, int fd)
{
	const char	*p = json_object_to_json_string_ext(m,
			    JSON_C_TO_STRING_PLAIN);

	if (channel_send_fds(b->ch, type, b->id, p, strlen(p), &fd,
	    fd != -1 ? 1 : 0) == -1 && errno != EPIPE && errno != ECONNRESET)
		broker_violation(b, "does not read its answers");
	json_object_put(m);
}

static void
broker_deny(struct broker *b, uint16_t type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
broker_deny(struct broker *b, uint16_t type, const char *fmt, ...)
{
	struct json_object	*m = json_object_new_object();
	char			 text[512];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_debug("tool '%s': %s", b->tool, text);
	json_object_object_add(m, MSG_KEY(RESOLVED, denied),
	    json_object_new_string(text));
	broker_answer(b, type, m, -1);
}

static int
broker_in(const unsigned char *a, const char *net, int bits)
{
	unsigned char	n[16];
	int		family = strchr(net, ':') ? AF_INET6 : AF_INET;
	int		full = bits / 8, rest = bits % 8;

	if (inet_pton(family, net, n) != 1)
		return 0;
	if (memcmp(a, n, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ n[full]) & (0xff << (8 - rest))) == 0;
}

/*
 * Python's ipaddress is_global, and stricter: what no name should lead a
 * tool to (the host itself, its LAN, the cloud's metadata address, NAT64
 * and other ways back to those, multicast).
 */
int
broker_addr_global(int family, const unsigned char *a)
{
	static const struct {
		const char	*net;
		int		 bits;
	} v4[] = {
		{ "0.0.0.0", 8 }, { "10.0.0.0", 8 }, { "100.64.0.0", 10 },
		{ "127.0.0.0", 8 }, { "169.254.0.0", 16 }, { "172.16.0.0", 12 },
		{ "192.0.0.0", 24 }, { "192.0.2.0", 24 }, { "192.168.0.0", 16 },
		{ "198.18.0.0", 15 }, { "198.51.100.0", 24 },
		{ "203.0.113.0", 24 }, { "224.0.0.0", 3 }
	}, v6[] = {
		{ "::", 96 }, { "::ffff:0:0", 96 }, { "64:ff9b::", 96 },
		{ "64:ff9b:1::", 48 }, { "100::", 64 }, { "2001::", 23 },
		{ "2001:db8::", 32 }, { "2002::", 16 }, { "fc00::", 7 },
		{ "fe80::", 10 }, { "fec0::", 10 }, { "ff00::", 8 }
	};
	size_t	i;

	if (family == AF_INET) {
		for (i = 0; i < sizeof(v4) / sizeof(*v4); i++)
			if (broker_in(a, v4[i].net, v4[i].bits))
				return 0;
		return 1;
	}
	for (i = 0; i < sizeof(v6) / sizeof(*v6); i++)
		if (broker_in(a, v6[i].net, v6[i].bits))
			return 0;
	return 1;	/* ::1 is in ::/96 */
}

/* Is family/addr listed itself, on port (0: any)? */
static int
broker_listed(const struct broker *b, int family, const unsigned char *a,
    uint16_t port)
{
	size_t	i;

	for (i = 0; i < b->ngrants; i++)
		if (b->grants[i].kind == NET_ADDR &&
		    b->grants[i].family == family &&
		    grants_addr_equal(family, b->grants[i].addr, a) &&
		    (port == 0 || b->grants[i].port == port))
			return 1;
	return 0;
}

/* Is name covered by a grant, on port (0: any)? */
static int
broker_covered(const struct broker *b, const char *name, uint16_t port)
{
	size_t	i;

	for (i = 0; i < b->ngrants; i++)
		if (grants_net_covers(&b->grants[i], name) &&
		    (port == 0 || b->grants[i].port == port))
			return 1;
	return 0;
}

static void
broker_remember(struct broker *b, int family, const unsigned char *a)
{
	struct broker_seen	*s;
	size_t			 i;

	for (i = 0; i < b->nseen; i++)
		if (b->seen[i].family == family &&
		    grants_addr_equal(family, b->seen[i].addr, a) &&
		    strcmp(b->seen[i].name, b->name) == 0)
			return;
	s = &b->seen[b->next];
	b->next = (b->next + 1) % BROKER_SEEN;
	if (b->nseen < BROKER_SEEN)
		b->nseen++;
	s->family = family;
	memset(s->addr, 0, sizeof(s->addr));
	memcpy(s->addr, a, family == AF_INET ? 4 : 16);
	snprintf(s->name, sizeof(s->name), "%s", b->name);
}

static const unsigned char *
broker_ai_addr(const struct evutil_addrinfo *ai)
{
	if (ai->ai_family == AF_INET)
		return (const unsigned char *)
		    &((const struct sockaddr_in *)ai->ai_addr)->sin_addr;
	return (const unsigned char *)
	    &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
}

static void
broker_resolved(int result, struct evutil_addrinfo *res, void *arg)
{
	struct broker		*b = arg;
	struct evutil_addrinfo	*ai;
	struct json_object	*m, *addrs, *pair;
	const unsigned char	*a;
	char			 text[INET6_ADDRSTRLEN], refused[256] = "";
	size_t			 off = 0;

	if (result == EVUTIL_EAI_CANCEL) {
		evutil_freeaddrinfo(res);
		return;		/* the worker is being freed */
	}
	b->req = NULL;
	b->busy = 0;
	if (result != 0) {
		m = json_object_new_object();
		json_object_object_add(m, MSG_KEY(RESOLVED, gai), json_object_new_int(result));
		json_object_object_add(m, MSG_KEY(RESOLVED, error),
		    json_object_new_string(evutil_gai_strerror(result)));
		broker_answer(b, MSG_RESOLVED, m, -1);
		return;
	}
	addrs = json_object_new_array();
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		a = broker_ai_addr(ai);
		inet_ntop(ai->ai_family, a, text, sizeof(text));
		/* Not global: only where listed on the port asked for (a
		 * RESOLVE for no port admits none). */
		if (!broker_addr_global(ai->ai_family, a) && (b->port == 0 ||
		    !broker_listed(b, ai->ai_family, a, b->port))) {
			if (strstr(refused, text) == NULL && off < sizeof(refused))
				off += (size_t)snprintf(refused + off,
				    sizeof(refused) - off, "%s%s", off ? ", " :
				    "", text);
			continue;
		}
		broker_remember(b, ai->ai_family, a);
		pair = json_object_new_array();
		json_object_array_add(pair, json_object_new_int(ai->ai_family));
		json_object_array_add(pair, json_object_new_string(text));
		json_object_array_add(addrs, pair);
	}
	evutil_freeaddrinfo(res);
	if (json_object_array_length(addrs) == 0 && off > 0) {
		json_object_put(addrs);
		metrics_broker(MB_RESOLVE_DENIED);
		broker_deny(b, MSG_RESOLVED, "mcp-hotd: %s resolves only to "
		    "addresses that are not global (%s): refused unless "
		    "allow.net lists them", b->name, refused);
		return;
	}
	m = json_object_new_object();
	json_object_object_add(m, MSG_KEY(RESOLVED, addrs), addrs);
	broker_answer(b, MSG_RESOLVED, m, -1);
}

static struct evdns_base *
broker_resolver(void)
{
	if (broker_dns == NULL && (broker_dns = evdns_base_new(sv.base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL)
		log_warnx("net grants: no resolver (cannot read "
		    "/etc/resolv.conf?)");
	return broker_dns;
}

/* A member the gate checked to be there and of its type. */
static int
broker_int(struct json_object *m, const char *key)
{
	struct json_object	*v;

	json_object_object_get_ex(m, key, &v);
	return json_object_get_int(v);
}

static const char *
broker_str(struct json_object *m, const char *key)
{
	struct json_object	*v;

	json_object_object_get_ex(m, key, &v);
	return json_object_get_string(v);
}

static int
broker_resolve(void *arg, const struct channel_msg *msg)
{
	struct broker		*b = arg;
	struct evutil_addrinfo	 hints;
	unsigned char		 a[16];
	const char		*host = broker_str(msg->m, MSG_KEY(RESOLVE, host));
	char			*p;
	int			 port = broker_int(msg->m, MSG_KEY(RESOLVE, port));
	int			 family = broker_int(msg->m,
				    MSG_KEY(RESOLVE, family));

	if (family != 0 && family != AF_INET && family != AF_INET6)
		return -1;
	b->id = msg->h->id;
	snprintf(b->name, sizeof(b->name), "%s", host);
	for (p = b->name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (p > b->name && p[-1] == '.')
		p[-1] = '\0';
	b->port = (uint16_t)port;
	if (inet_pton(AF_INET, b->name, a) == 1 ||
	    inet_pton(AF_INET6, b->name, a) == 1 || !grants_name_ok(b->name) ||
	    !broker_covered(b, b->name, b->port)) {
		metrics_broker(MB_RESOLVE_DENIED);
		broker_deny(b, MSG_RESOLVED, "mcp-hotd: resolving %s%s%.0d is "
		    "not granted (allow.net)", b->name, port ? " for port " :
		    "", port);
		return 0;
	}
	if (broker_resolver() == NULL) {
		metrics_broker(MB_FAILED);
		broker_deny(b, MSG_RESOLVED, "mcp-hotd: no resolver");
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	b->busy = 1;
	/* May answer at once (the hosts file), before it returns. */
	b->req = evdns_getaddrinfo(broker_dns, b->name, NULL, &hints,
	    broker_resolved, b);
	if (!b->busy)
		b->req = NULL;
	return 0;
}

static int
broker_may_connect(const struct broker *b, int family,
    const unsigned char *a, uint16_t port)
{
	size_t	i;

	if (broker_listed(b, family, a, port))
		return 1;
	/* A name never widens an address that is not global beyond the
	 * ports it is listed on itself. */
	if (!broker_addr_global(family, a))
		return 0;
	for (i = 0; i < b->nseen; i++)
		if (b->seen[i].family == family &&
		    grants_addr_equal(family, b->seen[i].addr, a) &&
		    broker_covered(b, b->seen[i].name, port))
			return 1;
	return 0;
}

static int
broker_connect(void *arg, const struct channel_msg *msg)
{
	struct broker		*b = arg;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct json_object	*r;
	unsigned char		 a[16] = { 0 };
	const char		*addr = broker_str(msg->m,
				    MSG_KEY(CONNECT, addr));
	socklen_t		 len;
	int			 family = broker_int(msg->m,
				    MSG_KEY(CONNECT, family));
	int			 port = broker_int(msg->m,
				    MSG_KEY(CONNECT, port));
	int			 fd, e = 0;

	if ((family != AF_INET && family != AF_INET6) ||
	    inet_pton(family, addr, a) != 1)
		return -1;
	b->id = msg->h->id;
	if (!broker_may_connect(b, family, a, (uint16_t)port)) {
		metrics_broker(MB_DENIED);
		broker_deny(b, MSG_CONNECTED, "mcp-hotd: a connection to "
		    "%s%s%s:%d is not granted (allow.net)", family == AF_INET6 ?
		    "[" : "", addr, family == AF_INET6 ? "]" : "", port);
		return 0;
	}
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a, 4);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, a, 16);
		len = sizeof(*sin6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP)) == -1 || connect(fd, (struct sockaddr *)&ss,
	    len) == -1)
		e = errno;
	log_debug("tool '%s': connect %s port %d: %s", b->tool,
	    addr, port, e ? strerror(e) : "done");
	metrics_broker(e == 0 || e == EINPROGRESS ? MB_CONNECTED : MB_FAILED);
	r = json_object_new_object();
	json_object_object_add(r, MSG_KEY(CONNECTED, errno),
	    json_object_new_int(e));
	/* Under way or done: the worker waits and reads SO_ERROR itself. */
	broker_answer(b, MSG_CONNECTED, r, e == 0 || e == EINPROGRESS ?
	    fd : -1);
	if (fd != -1)
		close(fd);
	return 0;
}

static unsigned
broker_state(void *arg)
{
	struct broker	*b = arg;

	return b->busy ? 1 : 0;	/* one request at a time */
}

static const struct channel_handler broker_handlers[] = {
	{ MSG_RESOLVE, 1U << 0, broker_resolve },
	{ MSG_CONNECT, 1U << 0, broker_connect },
	{ 0, 0, NULL }
};

/* Its EOF says nothing: the worker's own channel tells its death. */
const struct channel_peer broker_peer = {
	"broker", MSG_CHAN_BROKER, broker_handlers, broker_state, broker_fail,
	NULL
};

/*
 * The broker of tool name's worker, on fd (its end of the broker channel):
 * a request the worker's own code never sends is violated(arg, cause).
 */
struct broker *
broker_new(const char *name, struct json_object *allow, int fd,
    void (*violated)(void *, const char *), void *arg)
{
	struct broker	*b;

	b = xcalloc(1, sizeof(*b));
	b->tool = name;
	b->violated = violated;
	b->arg = arg;
	b->grants = grants_net(allow, &b->ngrants);
	b->ch = channel_new(fd, CHANNEL_SEQPACKET, &broker_peer, b, 0);
	return b;
}

void
broker_free(struct broker *b)
{
	if (b == NULL)
		return;
	if (b->req != NULL)
		evdns_getaddrinfo_cancel(b->req);
	channel_free(b->ch);
	free(b->grants);
	free(b);
}

/* At exit: the resolver, once no broker is left. */
void
broker_shutdown(void)
{
	if (broker_dns != NULL)
		evdns_base_free(broker_dns, 0);
	broker_dns = NULL;
}
