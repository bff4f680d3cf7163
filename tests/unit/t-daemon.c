/* t-daemon.c - daemon.c's poll-driven interface driven as xspoold's main
 * loop drives it (tick, pollfds, timeout, input, reap), on a temporary
 * spool with two tiny exporters written here: recovery at start of an
 * interrupted job, a job completed with its zip, one failing until its
 * last attempt, hostile drops (a symlink, a FIFO, an unknown type) sent to
 * bad/, and a clean stop that removes the heartbeat.  The loop is bounded
 * (a bound for a hang, not a timing assertion). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "tap.h"

static char top[64];
static struct daemon *d;

static const char *
P(const char *rel)
{
	static char b[8][PATH_MAX];
	static int k;
	char *p = b[k++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", top, rel);
	return p;
}

static void
put(const char *rel, const char *text, mode_t mode)
{
	FILE *f = fopen(P(rel), "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF ||
	    chmod(P(rel), mode) == -1) {
		printf("Bail out! %s: %s\n", rel, strerror(errno));
		exit(1);
	}
}

/* submit - a job file through tmp/ into queued/ */
static void
submit(const char *id, const char *text)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "spool/queued/%s.job", id);
	put("spool/tmp/submit", text, 0600);
	rename(P("spool/tmp/submit"), P(rel));
}

static int
exists(const char *rel)
{
	struct stat sb;

	return lstat(P(rel), &sb) == 0;
}

/* attempts - the attempts of the job file at rel, -1 when unreadable */
static int
attempts(const char *rel)
{
	char err[ERRLEN];
	struct job j;
	int n;

	job_init(&j);
	n = spool_read(P(rel), &j, err, sizeof(err)) == 0 ? j.attempts : -1;
	job_free(&j);
	return n;
}

static int
all_ended(void)
{
	return exists("spool/completed/ok1.job") &&
	    exists("spool/completed/rec1.job") &&
	    exists("spool/cancelled/f1.job") &&
	    exists("spool/bad/link.job") && exists("spool/bad/fifo.job") &&
	    exists("spool/bad/ut.job");
}

static int
stopped(void)
{
	return daemon_done(d);
}

/* run_until - xspoold's loop until cond() holds or limit_ms pass; 1 when
 * it held (daemon_reap every round stands in for SIGCHLD) */
static int
run_until(int (*cond)(void), int64_t limit_ms)
{
	struct pollfd pfd[64];
	int64_t end = mono_ms() + limit_ms, t;
	int n;

	while (!cond()) {
		if (mono_ms() >= end)
			return 0;
		daemon_tick(d);
		if (cond())
			break;
		n = daemon_pollfds(d, pfd, 64);
		t = daemon_timeout(d);
		if (t < 0)
			return 0;
		if (poll(pfd, n, t > 50 ? 50 : (int)t) == -1 && errno != EINTR)
			return 0;
		daemon_input(d, pfd, n);
		daemon_reap(d);
	}
	return 1;
}

