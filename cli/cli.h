/* cli/cli.h — the `habit` command line.
 *
 * Contract: each subcommand is one function taking its own argv (argv[0] is
 * the subcommand's name) and returning the process exit code:
 *   0 success; 1 alerts raised under --fail-on-alert;
 *   2 bad usage or bad input (a message names the file and what is wrong);
 *   3 a failure of the machine (out of memory, disk full, a socket error).
 * Messages go to stderr, prefixed "habit: ".
 */
#ifndef HABIT_CLI_CLI_H
#define HABIT_CLI_CLI_H

enum { EXIT_OK = 0, EXIT_ALERTS = 1, EXIT_BAD_INPUT = 2, EXIT_FAILURE_RT = 3 };

int cmd_replay(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_policy_mode(int argc, char **argv); /* argv[0] is "mode" */
int cmd_collect(int argc, char **argv);
int cmd_engine(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_enforce(int argc, char **argv);
int cmd_enforce_net(int argc, char **argv); /* argv[0] is "net" */
/* habit policy export (argv[0] is "export"). */
int cmd_policy_export(int argc, char **argv);
/* habit collect file (argv[0] is "file"). */
int cmd_collect_file(int argc, char **argv);
int cmd_collect_proc(int argc, char **argv); /* argv[0] == "proc" */

/* Print "habit: <msg>\n" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit code for a negative errno-style code from a failed step on input. */
int cli_exit_for(int rc);

#endif
