/* assistant_settings.c - the settings list, its defaults, the typed view
 * (see assistant_settings.h). */
#include <string.h>
#include "store/assistant_settings.h"

enum kind { K_BOOL, K_INT, K_NUM, K_STR, K_OBJ, K_ARR, K_ONOFF };

static const struct setting {
	const char *key;
	enum kind kind;
	double num;          /* default for BOOL, INT, NUM, ONOFF */
	const char *text;    /* default for STR */
	int shown;
} settings[] = {
#define ROW(key, kind, num, text, shown) { #key, K_##kind, num, text, shown },
	ASSISTANT_SETTINGS(ROW)
#undef ROW
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static int kind_ok(enum kind k, const json_t *v)
{
	switch (k) {
	case K_BOOL:  return json_is_boolean(v);
	case K_INT:   return json_is_integer(v);
	case K_NUM:   return json_is_number(v);
	case K_STR:   return json_is_string(v);
	case K_OBJ:   return json_is_object(v);
	case K_ARR:   return json_is_array(v);
	default:      return 1;
	}
}

/* The value a kind takes from v, or the default when v is unset or of
 * another kind: one function per C type. */
static int get_BOOL(const json_t *v, double num, const char *text)
{
	return json_is_boolean(v) ? json_is_true(v) : num != 0;
}

static int get_INT(const json_t *v, double num, const char *text)
{
	return json_is_integer(v) ? (int)json_integer_value(v) : (int)num;
}

static double get_NUM(const json_t *v, double num, const char *text)
{
	return json_is_number(v) ? json_number_value(v) : num;
}

static const char *get_STR(const json_t *v, double num, const char *text)
{
	return json_is_string(v) ? json_string_value(v) : text;
}

static json_t *get_OBJ(json_t *v, double num, const char *text)
{
	return json_is_object(v) ? v : NULL;
}

static json_t *get_ARR(json_t *v, double num, const char *text)
{
	return json_is_array(v) ? v : NULL;
}

static int get_ONOFF(const json_t *v, double num, const char *text)
{
	return v ? !json_is_false(v) : num != 0;
}

void assistant_settings_parse(const json_t *assistant, struct assistant_settings *s)
{
	memset(s, 0, sizeof(*s));
#define PARSE(key, kind, num, text, shown) \
	s->key = get_##kind(json_object_get(assistant, #key), num, text);
	ASSISTANT_SETTINGS(PARSE)
#undef PARSE
	s->ai_speaks_first = !s->who_speaks_first || strcmp(s->who_speaks_first, "Customer") != 0;
	s->ai_endpoint = s->endpoint_type && !strcmp(s->endpoint_type, "ai");
}

int assistant_settings_max_minutes(const struct assistant_settings *s)
{
	return (s->max_call_duration + 59) / 60;
}

static json_t *default_json(const struct setting *s)
{
	switch (s->kind) {
	case K_BOOL:
	case K_ONOFF:
		return json_boolean(s->num != 0);
	case K_INT:
		return json_integer((json_int_t)s->num);
	case K_NUM:
		return json_real(s->num);
	case K_STR:
		return s->text ? json_string(s->text) : json_null();
	case K_OBJ:
		return json_object();
	default:
		return json_array();
	}
}

void assistant_settings_fill(json_t *out, const json_t *stored)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		json_t *v;

		if (!settings[i].shown)
			continue;
		v = json_object_get(stored, settings[i].key);
		json_object_set_new(out, settings[i].key, v ? json_incref(v) : default_json(&settings[i]));
	}
}

int assistant_settings_kind_ok(const char *key, const json_t *v)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (settings[i].shown && !strcmp(settings[i].key, key))
			return kind_ok(settings[i].kind, v);
	return 1;
}
