/* xnotify.c - test driver for notify.c and notifyq.c without the daemon:
 * sign, print a body or mail, make one try, or run the queue. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xspool.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: xnotify sign SECRET MSGID TS BODYFILE\n"
	    "       xnotify body JOBFILE STATE\n"
	    "       xnotify -c CONF mailmsg|webhook|mail JOBFILE STATE\n"
	    "       xnotify -c CONF [-t SECONDS] queue ID...\n"
	    "       xnotify -c CONF [-t SECONDS] drain\n");
	exit(2);
}

/* loop - run the queue until it is empty or the time is up */
static int
loop(struct notifyq *q, int secs)
{
	int64_t end = mono_ms() + secs * 1000LL, next;
	struct timespec ts;
	pid_t pid;
	int status;

	for (;;) {
		notifyq_run(q);
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (!notifyq_reap(q, pid, status))
				fprintf(stderr, "xnotify: unknown child\n");
		next = notifyq_next(q);
		if (next == -1 && notifyq_busy(q) == 0)
			return 0;
		if (mono_ms() > end)
			return 1;
		ts.tv_sec = 0;
		ts.tv_nsec = 20 * 1000000L;
		nanosleep(&ts, NULL);
	}
}

/* queue - what the daemon does when jobs reach the state they are in */
static int
queue(struct spool *sp, struct notifyq *q, char **ids, int n)
{
	char err[ERRLEN], node[NODE_MAX + 1];
	struct job j;
	int i, st;

	for (i = 0; i < n; i++) {
		job_init(&j);
		if ((st = spool_load(sp, ids[i], &j, node, err,
		    sizeof(err))) == -1) {
			fprintf(stderr, "xnotify: %s\n", err);
			return 1;
		}
		if (notifyq_prepare(q, &j, st) &&
		    spool_rewrite(sp, st, node, &j) == -1) {
			perror("xnotify: rewrite");
			return 1;
		}
		job_free(&j);
		notifyq_add(q, ids[i]);
	}
	return 0;
}

static int
run_queue(const struct config *c, int secs, char **ids, int n, int drain)
{
	char err[ERRLEN];
	struct spool sp;
	struct notifyq *q;
	int rc;

	if (spool_open(&sp, c->dir, c->node, c->gid, c->sync, 1, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "xnotify: %s\n", err);
		return 1;
	}
	q = notifyq_new(&sp, c);
	if (drain)
		notifyq_scan(q);
	rc = drain ? 0 : queue(&sp, q, ids, n);
	if (rc == 0)
		rc = loop(q, secs);
	notifyq_free(q);
	spool_close(&sp);
	return rc;
}

static int
one(const struct config *c, const char *cmd, const char *file,
    const char *state)
{
	char err[ERRLEN] = "";
	struct job j;
	struct buf b;
	int64_t ra = 0;
	int st = state_parse(state), rc;

	if (st == -1)
		usage();
	job_init(&j);
	buf_init(&b);
	if (spool_read(file, &j, err, sizeof(err)) == -1) {
		fprintf(stderr, "xnotify: %s\n", err);
		return 1;
	}
	if (strcmp(cmd, "body") == 0) {
		notify_webhook_body(&j, st, &b);
		printf("%s\n", b.p);
		rc = 0;
	} else if (strcmp(cmd, "mailmsg") == 0) {
		notify_email_message(c, &j, st, now_ms(), &b);
		fwrite(b.p, 1, b.len, stdout);
		rc = 0;
	} else if (strcmp(cmd, "webhook") == 0) {
		rc = notify_webhook_try(c, &j, st, &ra, err, sizeof(err));
		printf("%d %lld %s\n", rc, (long long)ra, err);
	} else if (strcmp(cmd, "mail") == 0) {
		rc = notify_email_try(c, &j, st, err, sizeof(err));
		printf("%d %s\n", rc, err);
	} else
		usage();
	buf_free(&b);
	job_free(&j);
	return rc < 0 ? 3 : rc;
}

int
main(int argc, char **argv)
{
	struct config c;
	const char *conf = NULL;
	char err[ERRLEN], sig[128];
	char *text;
	size_t len;
	int ch, secs = 20, rc;

	while ((ch = getopt(argc, argv, "c:t:")) != -1) {
		if (ch == 'c')
			conf = optarg;
		else if (ch == 't')
			secs = atoi(optarg);
		else
			usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	log_init("xnotify", 1);
	if (strcmp(argv[0], "sign") == 0 && argc == 5) {
		if (read_file(argv[4], JOB_MAX_SIZE, &text, &len) == -1 ||
		    notify_sign(argv[1], argv[2], strtoll(argv[3], NULL, 10),
		    text, len, sig, sizeof(sig), err, sizeof(err)) == -1) {
			fprintf(stderr, "xnotify: %s\n", err);
			return 1;
		}
		printf("%s\n", sig);
		free(text);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	if (conf && config_load(&c, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "xnotify: %s\n", err);
		return 2;
	}
	if (strcmp(argv[0], "queue") == 0 && conf)
		rc = run_queue(&c, secs, argv + 1, argc - 1, 0);
	else if (strcmp(argv[0], "drain") == 0 && conf)
		rc = run_queue(&c, secs, NULL, 0, 1);
	else if (argc == 3 && (conf || strcmp(argv[0], "body") == 0))
		rc = one(&c, argv[0], argv[1], argv[2]);
	else
		usage();
	if (conf)
		config_free(&c);
	return rc;
}
