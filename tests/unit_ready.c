/* SPDX-License-Identifier: ISC */
/*
 * ready.c and schema.c's gates for what a worker reports: each rule, and
 * each way past it refused with a reason. A worker's READY is hostile
 * input (tool code shares the toolhost's interpreter).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "channel.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "unit.h"

struct supervisor sv;

#define GOOD_SCHEMA "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":" \
	"\"integer\",\"description\":\"an a\",\"default\":2},\"xs\":{\"type\":" \
	"\"array\",\"items\":{\"anyOf\":[{\"type\":\"string\"},{\"enum\":[1,2]}]}," \
	"\"minItems\":1,\"maxItems\":3},\"d\":{\"type\":\"object\"," \
	"\"additionalProperties\":{\"type\":\"number\"}}},\"required\":[\"a\"]," \
	"\"additionalProperties\":false}"

/* READY with member key set to value (JSON) beside a good inputSchema. */
static int
ready_with(const char *key, const char *value, char *why, size_t len)
{
	char			 text[300000];
	struct json_object	*m;
	int			 rv;

	snprintf(text, sizeof(text), "{\"function\":\"f\",\"inputSchema\":%s%s%s"
	    "%s%s}", strcmp(key, "inputSchema") == 0 ? value : GOOD_SCHEMA,
	    key[0] && strcmp(key, "inputSchema") ? ",\"" : "",
	    strcmp(key, "inputSchema") ? key : "",
	    key[0] && strcmp(key, "inputSchema") ? "\":" : "",
	    strcmp(key, "inputSchema") ? value : "");
	why[0] = '\0';
	/* Parsed as the supervisor parses frames (its depth limit). */
	if ((m = json_parse_object(text, strlen(text))) == NULL)
		return -2;
	/* The gate's spec first, then what only ready.c knows. */
	rv = channel_check_json(MSG_READY, m, why, len);
	if (rv == 0)
		rv = ready_check(m, why, len);
	json_object_put(m);
	return rv;
}

static int
refused(const char *key, const char *value, const char *reason)
{
	char	why[512];

	if (ready_with(key, value, why, sizeof(why)) != -1)
		return 0;
	if (strstr(why, reason) == NULL) {
		printf("# %s\n", why);
		return 0;
	}
	return 1;
}

/* A schema nested n deep through "items". */
static char *
nested(int n)
{
	static char	buf[4096];
	int		i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		strcat(buf, "{\"items\":");
	strcat(buf, "{}");
	for (i = 0; i < n; i++)
		strcat(buf, "}");
	return buf;
}

/* An anyOf of n empty schemas. */
static char *
wide(int n)
{
	static char	buf[20000];
	int		i;

	strcpy(buf, "{\"anyOf\":[");
	for (i = 0; i < n; i++)
		strcat(buf, i ? ",{}" : "{}");
	strcat(buf, "]}");
	return buf;
}

/* Each a member and value READY may not carry, why, and what it tests. */
static const struct {
	const char	*key, *value, *reason, *what;
} refusals[] = {
	{ "allow", "{\"net\":[\"*:443\"]}",
	    "'allow' is not one of its keys", "an unknown member (a grant, say) is refused" },
	{ "asks", "[\"sudo\"]",
	    "names no client capability", "asks: only the capabilities a tool can ask for" },
	{ "asks", "[1]",
	    "'asks' is not as its spec says", "asks: strings only" },
	{ "asks", "[\"roots\",\"roots\",\"roots\",\"roots\"]",
	    "'asks' is not as its spec says", "asks: three at most" },
	{ "context", "1",
	    "'context' is not as its spec says", "context: a boolean" },
	{ "warnings", "[1]",
	    "'warnings' is not as its spec says", "warnings: strings only" },
	{ "function", "[]",
	    "'function' is not as its spec says", "function: a name" },
	{ "inputSchema", "{\"type\":\"object\",\"$defs\":{}}",
	    "keyword '$defs'", "a derived schema: no $defs" },
	{ "inputSchema", "{\"oneOf\":[{}]}",
	    "keyword 'oneOf'", "... no oneOf" },
	{ "inputSchema", "{\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"a+\"}}}",
	    "keyword 'pattern'", "... no pattern, however deep" },
	{ "inputSchema", "{\"items\":{\"$ref\":\"#\"}}",
	    "keyword '$ref'", "... no $ref" },
	{ "outputSchema", "{\"not\":{}}",
	    "keyword 'not'", "... in an outputSchema neither" },
	{ "inputSchema", "{\"type\":\"objekt\"}",
	    "never derives", "... types by name only" },
	{ "inputSchema", "{\"minItems\":-1}",
	    "never derives", "... counts not negative" },
	{ "inputSchema", "{\"required\":[1]}",
	    "never derives", "... required names are strings" },
	{ "inputSchema", "{\"properties\":[]}",
	    "never derives", "... properties an object" },
	{ "inputSchema", "[]",
	    "'inputSchema' is not as its spec says", "... a schema is an object" },
};

int
main(void)
{
	char	why[512], big[70000];
	size_t	i;

	CHECK(ready_with("", "", why, sizeof(why)) == 0,
	    "a READY as the toolhost writes it is believed");
	CHECK(ready_with("doc", "null", why, sizeof(why)) == 0 &&
	    ready_with("asks", "[\"elicitation\",\"roots\"]", why,
	    sizeof(why)) == 0 && ready_with("context", "true", why,
	    sizeof(why)) == 0 && ready_with("warnings", "[\"w\"]", why,
	    sizeof(why)) == 0 && ready_with("outputSchema", GOOD_SCHEMA, why,
	    sizeof(why)) == 0, "... with each optional member");
	for (i = 0; i < sizeof(refusals) / sizeof(*refusals); i++)
		CHECK(refused(refusals[i].key, refusals[i].value,
		    refusals[i].reason), refusals[i].what);
	memset(big, 'x', 66000);
	big[0] = '"';
	big[66000 - 2] = '"';
	big[66000 - 1] = '\0';
	CHECK(refused("doc", big, "'doc' is not as its spec says"),
	    "doc: bounded");
	CHECK(refused("isolation", big, "'isolation' is not as its spec says"),
	    "isolation: bounded (it is logged)");
	CHECK(ready_with("inputSchema", nested(32), why, sizeof(why)) == 0 &&
	    refused("inputSchema", nested(33), "nesting deeper"),
	    "... 32 deep, not 33");
	CHECK(ready_with("inputSchema", wide(4000), why, sizeof(why)) == 0 &&
	    refused("inputSchema", wide(4096), "more than 4096 nodes"),
	    "... 4096 nodes, not more");
	{
		char	*s = big;
		size_t	 n = strlen("{\"description\":\"");

		memcpy(s, "{\"description\":\"", n);
		memset(s + n, 'd', 66000);
		memcpy(s + n + 66000, "\"}", 3);
		CHECK(refused("inputSchema", s, "larger than 65536 bytes"),
		    "... 64 KiB at most");
	}
	CHECK(ready_with("warnings", "[]", why, sizeof(why)) == 0,
	    "an empty warnings list is fine");
	{
		static const char	 text[] = "{\"function\":\"f\"}";
		struct json_object	*m = json_parse_object(text,
					    sizeof(text) - 1);

		CHECK(channel_check_json(MSG_READY, m, why, sizeof(why)) ==
		    -1 && strstr(why, "'inputSchema' is missing") != NULL,
		    "a READY without an inputSchema is refused");
		json_object_put(m);
	}
	return unit_finish();
}
