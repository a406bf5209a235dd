/*
 * commands.h - the switchboard command table and its dispatcher.
 *
 * commands_table is THE list of commands: one row each (cmdline.h), with its
 * summary, options, arguments and handler; `switchboard --help`,
 * `switchboard help [COMMAND]`, `switchboard COMMAND --help`, the option
 * checks and the dispatch are all derived from it. The handlers live in the
 * modules of their concern (serve.c, provision.c, models.c, admin.c,
 * database.c).
 *
 * Exit codes: what the handler returns (0 done, 1 failed), 2 for bad usage
 * (unknown command, sub-command or option, a missing value or argument),
 * 0 for help asked for.
 */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

#include "cli/cmdline.h"

extern const struct cmdline_cmd commands_table[];

/* Run the command line (argv[0] is the program). The tool table is set up
 * around every command but help and version. */
int commands_main(int argc, char **argv);

#endif
