/* test_assistant_settings.c - the settings list: defaults, parsing (a value
 * of the wrong kind counts as unset), the stored document's defaults. */
#include <math.h>
#include "store/assistant_settings.h"
#include "test.h"

TEST(assistant_settings_defaults)
{
	struct assistant_settings s;

	assistant_settings_parse(NULL, &s);
	CHECK(s.max_call_duration == 600);
	CHECK(s.max_silence_duration == 30);
	CHECK(s.re_engagement_interval == 30);
	CHECK(s.allow_interruptions == 1);
	CHECK(s.end_call_on_voicemail == 1);
	CHECK(s.end_call_tool == 1);
	CHECK(s.record_call == 0 && s.noise_cancellation == 0 && s.filler_audios == 0);
	CHECK(s.is_webhook_active == 0 && s.post_call_evaluation == 0);
	CHECK(s.min_interrupt_words == 2 && s.use_min_interrupt_words == 0);
	CHECK(fabs(s.endpoint_sensitivity - 3) < 1e-9 && fabs(s.interrupt_sensitivity - 3) < 1e-9);
	CHECK(fabs(s.llm_temperature - 0.7) < 1e-9);
	CHECK(fabs(s.speech_speed - 1.0) < 1e-9);
	CHECK(s.handoff_after_tool_failures == 3);
	CHECK_STR(s.fallback_number, "");
	CHECK_STR(s.who_speaks_first, "AI assistant");
	CHECK_STR(s.endpoint_type, "vad");
	CHECK(s.voicemail_message == NULL && s.expected_phrases == NULL && s.variables == NULL);
	CHECK(s.ai_speaks_first == 1 && s.ai_endpoint == 0);
	CHECK(assistant_settings_max_minutes(&s) == 10);
}

TEST(assistant_settings_parse)
{
	struct assistant_settings s;
	json_t *a = json_pack("{s:i, s:b, s:f, s:s, s:s, s:b, s:s, s:[s], s:{s:s}, s:i, s:b, s:i}",
		"max_call_duration", 61, "allow_interruptions", 0, "speech_speed", 1.25,
		"who_speaks_first", "Customer", "endpoint_type", "ai", "end_call_tool", 0,
		"voicemail_message", "call back", "expected_phrases", "yes",
		"variables", "product", "x", "handoff_after_tool_failures", 0,
		"record_call", 1, "re_engagement_interval", 12);

	REQUIRE(a);
	assistant_settings_parse(a, &s);
	CHECK(s.max_call_duration == 61);
	CHECK(assistant_settings_max_minutes(&s) == 2);
	CHECK(s.allow_interruptions == 0);
	CHECK(fabs(s.speech_speed - 1.25) < 1e-9);
	CHECK(s.ai_speaks_first == 0 && s.ai_endpoint == 1);
	CHECK(s.end_call_tool == 0);
	CHECK_STR(s.voicemail_message, "call back");
	CHECK(json_is_array(s.expected_phrases) && json_array_size(s.expected_phrases) == 1);
	CHECK(json_is_object(s.variables));
	CHECK(s.handoff_after_tool_failures == 0);
	CHECK(s.record_call == 1 && s.re_engagement_interval == 12);
	CHECK(s.max_silence_duration == 30);	/* unset: the default */
	json_decref(a);

	/* a value of the wrong kind counts as unset */
	a = json_pack("{s:s, s:s, s:i, s:n, s:i, s:s}", "max_call_duration", "long",
		      "allow_interruptions", "no", "who_speaks_first", 3, "end_call_tool", "speech_speed", 2,
		      "expected_phrases", "yes");
	REQUIRE(a);
	assistant_settings_parse(a, &s);
	CHECK(s.max_call_duration == 600);
	CHECK(s.allow_interruptions == 1);
	CHECK(s.ai_speaks_first == 1);
	CHECK(s.end_call_tool == 1);	/* on unless false: null is not false */
	CHECK(fabs(s.speech_speed - 2.0) < 1e-9);	/* an integer is a number */
	CHECK(s.expected_phrases == NULL);
	json_decref(a);
}

TEST(assistant_settings_document)
{
	json_t *stored = json_pack("{s:i, s:s, s:s}", "max_call_duration", 300,
				   "voicemail_message", "hi", "custom_knob", "kept");
	json_t *o = json_object();

	REQUIRE(stored && o);
	assistant_settings_fill(o, stored);
	CHECK(json_integer_value(json_object_get(o, "max_call_duration")) == 300);
	CHECK(json_integer_value(json_object_get(o, "max_silence_duration")) == 30);
	CHECK(json_is_true(json_object_get(o, "allow_interruptions")));
	CHECK(json_is_true(json_object_get(o, "end_call_tool")));
	CHECK(json_is_object(json_object_get(o, "variables")));
	CHECK(json_is_array(json_object_get(o, "post_call_schema")));
	CHECK_STR(json_string_value(json_object_get(o, "who_speaks_first")), "AI assistant");
	CHECK(fabs(json_real_value(json_object_get(o, "llm_temperature")) - 0.7) < 1e-9);
	/* settings read but not shown stay out; undeclared ones are not the list's business */
	CHECK(!json_object_get(o, "voicemail_message"));
	CHECK(!json_object_get(o, "handoff_after_tool_failures"));
	CHECK(!json_object_get(o, "custom_knob"));
	/* the first key is the list's first */
	CHECK_STR(json_object_iter_key(json_object_iter(o)), "variables");

	json_t *i = json_integer(5), *r = json_real(0.5), *t = json_true(), *str = json_string("x");
	CHECK(assistant_settings_kind_ok("max_call_duration", i));
	CHECK(!assistant_settings_kind_ok("max_call_duration", r));
	CHECK(assistant_settings_kind_ok("speech_speed", i));
	CHECK(!assistant_settings_kind_ok("record_call", i));
	CHECK(assistant_settings_kind_ok("record_call", t));
	CHECK(assistant_settings_kind_ok("end_call_tool", str));	/* any value */
	CHECK(assistant_settings_kind_ok("voicemail_message", i));	/* not shown: not checked */
	CHECK(assistant_settings_kind_ok("custom_knob", r));
	json_decref(i);
	json_decref(r);
	json_decref(t);
	json_decref(str);
	json_decref(stored);
	json_decref(o);
}

const struct unit_test assistant_settings_tests[] = {
	T(assistant_settings_defaults), T(assistant_settings_parse), T(assistant_settings_document), { 0 }
};
