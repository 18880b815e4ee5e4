/* Argument checks in schema.c against derived-style schemas. */
#include "config.h"

#include <string.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "unit.h"

struct supervisor sv;

static const char *schema_text =
    "{\"type\":\"object\",\"properties\":{"
    "\"a\":{\"type\":\"integer\"},"
    "\"x\":{\"type\":\"number\"},"
    "\"s\":{\"type\":\"string\"},"
    "\"b\":{\"type\":\"boolean\"},"
    "\"xs\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},"
    "\"d\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}},"
    "\"o\":{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"null\"}]},"
    "\"m\":{\"enum\":[\"fast\",\"slow\"],\"type\":\"string\"},"
    "\"tl\":{\"type\":[\"integer\",\"null\"]},"
    "\"n\":{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"integer\"}},"
    "\"required\":[\"q\"],\"additionalProperties\":false},"
    "\"any\":{}},"
    "\"required\":[\"a\"],\"additionalProperties\":false}";

static int
check_args(const char *args, const char *expect)
{
	struct json_object	*o;
	struct schema		*schema;
	struct jdoc		 d = { 0 };
	const char		*why;
	char			 err[512] = "";
	size_t			 at;
	int			 rv;

	o = json_tokener_parse(schema_text);
	schema = schema_compile(o);
	json_object_put(o);
	if (jdoc_parse(&d, args, strlen(args), 0, &why, &at) == -1) {
		printf("# bad test arguments: %s at %zu\n", why, at);
		return 0;
	}
	rv = schema_check(schema, &d, 0, err, sizeof(err));
	schema_free(schema);
	jdoc_free(&d);
	if (expect == NULL)
		return rv == 0;
	if (rv != -1 || strstr(err, expect) == NULL) {
		printf("# got \"%s\"\n", err);
		return 0;
	}
	return 1;
}

int
main(void)
{
	CHECK(check_args("{\"a\":1}", NULL), "minimal arguments pass");
	CHECK(check_args("{\"a\":1.0,\"x\":2,\"s\":\"\",\"b\":false,"
	    "\"xs\":[1,2],\"d\":{\"k\":\"v\"},\"o\":null,\"m\":\"slow\","
	    "\"any\":[{}]}", NULL), "every type accepted");
	CHECK(check_args("{}", "missing required argument 'a'"), "missing");
	CHECK(check_args("{\"a\":1,\"tl\":null,\"n\":{\"q\":2}}", NULL),
	    "type list and nested object pass");
	CHECK(check_args("{\"a\":1,\"tl\":\"x\"}",
	    "argument 'tl': expected integer or null, got string"), "type list");
	CHECK(check_args("{\"a\":1,\"n\":{}}",
	    "argument 'n': missing required key 'q'"), "nested required");
	CHECK(check_args("{\"a\":1,\"n\":{\"q\":1,\"z\":2}}",
	    "argument 'n': unknown key 'z'"), "nested unknown key");
	CHECK(check_args("{\"a\":1,\"n\":{\"q\":\"1\"}}",
	    "argument 'n.q': expected integer, got string"), "nested path");
	CHECK(check_args("{\"\\u0061\":1}", NULL), "escaped key is the key");
	CHECK(check_args("{\"a\":1,\"a\\u0000\":2}", "unknown argument 'a'"),
	    "key with a NUL is not its prefix");
	CHECK(check_args("{\"a\":1e2}", NULL), "1e2 is an integer");
	CHECK(check_args("{\"a\":123456789012345678901234567890}", NULL),
	    "a big integer is an integer");
	{
		char	args[1024], key[401];

		memset(key, 'k', 400);
		key[400] = '\0';
		snprintf(args, sizeof(args), "{\"a\":1,\"\\u006b%s\":2}", key);
		CHECK(check_args(args, "unknown argument 'kkkk"),
		    "a 401-byte escaped unknown key: named, cut short");
	}
	CHECK(check_args("{\"a\":1,\"zzz\":2}", "unknown argument 'zzz'"),
	    "unknown");
	CHECK(check_args("{\"a\":\"1\"}",
	    "argument 'a': expected integer, got string"), "string for int");
	CHECK(check_args("{\"a\":1.5}", "argument 'a': expected integer, got number"),
	    "fraction for int");
	CHECK(check_args("{\"a\":true}", "expected integer, got boolean"),
	    "bool is not an integer");
	CHECK(check_args("{\"a\":1,\"x\":\"1\"}", "argument 'x'"),
	    "string for number");
	CHECK(check_args("{\"a\":1,\"xs\":[1,\"2\"]}", "argument 'xs[1]'"),
	    "bad list item named by index");
	CHECK(check_args("{\"a\":1,\"d\":{\"k\":3}}", "argument 'd.k'"),
	    "bad dict value named by key");
	CHECK(check_args("{\"a\":1,\"o\":\"x\"}", "matches none"),
	    "anyOf mismatch");
	CHECK(check_args("{\"a\":1,\"m\":\"medium\"}", "must be one of"),
	    "enum mismatch");
	return unit_finish();
}
