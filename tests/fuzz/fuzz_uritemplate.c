/* SPDX-License-Identifier: ISC */
/*
 * URI templates read backwards (uritemplate.c): a template from the tools
 * file, a uri from any client (resources/read). Input: the template, a
 * newline, the uri. Whatever they hold, a match ends, and binds only the
 * template's own variables, to strings.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "uritemplate.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*vars, *names, *v;
	char			*buf, *uri, why[128];
	size_t			 i;
	int			 known;

	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	if ((uri = memchr(buf, '\n', size)) == NULL || strlen(buf) != size) {
		free(buf);
		return 0;
	}
	*uri++ = '\0';
	if (uritemplate_check(buf, why, sizeof(why)) == -1) {
		FUZZ_ASSERT(strlen(why) > 0, "a refusal says why");
		free(buf);
		return 0;
	}
	names = uritemplate_vars(buf);
	if ((vars = uritemplate_match(buf, uri)) != NULL) {
		json_object_object_foreach(vars, key, val) {
			FUZZ_ASSERT(json_object_is_type(val, json_type_string),
			    "a value is a string");
			for (known = 0, i = 0;
			    i < json_object_array_length(names); i++) {
				v = json_object_array_get_idx(names, i);
				if (strcmp(json_object_get_string(v), key) == 0)
					known = 1;
			}
			FUZZ_ASSERT(known, "only the template's variables");
		}
		json_object_put(vars);
	}
	json_object_put(names);
	free(buf);
	return 0;
}
