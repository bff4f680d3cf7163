/* xspool.c - the command-line tool's main: its options, the table of
 * subcommands and the dispatch, and what every subcommand shares (the
 * config and spool context, an id checked, a job loaded).  Each group of
 * subcommands is a file of its own, xspool_*.c; xspool_cli.h is what
 * they share. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "xspool_cli.h"

void __attribute__((noreturn))
usage(void)
{
	help_all(stderr);
	exit(EXIT_USAGE);
}

/* ctx_config - the config file: -c, else config_default() */
void
ctx_config(struct ctx *x)
{
	char e[ERRLEN];
	const char *path = x->confpath;

	if (path == NULL)
		path = config_default();
	if (config_load(&x->c, path, e, sizeof(e)) == -1)
		errx(EXIT_USAGE, "%s", e);
	x->have_conf = 1;
}

/* ctx_spool - the config, then the spool (made when missing) */
void
ctx_spool(struct ctx *x)
{
	char e[ERRLEN];

	ctx_config(x);
	if (spool_open(&x->s, x->c.dir, x->c.node, x->c.gid, x->c.sync, 1, e,
	    sizeof(e)) == -1)
		errx(EXIT_USAGE, "spool: %s", e);
	x->have_spool = 1;
}

void
ctx_free(struct ctx *x)
{
	if (x->have_spool)
		spool_close(&x->s);
	if (x->have_conf)
		config_free(&x->c);
}

/* check_id - an id from the command line, before any path is made */
const char *
check_id(const char *id)
{
	if (!id_valid(id))
		errx(EXIT_USAGE, "%s: invalid job id", id);
	return id;
}

/* fmt_age - "45s", "3m", "2h", "5d" */
char *
fmt_age(int64_t ms, char *buf, size_t size)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, size, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(s / 86400));
	return buf;
}

/* ctx_load - the job, or a message and exit 1 (no such job; a file in
 * bad/: its reason) */
enum state
ctx_load(struct ctx *x, const char *id, struct job *j, char *node)
{
	char e[ERRLEN], name[NAME_MAX + 8], why[ERRLEN];
	int st;

	job_init(j);
	if ((st = spool_load(&x->s, id, j, node, e, sizeof(e))) == -1) {
		job_free(j);
		if (errno == ENOENT && spool_bad_why(&x->s, id, name,
		    sizeof(name), why, sizeof(why), NULL) == 0) {
			ctx_free(x);
			errx(EXIT_NO, "%s is BAD (%s): %s", id, name, why);
		}
		ctx_free(x);
		errx(EXIT_NO, "%s", e);
	}
	return (enum state)st;
}

/* ---------------------------------------------------------------- main */

static const struct command {
	const char	*name;
	cmd_fn		*fn;
} commands[] = {
	{ "submit", cmd_submit },
	{ "status", cmd_status },
	{ "list", cmd_list },
	{ "cancel", cmd_cancel },
	{ "wait", cmd_wait },
	{ "download", cmd_download },
	{ "retry", cmd_retry },
	{ "check", cmd_check },
	{ "key", cmd_key },
	{ "resubmit", cmd_resubmit },
	{ "types", cmd_types },
	{ "help", cmd_help },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	struct ctx x;
	size_t i;
	int ch, r;

	memset(&x, 0, sizeof(x));
	while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			x.confpath = optarg;
			break;
		case 'V':
			printf("xspool %s\n", XSPOOL_VERSION);
			return 0;
		case 'h':
			help_all(stdout);
			return fflush(stdout) == EOF ? EXIT_NO : 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("missing command");
		usage();
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		warnx("%s: unknown command", argv[0]);
		usage();
	}
	/* "xspool CMD -h": whatever CMD's own options are */
	if (argc >= 2 && is_help(argv[1]))
		help_exit(argv[0]);
	r = commands[i].fn(&x, argc, argv);
	ctx_free(&x);
	if (fflush(stdout) == EOF)
		err(EXIT_NO, "stdout");
	return r;
}
