/*
 * main.c - the switchboard command. Every command is a row of the table in
 * commands.c (switchboard --help lists them, each answers --help);
 * configuration comes from flags, then SWITCHBOARD_* environment variables,
 * then defaults.
 */
#include <signal.h>
#include <stdio.h>
#include "cli/commands.h"
#include "base/log.h"
#include "base/util.h"

int main(int argc, char **argv)
{
	log_init_from_env();
	if (util_init()) {
		fputs("switchboard: cannot initialise libsodium\n", stderr);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return commands_main(argc, argv);
}
