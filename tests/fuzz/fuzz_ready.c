/* SPDX-License-Identifier: ISC */
/*
 * A worker's READY (hostile: tool code shapes it): the input is READY's
 * payload, through the gate's spec check and then ready_check, as the
 * supervisor reads it. Whatever it says is refused with a reason, or accepted with a
 * derived schema within its caps that compiles (or is refused) and checks
 * an argument object within its budget.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "channel.h"
#include "jsonparse.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;

static double
fuzz_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jdoc	 d;
	static const char	 args[] = "{\"a\":[[[[1,2,3]]]],\"b\":\"x\","
				    "\"c\":{\"d\":null}}";
	struct json_object	*m, *schema;
	struct schema		*s;
	const char		*why;
	char			 err[512], cerr[256];
	size_t			 at;
	double			 t0;

	if (json_parse_text((const char *)data, size, &m, &why, &at) == -1)
		return 0;
	if (!json_object_is_type(m, json_type_object)) {
		json_object_put(m);
		return 0;
	}
	err[0] = '\0';
	if (channel_check_json(MSG_READY, m, err, sizeof(err)) == -1 ||
	    ready_check(m, err, sizeof(err)) == -1) {
		FUZZ_ASSERT(err[0] != '\0', "a refused READY says why");
		json_object_put(m);
		return 0;
	}
	FUZZ_ASSERT(json_object_object_get_ex(m, "inputSchema", &schema),
	    "an accepted READY has an inputSchema");
	FUZZ_ASSERT(strlen(json_object_to_json_string_ext(schema,
	    JSON_C_TO_STRING_PLAIN)) <= 65536, "a derived schema is capped");
	if ((s = schema_compile(schema, cerr, sizeof(cerr))) != NULL &&
	    jdoc_parse(&d, args, sizeof(args) - 1, 0, &why, &at) == 0) {
		t0 = fuzz_now();
		err[0] = '\0';
		if (schema_check(s, &d, 0, err, sizeof(err)) != 0)
			FUZZ_ASSERT(err[0] != '\0', "a refusal says why");
		FUZZ_ASSERT(fuzz_now() - t0 < 1.0, "a check is budgeted");
	}
	jdoc_trim(&d);
	schema_free(s);
	json_object_put(m);
	return 0;
}
