/* SPDX-License-Identifier: ISC */
/*
 * Command-line options (options.c): one table drives getopt_long, --help,
 * --dump-config and the man page's check (tests/options.py).
 */
#ifndef OPTIONS_H
#define OPTIONS_H

/* What main acts on itself; the rest goes into settings (mcp-hotd.h). */
struct cli {
	const char	*socket_path;
	const char	*http;
	const char	*token_file;
	const char	*origin;
	const char	*state_key_file;
	const char	*access_log;
	const char	*metrics_listen;
	int		 stdio;
	int		 test;
	int		 verbose;
	int		 spawner;	/* 0: --no-spawner */
	int		 watch;		/* 0: --no-watch */
	int		 dump;		/* --dump-config */
};

void	options_parse(int, char *[], struct cli *);
void	options_dump(const struct cli *);

#endif
