/* ops.c - the operations a front end performs on a job, each one call
 * that the CLI and the REST shim both use: cancel (the user's mark, the
 * notification, the move, the hint for the daemon) and retry (back to
 * queued/, a cancelled job afresh), and the request that has the daemon
 * running a job stop it (cancel --running). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "xspool.h"

int
ops_cancel(struct spool *s, struct job *j)
{
	return ops_cancel_by(s, j, NULL);
}

int
ops_cancel_by(struct spool *s, struct job *j, const char *by)
{
	int notify;

	job_cancel_user(j, now_ms());
	if (by != NULL) {
		free(j->cancelled_by);
		j->cancelled_by = xstrdup(by);
	}
	notify = notifyq_prepare(NULL, j, ST_CANCELLED);
	if (spool_move(s, j->id, ST_QUEUED, NULL, ST_CANCELLED, j) == -1)
		return -1;
	/* the daemon sends the webhook and the mail */
	if (notify == 1 && notifyq_hint(s, j->id) == -1)
		return 1;
	return 0;
}

/*
 * taken_since - a failed job is made due now in failed/ before it moves
 * (both directories are shared: the text goes first); a node may claim it
 * from there before the move.  That claim is the retry asked for: the job
 * is running, done, or ended another attempt since.  errno kept.
 */
static int
taken_since(struct spool *s, const struct job *j)
{
	char err[ERRLEN];
	struct job now;
	int st, saved = errno, yes;

	job_init(&now);
	st = spool_load(s, j->id, &now, NULL, err, sizeof(err));
	yes = st == ST_PROCESSING || st == ST_QUEUED ||
	    (st != -1 && now.attempts > j->attempts);
	job_free(&now);
	errno = saved;
	return yes;
}

int
ops_retry(struct spool *s, struct job *j, enum state st)
{
	if (st == ST_CANCELLED) {
		job_forget_run(j);
		j->attempts = 0;
	} else if (st == ST_FAILED)
		j->next_attempt = 0;	/* run it now */
	else {
		errno = EINVAL;
		return -1;
	}
	if (spool_move(s, j->id, st, NULL, ST_QUEUED, j) == 0)
		return 0;
	return st == ST_FAILED && errno == ENOENT && taken_since(s, j) ? 0 : -1;
}

/* cancel_path - processing/NODE/ID.cancel, the request to stop a running
 * job (spool_each lists only *.job: it is never taken for a job) */
static int
cancel_path(const struct spool *s, const char *node, const char *id,
    char *buf, size_t size)
{
	char name[ID_MAX + 8];

	if (!id_valid(id) || snprintf(name, sizeof(name), "%s.cancel",
	    id) >= (int)sizeof(name))
		return errno = EINVAL, -1;
	return spool_sub(s, buf, size, SD_PROCESSING, node, name);
}

int
ops_cancel_request(struct spool *s, const struct job *j, const char *node)
{
	char path[PATH_MAX], text[32];
	int n;

	if (cancel_path(s, node, j->id, path, sizeof(path)) == -1)
		return -1;
	n = snprintf(text, sizeof(text), "%lld\n", (long long)j->started);
	return atomic_write_file(path, text, (size_t)n, s->fmode, s->sync);
}

int
ops_cancel_requested(struct spool *s, const struct job *j)
{
	char path[PATH_MAX], *text = NULL, *end;
	long long started;
	size_t len;
	int ok;

	if (cancel_path(s, s->node, j->id, path, sizeof(path)) == -1 ||
	    read_spool_file(path, 64, &text, &len) == -1)
		return 0;
	started = strtoll(text, &end, 10);
	ok = started == j->started && (*end == '\n' || *end == '\0');
	free(text);
	if (ok)
		return 1;
	unlink(path);		/* for another attempt: stale */
	return 0;
}

void
ops_cancel_clear(struct spool *s, const char *node, const char *id)
{
	char path[PATH_MAX];

	if (cancel_path(s, node != NULL ? node : s->node, id, path,
	    sizeof(path)) == 0)
		(void)unlink(path);
}
