/* xspool_cli.h - what the files of the command-line tool (xspool.c,
 * xspool_check.c, xspool_keys.c) share.  They are linked into xspool only
 * (see the Makefile): unlike the library, they print and exit. */
#ifndef XSPOOL_CLI_H
#define XSPOOL_CLI_H

#define HOUR_MS		(3600 * 1000LL)

struct ctx {
	const char	*confpath;
	struct config	 c;
	struct spool	 s;
	int		 have_conf, have_spool;
};

/* one listed job */
struct entry {
	char		 id[ID_MAX + 1];
	char		 node[NODE_MAX + 1];
	enum state	 st;
	int64_t		 mtime;
	int64_t		 created;
	struct job	 j;
	int		 ok;		/* j was read */
};

struct entries {
	struct entry	*v;
	size_t		 n, cap;
	enum state	 st;
};

/* xspool.c */
void	 usage(void) __attribute__((noreturn));
/* The config file (-c, else config_default()); exits on an error. */
void	 ctx_config(struct ctx *);
/* The config, then the spool (made when missing); exits on an error. */
void	 ctx_spool(struct ctx *);
void	 ctx_free(struct ctx *);
/* "45s", "3m", "2h", "5d" */
char	*fmt_age(int64_t ms, char *buf, size_t size);
/* spool_each callback into a struct entries: id, node and mtime */
int	 collect(const char *id, const char *node, const struct stat *sb,
	    void *arg);

/* the subcommands: argv[0] is the subcommand's name; the exit status */
int	 cmd_check(struct ctx *, int argc, char **argv);	/* xspool_check.c */
int	 cmd_key(struct ctx *, int argc, char **argv);	/* xspool_keys.c */

#endif /* XSPOOL_CLI_H */
