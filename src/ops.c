/* ops.c - the operations a front end performs on a job, each one call
 * that the CLI and the REST shim both use: cancel (the user's mark, the
 * notification, the move, the hint for the daemon) and retry (back to
 * queued/, a cancelled job afresh). */
#include <errno.h>
#include <stdlib.h>

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
	return spool_move(s, j->id, st, NULL, ST_QUEUED, j);
}
