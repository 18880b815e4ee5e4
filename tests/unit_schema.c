/* SPDX-License-Identifier: ISC */
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
check_with(const char *text, const char *args, const char *expect)
{
	struct json_object	*o;
	struct schema		*schema;
	struct jdoc		 d = { 0 };
	const char		*why;
	char			 err[512] = "";
	size_t			 at;
	int			 rv;

	o = json_tokener_parse(text);
	schema = schema_compile(o, err, sizeof(err));
	json_object_put(o);
	if (jdoc_parse(&d, args, strlen(args), 0, &why, &at) == -1) {
		printf("# bad test arguments: %s at %zu\n", why, at);
		return 0;
	}
	/* A schema that cannot compile fails every call, saying why. */
	rv = schema == NULL ? -1 : schema_check(schema, &d, 0, err,
	    sizeof(err));
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

/* A result's structuredContent against an outputSchema. */
static int
check_out(const char *text, const char *value, const char *expect)
{
	struct json_object	*o = json_tokener_parse(text);
	struct schema		*schema;
	struct jdoc		 d = { 0 };
	const char		*why;
	char			 err[512] = "";
	size_t			 at;
	int			 rv;

	schema = schema_compile(o, err, sizeof(err));
	json_object_put(o);
	if (schema == NULL || jdoc_parse(&d, value, strlen(value), 0, &why,
	    &at) == -1)
		return 0;
	rv = schema_check_output(schema, &d, 0, err, sizeof(err));
	schema_free(schema);
	jdoc_free(&d);
	if (expect == NULL)
		return rv == 0;
	return rv == -1 && strstr(err, expect) != NULL;
}

/* FastMCP's outputSchema of `-> int`: its own quick check. */
#define WRAPPED_INT "{\"type\":\"object\",\"properties\":{\"result\":" \
	"{\"type\":\"integer\"}},\"required\":[\"result\"]," \
	"\"x-fastmcp-wrap-result\":true}"

static int
check_args(const char *args, const char *expect)
{
	return check_with(schema_text, args, expect);
}

/* The conformance suite's JSON Schema 2020-12 fixture. */
static const char *schema_2020 =
    "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
    "\"type\":\"object\",\"$defs\":{\"address\":{\"$anchor\":\"addressDef\","
    "\"type\":\"object\",\"properties\":{\"street\":{\"type\":\"string\"},"
    "\"city\":{\"type\":\"string\"}}}},\"properties\":{\"name\":{\"type\":"
    "\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},\"contactMethod\":"
    "{\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},\"phone\":{\"type\":"
    "\"string\"},\"email\":{\"type\":\"string\"}},\"allOf\":[{\"anyOf\":["
    "{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],\"if\":{"
    "\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},\"required\":"
    "[\"contactMethod\"]},\"then\":{\"required\":[\"phone\"]},\"else\":"
    "{\"required\":[\"email\"]},\"additionalProperties\":false}";

static const char *schema_bounds =
    "{\"type\":\"object\",\"properties\":{"
    "\"n\":{\"type\":\"number\",\"minimum\":1,\"exclusiveMaximum\":10,"
    "\"multipleOf\":0.5},"
    "\"s\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":3,"
    "\"pattern\":\"^[a-zé]+$\"},"
    "\"when\":{\"type\":\"string\",\"format\":\"date-time\"},"
    "\"mail\":{\"type\":\"string\",\"format\":\"email\"},"
    "\"u\":{\"type\":\"string\",\"format\":\"uri\"},"
    "\"t\":{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"}],"
    "\"items\":{\"type\":\"integer\"},\"minItems\":2,\"uniqueItems\":true},"
    "\"one\":{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":0}]},"
    "\"no\":{\"not\":{\"type\":\"null\"}},"
    "\"tree\":{\"$ref\":\"#/$defs/node\"}},"
    "\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"kids\":"
    "{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"}}},"
    "\"additionalProperties\":false}},\"maxProperties\":6}";

