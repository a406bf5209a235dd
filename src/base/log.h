/*
 * log.h - operator logging to stderr.
 *
 * One line per event: "2026-11-21T10:00:00Z info http: listening on ...".
 * stdout is never used (it carries the stdio transport). Secrets (API keys,
 * header values of mid-call tools) are never passed to these functions.
 * The threshold comes from SWITCHBOARD_LOG (debug|info|warn|error).
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
void log_init_from_env(void);
void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
