/* xspool_ops.c - `xspool cancel` and `xspool retry`: ops.c's calls on
 * one job; cancel --running also asks the daemon running the job to stop
 * it and waits for the answer. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xspool.h"
#include "xspool_cli.h"

#define CANCEL_WAIT_MS	60000	/* cancel --running: the daemon's answer */

/* cancel_queued - ops_cancel of j, read from queued/; 0, or -1 when it
 * is no longer queued (exits on another error) */
static int
cancel_queued(struct ctx *x, struct job *j)
{
	int r;

	if ((r = ops_cancel(&x->s, j)) == -1) {
		if (errno == ENOENT)
			return -1;
		err(EXIT_NO, "cancel: %s", j->id);
	}
	if (r == 1)
		warn("cancel: %s: notification hint", j->id);
	return 0;
}

/* cancel_running - asks the daemon running j (on node) to stop it, and
 * waits for the job to leave processing/: its final state, or -1 when it
 * is still there after CANCEL_WAIT_MS (the request stays) */
static int
cancel_running(struct ctx *x, struct job *j, char *node)
{
	char e[ERRLEN], now_node[NODE_MAX + 1];
	int64_t start = mono_ms(), asked;
	struct job cur;
	int st;

	if (ops_cancel_request(&x->s, j, node) == -1)
		err(EXIT_NO, "cancel: %s: cannot write the request in "
		    "processing/%s", j->id, node);
	asked = j->started;
	for (;;) {
		nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
		job_init(&cur);
		st = spool_load(&x->s, j->id, &cur, now_node, e, sizeof(e));
		if (st == ST_PROCESSING && (cur.started != asked ||
		    strcmp(now_node, node) != 0)) {
			/* another attempt, or another node, since: ask it */
			ops_cancel_clear(&x->s, node, j->id);
			snprintf(node, NODE_MAX + 1, "%s", now_node);
			if (ops_cancel_request(&x->s, &cur, node) == 0)
				asked = cur.started;
		}
		job_free(&cur);
		if (st != ST_PROCESSING && st != -1)
			break;
		if (mono_ms() - start >= CANCEL_WAIT_MS)
			return -1;
	}
	ops_cancel_clear(&x->s, node, j->id);	/* when it ended first */
	return st;
}

int
cmd_cancel(struct ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "running", no_argument, NULL, 'r' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	char node[NODE_MAX + 1];
	const char *id;
	struct job j;
	enum state st;
	int ch, running = 0, tries, r;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if (ch == 'h')
			help_exit("cancel");
		else if (ch == 'r')
			running = 1;
		else
			cmd_usage("cancel", NULL);
	want_args("cancel", argc, argv, 1, "job id");
	id = check_id(argv[optind]);
	ctx_spool(x);
	for (tries = 0; ; tries++) {
		st = ctx_load(x, id, &j, node);
		if (st != ST_QUEUED || cancel_queued(x, &j) == 0)
			break;
		job_free(&j);
		if (!running || tries == 3)	/* claimed meanwhile */
			errx(EXIT_NO, "cancel: %s is no longer queued", id);
	}
	if (st == ST_QUEUED) {
		job_free(&j);
		return 0;
	}
	if (st != ST_PROCESSING || !running) {
		job_free(&j);
		ctx_free(x);
		errx(EXIT_NO, "cancel: %s is %s: only a queued job can be "
		    "cancelled%s", id, state_name(st), st == ST_PROCESSING ?
		    " (--running stops a running one)" : "");
	}
	r = cancel_running(x, &j, node);
	job_free(&j);
	if (r == -1)
		errx(EXIT_NO, "cancel: %s: requested, but still PROCESSING "
		    "after %ds: is xspoold running on node %s?", id,
		    CANCEL_WAIT_MS / 1000, node);
	printf("%s\n", state_name(r));
	if (r != ST_CANCELLED)
		warnx("cancel: %s ended %s before it could be stopped", id,
		    state_name(r));
	return r == ST_CANCELLED ? 0 : EXIT_NO;
}

int
cmd_retry(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1];
	const char *id;
	struct job j;
	enum state st;
	int e, ch;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "h", help_opts, NULL)) != -1)
		if (ch == 'h')
			help_exit("retry");
		else
			cmd_usage("retry", NULL);
	want_args("retry", argc, argv, 1, "job id");
	id = check_id(argv[optind]);
	ctx_spool(x);
	st = ctx_load(x, id, &j, node);
	if (st != ST_CANCELLED && st != ST_FAILED) {
		job_free(&j);
		ctx_free(x);
		errx(EXIT_NO, "retry: %s is %s: only a cancelled or failed "
		    "job can be retried", id, state_name(st));
	}
	if (j.encrypted == 1 && j.password == NULL)	/* never unencrypted */
		errx(EXIT_NO, "retry: %s's zip was to be encrypted and its "
		    "password is not kept: xspool resubmit %s -p PASSWORD "
		    "makes a new job", id, id);
	if (ops_retry(&x->s, &j, st) == -1) {
		e = errno;
		job_free(&j);
		ctx_free(x);
		if (e == ENOENT)
			errx(EXIT_NO, "retry: %s moved meanwhile", id);
		errno = e;
		err(EXIT_NO, "retry: %s", id);
	}
	job_free(&j);
	return 0;
}
