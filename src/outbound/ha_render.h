/*
 * ha_render.h - an HTTP action's request body and query string from its
 * definition and the checked argument values (ha_action_args). Placeholders
 * are filled by template.h; the rules are those of httpaction.h ("Request
 * shape"). Pure functions, thread-safe; internal to the HTTP action executor.
 * Both return 0, or -1 when a limit is passed or memory runs out.
 */
#ifndef HA_RENDER_H
#define HA_RENDER_H

#include <jansson.h>
#include "base/buf.h"
#include "outbound/ha_action.h"
#include "outbound/template.h"

/* Template every string inside v (a deep copy the caller owns, changed in
 * place) with TEMPLATE_TEXT; a string that is exactly "{param}" takes the
 * parameter's typed value (null when absent). err names the placeholder. */
int ha_render_body(const struct ha_action *a, json_t *v, const struct template_ctx *ctx,
		   const json_t *vals, char *err, size_t errlen);

/* Append the parameters the URL did not use (used[i] == 0) as a query
 * string to url, before a fragment, which is dropped. */
int ha_render_query(struct buf *url, const struct ha_action *a, const json_t *vals,
		    const unsigned char *used);

#endif
