/* xspool_submit.c - `xspool submit` and `xspool resubmit`: a new job,
 * from the command line or as a copy of an ended job's request, checked
 * (the type's rules, the client's max_queued) and written into queued/. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "xspool_cli.h"

/* read_password - "-p -": the first line of stdin */
static char *
read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((n = getline(&line, &cap, stdin)) <= 0) {
		free(line);
		errx(EXIT_USAGE, "submit: no password on standard input");
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* queue - a new job j checked and written into queued/, its id printed;
 * frees j; exits on an error (cmd names the command) */
static void
queue(struct ctx *x, struct job *j, const char *cmd)
{
	char e[ERRLEN];
	const char *code;
	int r;

	if (job_accept(&x->c, j, &code, e, sizeof(e)) == -1) {
		if (strcmp(code, "UNKNOWN_EXPORT_TYPE") == 0)
			errx(EXIT_USAGE, "%s: %s", cmd, e);
		errx(EXIT_USAGE, "%s: %s: %s", cmd, j->type, e);
	}
	if ((r = config_client(&x->c.max_queued, j->client)) > 0 &&
	    spool_queued_of(&x->s, j->client) >= r)
		errx(EXIT_NO, "%s: client %s has its max_queued (%d) jobs "
		    "queued; try again once some have started", cmd,
		    j->client ? j->client : "-", r);
	if (spool_submit(&x->s, j, x->c.min_free, e, sizeof(e)) == -1) {
		r = errno == ENOSPC ? EXIT_TEMPFAIL : EXIT_NO;
		job_free(j);
		ctx_free(x);
		errx(r, "%s: %s", cmd, e);
	}
	printf("%s\n", j->id);
	job_free(j);
}

int
cmd_submit(struct ctx *x, int argc, char **argv)
{
	char *eq;
	struct job j;
	int ch;

	job_init(&j);
	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "f:p:e:w:P:C:h", help_opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			if ((j.format = format_parse(optarg)) == FMT_NONE)
				errx(EXIT_USAGE, "submit: unknown format %s "
				    "(JSON or CSV)", optarg);
			break;
		case 'p':
			free(j.password);
			j.password = strcmp(optarg, "-") == 0 ?
			    read_password() : xstrdup(optarg);
			break;
		case 'e':
			free(j.email);
			j.email = xstrdup(optarg);
			break;
		case 'w':
			free(j.callback);
			j.callback = xstrdup(optarg);
			break;
		case 'C':
			free(j.client);
			j.client = xstrdup(optarg);
			break;
		case 'P':
			if ((eq = strchr(optarg, '=')) == NULL)
				errx(EXIT_USAGE, "submit: -P %s: want "
				    "NAME=VALUE", optarg);
			*eq = '\0';
			if (!param_name_valid(optarg))
				errx(EXIT_USAGE, "submit: -P %s: invalid "
				    "parameter name", optarg);
			job_set_param(&j, optarg, eq + 1);
			break;
		case 'h':
			help_exit("submit");
		default:
			cmd_usage("submit", NULL);
		}
	}
	want_args("submit", argc, argv, 1, "export type");
	j.type = xstrdup(argv[optind]);
	ctx_spool(x);
	queue(x, &j, "submit");
	return 0;
}

/* resubmit_copy - the request of old (type, format, params, client,
 * callback, e-mail) into a new j */
static void
resubmit_copy(struct job *j, const struct job *old)
{
	size_t i;

	job_init(j);
	j->type = xstrdup(old->type);
	j->format = old->format;
	for (i = 0; i < old->nparams; i++)
		job_set_param(j, old->params[i].name, old->params[i].value);
	j->client = old->client ? xstrdup(old->client) : NULL;
	j->callback = old->callback ? xstrdup(old->callback) : NULL;
	j->email = old->email ? xstrdup(old->email) : NULL;
	j->password = old->password ? xstrdup(old->password) : NULL;
}

int
cmd_resubmit(struct ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password", required_argument, NULL, 'p' },
		{ "no-password", no_argument, NULL, 'N' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	char node[NODE_MAX + 1], *pw = NULL;
	const char *id;
	struct job old, j;
	enum state st;
	int ch, nopw = 0;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("resubmit");
		else if (ch == 'N')
			nopw = 1;
		else if (ch == 'p') {
			free(pw);
			pw = strcmp(optarg, "-") == 0 ? read_password() :
			    xstrdup(optarg);
		} else
			cmd_usage("resubmit", NULL);
	}
	want_args("resubmit", argc, argv, 1, "job id");
	if (pw != NULL && nopw)
		cmd_usage("resubmit", "-p and --no-password together");
	id = check_id(argv[optind]);
	ctx_spool(x);
	st = ctx_load(x, id, &old, node);
	if (st != ST_COMPLETED && st != ST_FAILED && st != ST_CANCELLED)
		errx(EXIT_NO, "resubmit: %s is %s: only a COMPLETED, FAILED "
		    "or CANCELLED job is resubmitted", id, state_name(st));
	if (old.encrypted == 1 && old.password == NULL && pw == NULL &&
	    !nopw)
		errx(EXIT_USAGE, "resubmit: %s's zip was encrypted and its "
		    "password is not kept after a job ends: give it again "
		    "with -p (or --no-password for a zip without one)", id);
	resubmit_copy(&j, &old);
	job_free(&old);
	if (pw != NULL || nopw) {
		free(j.password);
		j.password = pw;
	}
	queue(x, &j, "resubmit");
	return 0;
}
