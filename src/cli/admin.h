/*
 * admin.h - operator commands for the in-call plane's data:
 *   switchboard contact import --account ID FILE.csv|FILE.vcf [--country CC]
 *   switchboard contact add --account ID --name N --phone P[,P] [--company C]
 *   switchboard user add --account ID --name N [--extension E] [--phone P] [--dnd]
 *   switchboard user dnd --account ID --user ID on|off
 *   switchboard office-hours set --account ID --assistant ID FILE.json
 *   switchboard call start --account ID --assistant ID --from P [--to P]
 * (`call start` registers a call that an external voice engine has on the
 * line, so it can drive it through /call/mcp.) Each prints what it made.
 */
#ifndef ADMIN_H
#define ADMIN_H

/* argv[0] is the command name ("contact", "user", "office-hours", "call"). */
int admin_main(int argc, char **argv, const char *(*db_path)(const char *));

/* Contacts from CSV (header row naming name, phone/phones/number, company,
 * email) or vCard text; numbers normalised with default_cc. Returns the
 * number imported, -1 on a malformed file (with a message in err). */
int admin_import_contacts(long long account_id, const char *text, const char *default_cc,
			  char *err, size_t errlen);

#endif
