/* SPDX-License-Identifier: GPL-2.0 */
/* Reading back the JSON a test wrote, with json-c; any failure fails the test. */
#ifndef TDV_TEST_JSON_READ_H
#define TDV_TEST_JSON_READ_H

#include <string.h>
#include <json-c/json.h>
#include "json.h"

/* All of @text (trailing white space aside) is one JSON value. */
static inline json_object *parse(const char *text)
{
	struct json_tokener *tok = json_tokener_new_ex(TDV_JSON_MAX_DEPTH + 1);
	json_object *root;
	enum json_tokener_error err;
	size_t end;

	assert_non_null(tok);
	root = json_tokener_parse_ex(tok, text, strlen(text));
	err = json_tokener_get_error(tok);
	end = tok->char_offset + strspn(text + tok->char_offset, " \n");
	if (!root || err != json_tokener_success || text[end])
		fail_msg("not JSON (%s): %s", json_tokener_error_desc(err), text);
	json_tokener_free(tok);
	return root;
}

static inline json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

#endif /* TDV_TEST_JSON_READ_H */
