/* t-spool.c - spool paths, submit, spool_move, spool_rewrite and spool_find
 * (also while another process keeps moving the job). */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "tap.h"

/* T - T() evaluating its condition once (tap.h's T() evaluates twice) */
#define T(cond, ...) do {						\
	int t_ = !!(cond);						\
	ok(t_, __VA_ARGS__);						\
} while (0)

static char top[256];

static int
exists(const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/spool/%s", top, rel);
	return stat(p, &sb) == 0;
}

/* empty_dir - the spool's directory rel has no entries */
static int
empty_dir(const char *rel)
{
	char p[PATH_MAX * 2];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(p, sizeof(p), "%s/spool/%s", top, rel);
	if ((d = opendir(p)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n == 0;
}

static int
count_each(const char *id, const char *node, const struct stat *sb,
    void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* mover - the child: moves the job through its states until killed */
static void
mover(struct spool *s, const char *id)
{
	static const struct {
		enum state from, to;
	} step[] = {
		{ ST_QUEUED, ST_PROCESSING },
		{ ST_PROCESSING, ST_FAILED },
		{ ST_FAILED, ST_PROCESSING },
		{ ST_PROCESSING, ST_COMPLETED },
		{ ST_COMPLETED, ST_CANCELLED },	/* not a real move; */
		{ ST_CANCELLED, ST_QUEUED },	/* exercises all dirs */
	};
	size_t i;

	for (;;)
		for (i = 0; i < sizeof(step) / sizeof(step[0]); i++) {
			if (spool_move(s, id, step[i].from, NULL, step[i].to,
			    NULL) == -1)
				_exit(3);
			usleep(300);
		}
}

static void
test_find_moving(struct spool *s)
{
	char id[ID_MAX + 1], node[NODE_MAX + 1], err[ERRLEN];
	struct job j;
	pid_t pid;
	int i, lost = 0, status;

	job_init(&j);
	j.type = xstrdup("T");
	T(spool_submit(s, &j, 0, err, sizeof(err)) == 0, "submit for race");
	snprintf(id, sizeof(id), "%s", j.id);
	job_free(&j);
	if ((pid = fork()) == 0)
		mover(s, id);
	for (i = 0; i < 20000; i++)
		if (spool_find(s, id, node) == -1)
			lost++;
	T(waitpid(pid, &status, WNOHANG) == 0, "mover still running");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	T(lost == 0, "a job moving between states is always found "
	    "(%d of 20000 look-ups lost it)", lost);
}

int
main(void)
{
	char dir[PATH_MAX], err[ERRLEN], path[PATH_MAX * 2], node[NODE_MAX + 1];
	char id[ID_MAX + 1], rel[PATH_MAX];
	struct spool s;
	struct job j, k;
	struct stat sb;
	int n, fd;

	snprintf(top, sizeof(top), "/tmp/t-spool.XXXXXX");
	if (mkdtemp(top) == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s/spool", top);

	T(spool_open(&s, dir, "n1", -1, 0, 0, err, sizeof(err)) == -1,
	    "open without create fails on a missing spool");
	T(spool_open(&s, dir, "n1", -1, 1, 1, err, sizeof(err)) == 0,
	    "open with create");
	T(exists("tmp") && exists("queued") && exists("processing/n1") &&
	    exists("failed") && exists("completed") && exists("cancelled") &&
	    exists("out") && exists("bad") && exists("nodes") &&
	    exists("notify"), "layout made");
	T(spool_path(&s, path, sizeof(path), ST_QUEUED, NULL, "../x") == -1 &&
	    errno == EINVAL, "path refuses ../x");
	T(spool_path(&s, path, sizeof(path), ST_QUEUED, NULL, "a/b") == -1,
	    "path refuses a/b");
	T(spool_path(&s, path, sizeof(path), ST_PROCESSING, "..", "a") == -1,
	    "path refuses node ..");
	T(spool_path(&s, path, 20, ST_QUEUED, NULL, "abc") == -1 &&
	    errno == ENAMETOOLONG, "truncated path is an error");
	T(spool_find(&s, "../x", NULL) == -1 && errno == EINVAL,
	    "find refuses ../x");

	job_init(&j);
	j.type = xstrdup("T");
	T(spool_submit(&s, &j, 0, err, sizeof(err)) == 0, "submit");
	T(id_valid(j.id), "submit gave an id");
	T(j.created != 0 && j.format == FMT_JSON, "created and format set");
	snprintf(id, sizeof(id), "%s", j.id);
	snprintf(rel, sizeof(rel), "queued/%s.job", id);
	spool_path(&s, path, sizeof(path), ST_QUEUED, NULL, id);
	T(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "queued file mode 0600");
	T(spool_submit(&s, &j, 0, err, sizeof(err)) == -1 && errno == EEXIST,
	    "submit of an existing id refused");
	T(spool_find(&s, id, node) == ST_QUEUED, "find: queued");

	T(spool_move(&s, id, ST_QUEUED, NULL, ST_PROCESSING, NULL) == 0,
	    "claim");
	T(spool_find(&s, id, node) == ST_PROCESSING && strcmp(node, "n1") == 0,
	    "find: processing on n1");
	T(spool_move(&s, id, ST_QUEUED, NULL, ST_CANCELLED, NULL) == -1 &&
	    errno == ENOENT, "move of a job not there: ENOENT");
	T(!exists(rel), "and nothing appeared in queued/");

	/* a rewrite of a file that is not there must not create it */
	j.attempts = 7;
	T(spool_rewrite(&s, ST_QUEUED, NULL, &j) == -1 && errno == ENOENT,
	    "rewrite of a missing file: ENOENT");
	T(!exists(rel), "rewrite did not bring the job back to queued/");
	T(spool_move(&s, id, ST_QUEUED, NULL, ST_CANCELLED, &j) == -1 &&
	    errno == ENOENT, "move with rewrite of a missing file: ENOENT");
	T(!exists(rel), "still nothing in queued/");

	/* move with a rewrite: the file says what happened */
	j.attempts = 1;
	job_add_error(&j, "boom");
	j.result.present = 1;
	T(spool_move(&s, id, ST_PROCESSING, NULL, ST_FAILED, &j) == 0,
	    "fail with rewrite");
	job_init(&k);
	T(spool_load(&s, id, &k, node, err, sizeof(err)) == ST_FAILED,
	    "load: failed");
	T(k.attempts == 1 && k.result.nerrors == 1 &&
	    strcmp(k.result.errors[0], "boom") == 0, "rewritten fields read back");
	T(strcmp(k.id, id) == 0, "id from the file name");
	job_free(&k);
	/* cancel-like: out of queued/ the rename goes first, then the text */
	job_init(&k);
	k.type = xstrdup("T");
	T(spool_submit(&s, &k, 0, err, sizeof(err)) == 0, "submit another");
	k.cancelled_by = xstrdup("user");
	T(spool_move(&s, k.id, ST_QUEUED, NULL, ST_CANCELLED, &k) == 0,
	    "cancel with rewrite");
	snprintf(rel, sizeof(rel), "%s", k.id);
	job_free(&k);
	job_init(&k);
	T(spool_load(&s, rel, &k, node, err, sizeof(err)) == ST_CANCELLED &&
	    k.cancelled_by != NULL && strcmp(k.cancelled_by, "user") == 0,
	    "the cancelled file says so");
	job_free(&k);
	n = 0;
	spool_each(&s, ST_FAILED, count_each, &n);
	T(n == 1, "each: one failed job");
	n = 0;
	spool_each(&s, ST_QUEUED, count_each, &n);
	T(n == 0, "each: no queued job");

	/* a file that is not a job in queued/ goes to bad/ with a reason */
	snprintf(path, sizeof(path), "%s/queued/junk.job", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	write(fd, "nope", 4);
	close(fd);
	n = 0;
	spool_each(&s, ST_QUEUED, count_each, &n);
	T(n == 1, "each sees junk.job");
	T(spool_bad(&s, "junk.job", "not JSON") == 0, "bad");
	T(exists("bad/junk.job") && exists("bad/junk.job.why") &&
	    !exists("queued/junk.job"), "moved to bad/ with .why");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	T(spool_bad(&s, "junk.job", "again") == 0 && exists("bad/junk.job.1"),
	    "a second bad file of the same name is kept too");
	T(spool_bad(&s, "../x", "no") == -1, "bad refuses ../x");
	T(spool_bad(&s, "gone.job", "no") == -1 && errno == ENOENT,
	    "bad of a file no longer in queued/: ENOENT");
	T(empty_dir("tmp"), "... and its reason is not left in tmp/");

	T(spool_has_room(&s, 1024) == 1, "room for 1K");
	T(spool_has_room(&s, INT64_MAX / 2) == 0, "no room for 4 EiB");
	job_free(&j);
	job_init(&j);
	j.type = xstrdup("T");
	T(spool_submit(&s, &j, INT64_MAX / 2, err, sizeof(err)) == -1 &&
	    errno == ENOSPC, "submit refused when full: %s", err);
	job_free(&j);

	spool_close(&s);
	T(spool_open(&s, dir, "n1", -1, 0, 0, err, sizeof(err)) == 0,
	    "reopen without sync");
	test_find_moving(&s);
	spool_close(&s);
	snprintf(dir, sizeof(dir), "rm -rf %s", top);
	if (tap_failed == 0)
		system(dir);
	return done_testing();
}
