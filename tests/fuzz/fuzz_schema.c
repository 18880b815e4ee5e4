/* SPDX-License-Identifier: ISC */
/*
 * Schema compile and check: the input is a schema, a NUL byte, then
 * arguments. Any schema compiles or is refused; any arguments are
 * accepted or refused with a reason, within the check's work budget (a
 * second at most, even instrumented: an unbudgeted branch would take
 * 2^n).
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "jsonparse.h"
#include "mcp-hotd.h"
#include "fuzz.h"

struct supervisor sv;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jdoc	 d;
	const char		*text = (const char *)data, *sep, *why;
	struct json_object	*o;
	struct schema		*schema;
	char			 err[512], cerr[256];
	size_t			 at;

	if ((sep = memchr(text, '\0', size)) == NULL)
		return 0;
	if (json_parse_text(text, (size_t)(sep - text), &o, &why, &at) == -1)
		return 0;
	schema = schema_compile(o, cerr, sizeof(cerr));
	if (schema != NULL && jdoc_parse(&d, sep + 1, size - (size_t)(sep -
	    text) - 1, 0, &why, &at) == 0) {
		struct timespec	t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		err[0] = '\0';
		if (schema_check(schema, &d, 0, err, sizeof(err)) != 0)
			FUZZ_ASSERT(err[0] != '\0', "a refusal says why");
		/* As a result's structuredContent: its quick paths too. */
		err[0] = '\0';
		if (schema_check_output(schema, &d, 0, err, sizeof(err)) != 0)
			FUZZ_ASSERT(err[0] != '\0', "a refusal says why");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		FUZZ_ASSERT(t1.tv_sec - t0.tv_sec < 2, "a check is budgeted");
	}
	jdoc_trim(&d);
	schema_free(schema);
	json_object_put(o);
	return 0;
}
