/* t-watch.c - watch.c, the daemon's candidate jobs, on a temporary spool:
 * what a rescan and inotify events make candidates (symlinks and FIFOs in
 * queued/ too, so that the daemon sends them to bad/; not in failed/),
 * the order (mtime, then name), due times, forget, a rescan that takes
 * again only what changed, and IN_Q_OVERFLOW asking for a rescan. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "tap.h"

static char top[64];
static struct sched *sched;	/* no config: one client, no limits */

/* P - "TOP/rel" in one of a few static buffers */
static const char *
P(const char *rel)
{
	static char b[4][PATH_MAX];
	static int k;
	char *p = b[k++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", top, rel);
	return p;
}

/* mkfile - an empty regular file at rel with mtime sec (0: now) */
static int
mkfile(const char *rel, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };
	int fd;

	if ((fd = open(P(rel), O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	close(fd);
	return sec ? utimensat(AT_FDCWD, P(rel), ts, 0) : 0;
}

/* set_mtime - rel's (not followed) mtime to sec */
static int
set_mtime(const char *rel, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };

	return utimensat(AT_FDCWD, P(rel), ts, AT_SYMLINK_NOFOLLOW);
}

/* order - every candidate due at now, "S:name" for each (S: q or f),
 * space-separated, in the order watch_next hands them out */
static const char *
order(struct watch *w, int64_t now)
{
	static char out[8192];
	char name[300];
	size_t len = 0;
	int st;

	out[0] = '\0';
	while ((st = watch_next(w, now, name, sizeof(name))) != -1)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%c:%s",
		    len ? " " : "", st == ST_QUEUED ? 'q' : st == ST_FAILED ?
		    'f' : '?', name);
	return out;
}

static void
test_new(void)
{
	char err[ERRLEN] = "";
	struct watch *w;

	w = watch_new(P("nonesuch"), sched, err, sizeof(err));
	ok(w == NULL && strstr(err, "nonesuch/queued") != NULL,
	    "a spool without queued/ is refused, naming it (%s)", err);
	w = watch_new(top, sched, err, sizeof(err));
	ok(w != NULL, "watches a spool");
	if (w == NULL)
		exit(1);
	ok(watch_fd(w) >= 0, "an inotify fd to poll");
	ok(watch_count(w) == 0 && watch_due(w, 1000) == -1,
	    "no candidates, nothing due");
	ok(watch_rescan(w) == 0 && watch_count(w) == 0,
	    "a rescan of empty directories finds nothing");
	watch_free(w);
}

static void
test_rescan(void)
{
	char err[ERRLEN];
	struct watch *w;

	/* three regular jobs, out of name order by mtime; b and c share one */
	mkfile("queued/c.job", 1000);
	mkfile("queued/b.job", 1000);
	mkfile("queued/a.job", 2000);
	/* not jobs */
	mkfile("queued/.hidden.job", 10);
	mkfile("queued/notes.txt", 10);
	mkfile("queued/x.job.tmp", 10);
	mkfile("queued/.job", 10);
	mkdir(P("queued/dir.job"), 0700);
	/* in queued/, a symlink (dangling) and a FIFO are candidates */
	symlink("/nonexistent", P("queued/link.job"));
	set_mtime("queued/link.job", 500);
	mkfifo(P("queued/fifo.job"), 0600);
	set_mtime("queued/fifo.job", 600);
	/* in failed/ only regular files */
	mkfile("failed/f.job", 1500);
	symlink("/nonexistent", P("failed/flink.job"));
	mkfifo(P("failed/ffifo.job"), 0600);
	/* the same name in both states is two candidates */
	mkfile("failed/a.job", 3000);

	w = watch_new(top, sched, err, sizeof(err));
	ok(watch_drain(w) == 0 && watch_count(w) == 0,
	    "files made before the watch make no events");
	ok(watch_rescan(w) == 0, "rescan");
	ok(watch_count(w) == 7, "7 candidates (got %zu)", watch_count(w));
	ok(watch_due(w, 5) == 5, "due now");
	is_str(order(w, 5),
	    "q:link q:fifo q:b q:c f:f q:a f:a",
	    "handed out oldest first, then by name; symlink and FIFO in "
	    "queued/ included, dotfiles, other names, directories and "
	    "non-regular files in failed/ left out");
	ok(watch_count(w) == 0, "each handed out once");

	ok(watch_rescan(w) == 0 && watch_count(w) == 7,
	    "a rescan takes again what is still there");
	watch_forget(w, "a", ST_QUEUED);
	watch_forget(w, "nonesuch", ST_QUEUED);
	watch_forget(w, "fifo", ST_FAILED);	/* wrong state: kept */
	ok(watch_count(w) == 6, "forget drops one (state and name)");
	is_str(order(w, 5), "q:link q:fifo q:b q:c f:f f:a",
	    "without the forgotten one");
	watch_free(w);
	unlink(P("queued/.hidden.job"));
	unlink(P("queued/notes.txt"));
	unlink(P("queued/x.job.tmp"));
	unlink(P("queued/.job"));
	rmdir(P("queued/dir.job"));
}

/* due times: a failed/ job waits until due; a rescan leaves an unchanged
 * file's due time alone, and makes a changed one due now */
static void
test_due(void)
{
	char err[ERRLEN], name[300];
	struct watch *w;

	w = watch_new(top, sched, err, sizeof(err));
	watch_add(w, "f", ST_FAILED, (int64_t)1500 * 1000000000, 10000);
	watch_add(w, "never", ST_FAILED, 1, INT64_MAX);
	ok(watch_next(w, 9999, name, sizeof(name)) == -1,
	    "not handed out before its time");
	ok(watch_due(w, 9999) == 10000, "due says when (got %lld)",
	    (long long)watch_due(w, 9999));
	ok(watch_next(w, 10000, name, sizeof(name)) == ST_FAILED &&
	    strcmp(name, "f") == 0, "handed out at its time");
	ok(watch_next(w, INT64_MAX - 1, name, sizeof(name)) == -1,
	    "due INT64_MAX: never");
	watch_add(w, "f", ST_FAILED, (int64_t)1500 * 1000000000, 50000);
	ok(watch_count(w) == 2, "two candidates");
	watch_add(w, "f", ST_FAILED, (int64_t)1500 * 1000000000, 60000);
	ok(watch_count(w) == 2 && watch_due(w, 0) == 60000,
	    "adding again updates, not duplicates");
	/* failed/f.job's mtime is 1500 s, as the candidate says */
	ok(watch_rescan(w) == 0 && watch_due(w, 0) == 0,
	    "rescan: the other files are due now");
	order(w, 0);
	ok(watch_count(w) == 2 && watch_due(w, 0) == 60000,
	    "...an unchanged failed/ file keeps its due time");
	set_mtime("failed/f.job", 1600);
	ok(watch_rescan(w) == 0 && strstr(order(w, 0), "f:f") != NULL,
	    "a failed/ file that changed is due now");
	watch_add(w, "q", ST_QUEUED, 1, 0);
	ok(watch_due(w, 77) == 77, "a queued candidate is due at once");
	watch_add(w, "x", ST_QUEUED, 1, 0);
	{
		char big[400];

		memset(big, 'n', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		watch_add(w, big, ST_QUEUED, 1, 0);
	}
	ok(watch_count(w) == 3, "a name longer than a file name is ignored");
	watch_free(w);
}

/* inotify: what is written or moved into the directories */
static void
test_events(void)
{
	char err[ERRLEN];
	struct watch *w;

	w = watch_new(top, sched, err, sizeof(err));
	ok(watch_drain(w) == 0 && watch_count(w) == 0, "no events yet");
	mkfile("queued/new.job", 100);		/* IN_CLOSE_WRITE */
	mkfile("tmp/m", 200);
	rename(P("tmp/m"), P("queued/moved.job"));	/* IN_MOVED_TO */
	mkfile("queued/other.txt", 1);
	mkfile("queued/.dot.job", 1);
	symlink("/etc/passwd", P("tmp/l"));
	set_mtime("tmp/l", 300);
	rename(P("tmp/l"), P("queued/sym.job"));
	mkfifo(P("tmp/p"), 0600);
	set_mtime("tmp/p", 400);
	rename(P("tmp/p"), P("queued/pipe.job"));
	mkfile("tmp/g", 500);
	rename(P("tmp/g"), P("failed/retry.job"));
	symlink("/etc/passwd", P("tmp/l2"));
	rename(P("tmp/l2"), P("failed/fsym.job"));
	ok(watch_drain(w) == 0, "drain");
	is_str(order(w, 0), "q:new q:moved q:sym q:pipe f:retry",
	    "written and moved-in jobs are candidates, a symlink and a FIFO "
	    "moved into queued/ too; not one moved into failed/");
	unlink(P("queued/new.job"));
	ok(watch_drain(w) == 0 && watch_count(w) == 0,
	    "a removal is no candidate");
	unlink(P("queued/moved.job"));
	unlink(P("queued/other.txt"));
	unlink(P("queued/.dot.job"));
	unlink(P("queued/sym.job"));
	unlink(P("queued/pipe.job"));
	unlink(P("failed/retry.job"));
	unlink(P("failed/fsym.job"));
	watch_free(w);
}

/* more events than the kernel's queue holds: the drain asks for a rescan,
 * and the rescan finds the files.  Two files written in turn make one
 * event each (the kernel merges only an event equal to the one before). */
static void
test_overflow(void)
{
	char err[ERRLEN];
	struct watch *w;
	long max = 0, i;
	FILE *f;
	int fd;

	if ((f = fopen("/proc/sys/fs/inotify/max_queued_events", "r"))) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	if (max <= 0 || max > 1000000) {
		printf("ok %d - # SKIP max_queued_events is %ld\n", ++tap_n, max);
		return;
	}
	w = watch_new(top, sched, err, sizeof(err));
	for (i = 0; i < max + 10; i++) {
		fd = open(P(i % 2 ? "queued/o1.job" : "queued/o2.job"),
		    O_WRONLY | O_CREAT, 0600);
		if (fd != -1)
			close(fd);
	}
	ok(watch_drain(w) == 1, "%ld writes, %ld events at most queued: the "
	    "drain asks for a rescan", max + 10, max);
	ok(watch_count(w) == 0 || watch_count(w) == 2,
	    "what the drain read before the overflow is at most the 2 files");
	ok(watch_rescan(w) == 0 && strstr(order(w, 0), "q:o1") != NULL,
	    "the rescan finds them");
	unlink(P("queued/o1.job"));
	unlink(P("queued/o2.job"));
	watch_free(w);
}

/* the order holds over many random adds and forgets (watch.c's heaps) */
static void
test_heap(void)
{
	char err[ERRLEN], name[32];
	struct watch *w;
	int64_t last = -1, mt;
	int i, good = 1, n = 0, st;
	unsigned r = 12345;

	w = watch_new(top, sched, err, sizeof(err));
	for (i = 0; i < 3000; i++) {
		r = r * 1103515245 + 12345;
		snprintf(name, sizeof(name), "j%04u", (r >> 8) % 2000);
		/* the name encodes the mtime the test gives it */
		watch_add(w, name, ST_QUEUED, atoi(name + 1), (r & 1) ? 0 :
		    (int64_t)((r >> 4) % 100 + 1));
		if (i % 3 == 0) {
			r = r * 1103515245 + 12345;
			snprintf(name, sizeof(name), "j%04u", (r >> 8) % 2000);
			watch_forget(w, name, ST_QUEUED);
		}
	}
	/* everything is due at 100 */
	while ((st = watch_next(w, 100, name, sizeof(name))) != -1) {
		mt = atoi(name + 1);
		good &= st == ST_QUEUED && mt > last;
		last = mt;
		n++;
	}
	ok(good && n > 500, "3,000 adds and 1,000 forgets: %d candidates "
	    "handed out in mtime order, each once", n);
	ok(watch_count(w) == 0, "none left");
	watch_free(w);
}

int
main(void)
{
	char cmd[128];

	snprintf(top, sizeof(top), "/tmp/t-watch.XXXXXX");
	if (mkdtemp(top) == NULL || mkdir(P("queued"), 0700) == -1 ||
	    mkdir(P("failed"), 0700) == -1 || mkdir(P("tmp"), 0700) == -1) {
		perror("t-watch: setup");
		return 1;
	}
	sched = sched_new();
	test_new();
	test_rescan();
	test_due();
	test_events();
	test_heap();
	test_overflow();
	sched_free(sched);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	return done_testing();
}
