/*
 * admin.h - operator commands for the in-call plane's data: contacts (and
 * the outside sources looked up for them), users, office hours, calls that
 * an external voice engine has on the line, the webhook signing secret.
 *
 *   switchboard contact import|add, contact source add|list|remove
 *   switchboard user add|dnd, office-hours set, call start, webhook secret
 *
 * (`call start` registers a call that an external voice engine has on the
 * line, so it can drive it through /call/mcp.) Every command names its
 * account (--account ID) and opens the database as it is (no migration,
 * database_open_existing); each prints what it made. Exit code 0, 1 when the
 * account, the database or the store refused, 2 bad usage.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <stddef.h>

struct cmdline_args;

/* ---- the commands (rows of cli/commands.c) --------------------------------- */

int admin_cmd_contact_import(const struct cmdline_args *a);     /* FILE.csv|FILE.vcf */
int admin_cmd_contact_add(const struct cmdline_args *a);
int admin_cmd_user_add(const struct cmdline_args *a);
int admin_cmd_user_dnd(const struct cmdline_args *a);           /* on|off */
int admin_cmd_office_hours_set(const struct cmdline_args *a);   /* FILE.json */
int admin_cmd_call_start(const struct cmdline_args *a);
int admin_cmd_source_add(const struct cmdline_args *a);
int admin_cmd_source_list(const struct cmdline_args *a);
int admin_cmd_source_remove(const struct cmdline_args *a);
int admin_cmd_webhook_secret(const struct cmdline_args *a);

/* ---- contact import ----------------------------------------------------------- */

/* Contacts from CSV (header row naming name, phone/phones/number, company,
 * email) or vCard text; numbers normalised with default_cc. Returns the
 * number imported, -1 on a malformed file (with a message in err). */
int admin_import_contacts(long long account_id, const char *text, const char *default_cc,
			  char *err, size_t errlen);

#endif
