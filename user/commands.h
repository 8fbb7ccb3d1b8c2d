/* SPDX-License-Identifier: GPL-2.0 */
/* One entry point per tdvtrace command; argv[0] is "tdvtrace COMMAND". */
#ifndef TDV_COMMANDS_H
#define TDV_COMMANDS_H

int cmd_probes(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif /* TDV_COMMANDS_H */
