/* The subcommands. Each gets argv[0] = its own name and returns an exit
 * code (LF_EXIT_*, tools/common/lf_exit.h). */
#ifndef LFIMG_CMDS_H
#define LFIMG_CMDS_H

int lfimg_cmd_keygen(int argc, char **argv);
int lfimg_cmd_getpub(int argc, char **argv);
int lfimg_cmd_sign(int argc, char **argv);
int lfimg_cmd_verify(int argc, char **argv);
int lfimg_cmd_dump(int argc, char **argv);
int lfimg_cmd_provision(int argc, char **argv);
int lfimg_cmd_pack(int argc, char **argv);

#endif