int
main(void)
{
	CHECK(check_args("{\"a\":1}", NULL), "minimal arguments pass");
	CHECK(check_out(WRAPPED_INT, "{\"result\":3}", NULL) &&
	    check_out(WRAPPED_INT, "{\"result\":1.0}", NULL) &&
	    check_out(WRAPPED_INT, "{\"result\":3,\"x\":1}", NULL),
	    "a wrapped int: 3, 1.0 and an extra key fit");
	CHECK(check_out(WRAPPED_INT, "{\"result\":\"3\"}",
	    "field 'result': expected integer, got string") &&
	    check_out(WRAPPED_INT, "{\"result\":1.5}", "field 'result'") &&
	    check_out(WRAPPED_INT, "{}", "missing required") &&
	    check_out(WRAPPED_INT, "[3]", "expected object"),
	    "a wrapped int: a string, 1.5, nothing, an array do not");
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

	/* JSON Schema 2020-12 as tools.json may declare it. */
	CHECK(check_with(schema_2020, "{\"name\":\"x\",\"contactMethod\":"
	    "\"phone\",\"phone\":\"1\",\"address\":{\"city\":\"c\"}}", NULL),
	    "2020-12: a valid call passes");
	CHECK(check_with(schema_2020, "{\"contactMethod\":\"phone\",\"email\":"
	    "\"e\"}", "missing required argument 'phone'"),
	    "2020-12: if/then requires phone");
	CHECK(check_with(schema_2020, "{\"name\":\"x\"}", "matches none"),
	    "2020-12: allOf/anyOf needs phone or email");
	CHECK(check_with(schema_2020, "{\"email\":\"e\",\"address\":{\"city\":"
	    "5}}", "argument 'address.city': expected string"),
	    "2020-12: $ref into $defs is checked");
	CHECK(check_with(schema_bounds, "{\"n\":2.5,\"s\":\"éa\",\"when\":"
	    "\"2026-07-28T10:00:00Z\",\"mail\":\"a@b.c\",\"u\":\"https://x\","
	    "\"t\":[\"h\",1,2]}", NULL), "bounds: a valid call passes");
	CHECK(check_with(schema_bounds, "{\"n\":0}", "must be at least 1"),
	    "minimum");
	CHECK(check_with(schema_bounds, "{\"n\":10}", "must be less than 10"),
	    "exclusiveMaximum");
	CHECK(check_with(schema_bounds, "{\"n\":1.2}", "multiple of 0.5"),
	    "multipleOf");
	CHECK(check_with(schema_bounds, "{\"s\":\"é\"}", "at least 2 characters"),
	    "minLength counts characters, not bytes");
	CHECK(check_with(schema_bounds, "{\"s\":\"AB\"}", "must match the pattern"),
	    "pattern");
	CHECK(check_with(schema_bounds, "{\"when\":\"yesterday\"}",
	    "must be a date-time"), "format date-time");
	CHECK(check_with(schema_bounds, "{\"mail\":\"nobody\"}",
	    "an email address"), "format email");
	CHECK(check_with(schema_bounds, "{\"u\":\"no scheme\"}", "a URI"),
	    "format uri");
	CHECK(check_with(schema_bounds, "{\"t\":[1,2]}", "argument 't[0]'"),
	    "prefixItems");
	CHECK(check_with(schema_bounds, "{\"t\":[\"h\"]}", "at least 2 items"),
	    "minItems");
	CHECK(check_with(schema_bounds, "{\"t\":[\"h\",1,1]}", "must not repeat"),
	    "uniqueItems");
	CHECK(check_with(schema_bounds, "{\"one\":5}", "more than one"),
	    "oneOf: exactly one");
	CHECK(check_with(schema_bounds, "{\"one\":-1}", NULL), "oneOf: one");
	CHECK(check_with(schema_bounds, "{\"no\":null}", "must not"), "not");
	CHECK(check_with(schema_bounds, "{\"tree\":{\"kids\":[{\"kids\":[{\"x\":"
	    "1}]}]}}", "argument 'tree.kids[0].kids[0]': unknown key 'x'"),
	    "a recursive $ref checks every level");
	CHECK(check_with(schema_bounds, "{\"n\":2,\"s\":\"ab\",\"no\":1,\"one\":-1,"
	    "\"mail\":\"a@b.c\",\"u\":\"x:y\",\"when\":\"2026-01-01T00:00:00Z\"}",
	    "at most 6 keys"), "maxProperties");
	CHECK(check_with("{\"type\":\"object\",\"propertyNames\":{}}", "{}",
	    "keyword 'propertyNames' cannot be checked"),
	    "a keyword that cannot be checked refuses the schema");
	CHECK(check_with("{\"type\":\"object\",\"properties\":{\"x\":{"
	    "\"format\":\"hostname\"}}}", "{}", "'format' \"hostname\" cannot be "
	    "checked"), "an unknown format refuses the schema");
	CHECK(check_with("{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":"
	    "\"https://example.org/s\"}}}", "{}", "only local references"),
	    "a remote $ref refuses the schema");
	CHECK(check_with("{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":"
	    "\"#addressDef\"}},\"$defs\":{\"a\":{\"$anchor\":\"addressDef\","
	    "\"type\":\"string\"}}}", "{\"x\":1}", "expected string"),
	    "$ref to an $anchor");
	CHECK(check_with("{\"type\":\"object\",\"properties\":{\"x\":false}}",
	    "{\"x\":1}", "argument 'x': is not allowed"), "the schema false");
	CHECK(check_with("{\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":"
	    "\"#/$defs/a\"}},\"$defs\":{\"a\":{\"$ref\":\"#/$defs/a\"}}}",
	    "{\"x\":1}", "refers to itself without end"),
	    "a $ref loop that consumes nothing ends with an error");
	{
		/* Patterns glibc could blow up on are refused at compile,
		 * whatever spelling hides the nesting; plain ones compile. */
		static const struct {
			const char	*pattern, *why;
		} pats[] = {
			{ "^(a+)+$", "nested quantifiers" },
			{ "(a*){,5}", "nested quantifiers" },	/* glibc's {,m} */
			{ ")(a+)*", "nested quantifiers" },	/* a literal ')' */
			{ "[[:alpha:](a+)+", "bracket expression" },
			{ "(a)\\\\1", "backreference" },
			{ "a{256}", "counts beyond 255" },
			{ "^[a-z0-9_-]{1,64}$", NULL },
			{ "^(GET|POST)$", NULL },
			{ "a{,5}b", NULL },
		};
		char	text[256], what[160];
		size_t	i;

		for (i = 0; i < sizeof(pats) / sizeof(*pats); i++) {
			snprintf(text, sizeof(text), "{\"type\":\"object\","
			    "\"properties\":{\"s\":{\"pattern\":\"%s\"}}}",
			    pats[i].pattern);
			snprintf(what, sizeof(what), "pattern %s: %s",
			    pats[i].pattern, pats[i].why ? pats[i].why :
			    "compiles");
			CHECK(pats[i].why ? check_with(text, "{}",
			    pats[i].why) : check_with(text, "{}", NULL), what);
		}
	}
	return unit_finish();
}
