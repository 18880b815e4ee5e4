/*
 * Parse one complete JSON text (a request line, the tools file, a worker's
 * payload). json-c's tokener is incremental: "42" alone stays "continue"
 * because more digits could follow, so the end of the text is made explicit.
 */
#include "config.h"

#include <string.h>

#include "mcp-hotd.h"

/*
 * Returns the value (NULL for JSON null or on error). *err is
 * json_tokener_success or the error; *end is where parsing stopped.
 */
struct json_object *
json_parse_text(const char *buf, size_t len, int flags,
    enum json_tokener_error *err, size_t *end)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if ((tok = json_tokener_new_ex(JSON_MAX_DEPTH)) == NULL)
		fatal("%s", __func__);
	json_tokener_set_flags(tok, flags);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	*err = json_tokener_get_error(tok);
	*end = json_tokener_get_parse_end(tok);
	if (*err == json_tokener_continue) {
		o = json_tokener_parse_ex(tok, " ", 1);
		*err = json_tokener_get_error(tok);
		*end = len;
	}
	json_tokener_free(tok);
	if (*err != json_tokener_success && o != NULL) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}
