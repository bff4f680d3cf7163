/* xspool_cli.h - what the files of the command-line tool (xspool.c and
 * its subcommands' xspool_*.c) share.  They are linked into xspool only
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

/* list's filters: all must match */
struct lfilter {
	unsigned	  states;	/* 1 << state; 0: none given */
	const char	**types;	/* any of these (none: any type) */
	size_t		  ntypes;
	const char	**clients;	/* any of these (none: any client) */
	size_t		  nclients;
	int64_t		  since, until;	/* created in [since, until) */
	size_t		  limit;	/* the newest limit, SIZE_MAX: all */
};

/* xspool.c */
void	 usage(void) __attribute__((noreturn));
/* The config file (-c, else config_default()); exits on an error. */
void	 ctx_config(struct ctx *);
/* The config, then the spool (made when missing); exits on an error. */
void	 ctx_spool(struct ctx *);
void	 ctx_free(struct ctx *);
/* Job id from the spool into j (free it with job_free), the node
 * processing it into node (NODE_MAX + 1 bytes); no such job: a message
 * (a file in bad/: its reason) and exit 1. */
enum state ctx_load(struct ctx *, const char *id, struct job *j,
	    char *node);
/* An id from the command line, before any path is made: id, or a
 * message and exit 2 when it is not a job id. */
const char *check_id(const char *id);
/* "45s", "3m", "2h", "5d" */
char	*fmt_age(int64_t ms, char *buf, size_t size);

/* xspool_list.c */
/* spool_each callback into a struct entries: id, node and mtime */
int	 collect(const char *id, const char *node, const struct stat *sb,
	    void *arg);

/* xspool_help.c */
#include <getopt.h>
#include <stdio.h>
/* the --help long option every command's getopt_long takes ('h') */
#define HELP_OPTION	{ "help", no_argument, NULL, 'h' }
/* getopt_long's options of a command that takes --help alone */
extern const struct option help_opts[];
int	 is_help(const char *arg);	/* "-h" or "--help" */
/* The commands' list and synopses onto fp. */
void	 help_all(FILE *fp);
/* Command name's help on stdout, exit 0 (an unknown name: exit 2). */
void	 help_exit(const char *name) __attribute__((noreturn));
/* A usage error of command name: "xspool NAME: MESSAGE" (fmt NULL: none)
 * and its synopsis on stderr, exit 2. */
void	 cmd_usage(const char *name, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
/* After getopt: exactly want operands, else a usage error naming what is
 * missing ("missing job id") or the first one too many. */
void	 want_args(const char *name, int argc, char **argv, int want,
	    const char *what);

/* xspool_filter.c */
void	 lf_init(struct lfilter *);	/* no filter */
void	 lf_free(struct lfilter *);	/* the arrays, not their strings */
/* "queued,failed", "all": into f->states (list is cut up); -1 when a
 * name is unknown */
int	 lf_states(struct lfilter *f, char *list);
void	 lf_add(const char ***v, size_t *n, const char *s);
/* ISO 8601 ("2026-12-01", "2026-12-01T10:00:00Z", "...+02:00"; local
 * time without a zone) or an age before now ("90s", "2h", "7d") into
 * *ms; -1 when it is neither. */
int	 lf_time(const char *s, int64_t now, int64_t *ms);
/* 1 when read entry e passes f's type, client and time filters */
int	 lf_match(const struct lfilter *f, const struct entry *e);
/* Keeps the last f->limit of the sorted es (the newest). */
/* Keeps f->limit entries: the last ones (the newest), or the first ones
 * (the queued in run order: the next to run). */
void	 lf_limit(const struct lfilter *f, struct entries *es, int first);

/* A subcommand: argv[0] is its name; returns the exit status. */
typedef int cmd_fn(struct ctx *, int argc, char **argv);
cmd_fn	 cmd_submit, cmd_resubmit;	/* xspool_submit.c */
cmd_fn	 cmd_status, cmd_wait;		/* xspool_status.c */
cmd_fn	 cmd_list;			/* xspool_list.c */
cmd_fn	 cmd_cancel, cmd_retry;		/* xspool_ops.c */
cmd_fn	 cmd_download;			/* xspool_download.c */
cmd_fn	 cmd_check;			/* xspool_check.c */
cmd_fn	 cmd_key;			/* xspool_keys.c */
cmd_fn	 cmd_types;			/* xspool_types.c */
cmd_fn	 cmd_help;			/* xspool_help.c */

#endif /* XSPOOL_CLI_H */