int
main(void)
{
	char conf[4096], err[ERRLEN] = "", cmd[128];
	struct pollfd pfd[64];
	struct config *c;
	int n;

	signal(SIGPIPE, SIG_IGN);	/* as proc_signals does in xspoold */
	snprintf(top, sizeof(top), "/tmp/t-daemon.XXXXXX");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	put("ok", "#!/bin/sh\necho id,name\necho 1,one\n", 0755);
	put("fail", "#!/bin/sh\necho 'fail: on purpose' >&2\nexit 3\n", 0755);
	snprintf(conf, sizeof(conf),
	    "[spool]\ndir = %s\nnode = unit\nworkers = 2\nmax_attempts = 2\n"
	    "retry_base = 10ms\nretry_max = 20ms\nlease = 10s\nrescan = 1s\n"
	    "drop_grace = 1s\nmin_free = 1M\nsync = no\n\n"
	    "[type Ok]\ncommand = %s\nemits = csv\nformats = JSON,CSV\n\n"
	    "[type Fail]\ncommand = %s\nemits = csv\nformats = CSV\n",
	    P("spool"), P("ok"), P("fail"));
	put("xspool.conf", conf, 0600);

	/* what a crash left, and hostile drops, before the start */
	mkdir(P("spool"), 0700);
	mkdir(P("spool/processing"), 0700);
	mkdir(P("spool/processing/unit"), 0700);
	mkdir(P("spool/queued"), 0700);
	put("spool/processing/unit/rec1.job",
	    "{\"type\": \"Ok\", \"format\": \"CSV\"}\n", 0600);
	put("elsewhere.job", "{\"type\": \"Ok\"}\n", 0600);
	symlink(P("elsewhere.job"), P("spool/queued/link.job"));
	mkfifo(P("spool/queued/fifo.job"), 0600);
	put("spool/queued/ut.job", "{\"type\": \"Nonesuch\"}\n", 0600);

	c = xcalloc(1, sizeof(*c));
	if (config_load(c, P("xspool.conf"), err, sizeof(err)) == -1) {
		printf("Bail out! config: %s\n", err);
		return 1;
	}
	/* the daemon's log into a file, shown when a test fails */
	if (freopen(P("daemon.log"), "w", stderr) == NULL) {
		printf("Bail out! daemon.log: %s\n", strerror(errno));
		return 1;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	log_init("t-daemon", 1);
	d = daemon_new(c, NULL, 2000, err, sizeof(err));
	ok(d != NULL, "daemon_new on a temporary spool (%s)", err);
	if (d == NULL)
		return done_testing();
	ok(exists("spool/nodes/unit") && exists("spool/out") &&
	    exists("spool/failed"), "the layout and the heartbeat are made");
	n = daemon_pollfds(d, pfd, 64);
	ok(n == 3, "pollfds: inotify and the two workers' sockets (%d)", n);
	ok(daemon_pollfds(d, pfd, 1) == 1, "never more than max");
	ok(daemon_timeout(d) >= 0, "a timeout that is not negative");
	ok(!daemon_done(d), "not done before a stop");

	submit("ok1", "{\"type\": \"Ok\", \"format\": \"CSV\"}\n");
	submit("f1", "{\"type\": \"Fail\", \"format\": \"CSV\"}\n");
	ok(run_until(all_ended, 30000), "every job and drop ends");
	ok(exists("spool/out/ok1.zip"), "a completed job has its zip");
	ok(attempts("spool/completed/ok1.job") == 1, "in one attempt");
	ok(exists("spool/out/rec1.zip") &&
	    attempts("spool/completed/rec1.job") == 2,
	    "the job a crash left in processing/ counts as an interrupted "
	    "attempt, then completes (attempts %d)",
	    attempts("spool/completed/rec1.job"));
	ok(attempts("spool/cancelled/f1.job") == 2 &&
	    !exists("spool/out/f1.zip"),
	    "a failing job is cancelled after max_attempts, without a zip");
	ok(exists("spool/bad/link.job.why") && exists("spool/bad/fifo.job.why")
	    && exists("spool/bad/ut.job.why"),
	    "a symlink, a FIFO and an unknown type go to bad/ with a reason");
	ok(exists("elsewhere.job"), "the symlink's target is left alone");
	ok(!exists("spool/queued/ok1.job") && !exists("spool/failed/f1.job")
	    && !exists("spool/processing/unit/rec1.job"),
	    "each job in one state");

	daemon_stop(d);
	ok(run_until(stopped, 30000), "after daemon_stop, done");
	daemon_free(d);
	ok(!exists("spool/nodes/unit"), "a clean stop removes the heartbeat");

	if (tap_failed) {
		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' '%s'",
		    P("daemon.log"));
		fflush(stdout);
		if (system(cmd) != 0)
			printf("# no daemon.log\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	return done_testing();
}
