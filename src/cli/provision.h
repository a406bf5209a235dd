/*
 * provision.h - the commands that provision tenants: accounts, their API
 * keys and their phone numbers (with the SIP trunk a number uses).
 *
 *   switchboard account create|list     prints the new id, or the accounts as JSON
 *   switchboard key create|list|revoke  prints the key once (only its hash is kept)
 *   switchboard number add|trunk        prints the number's id
 *
 * Each opens the database with database_open (made and migrated if need
 * be). Exit code 0, 1 when the store refused or failed, 2 bad usage (a bad
 * id, scope, number or trunk), each with one line on stderr.
 */
#ifndef CLI_PROVISION_H
#define CLI_PROVISION_H

struct cmdline_args;

int provision_cmd_account_create(const struct cmdline_args *a);
int provision_cmd_account_list(const struct cmdline_args *a);
int provision_cmd_key_create(const struct cmdline_args *a);
int provision_cmd_key_list(const struct cmdline_args *a);
int provision_cmd_key_revoke(const struct cmdline_args *a);
int provision_cmd_number_add(const struct cmdline_args *a);
int provision_cmd_number_trunk(const struct cmdline_args *a);
int provision_cmd_number_list(const struct cmdline_args *a);

#endif
