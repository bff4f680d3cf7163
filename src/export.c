/* export.c - one export attempt: the exporter's records, converted as they
 * come, straight into the zip; the job's result says how it went. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define CHUNK		(64 * 1024)		/* read from the exporter */
#define PROGRESS_MS	1000
#define PROGRESS_BYTES	(INT64_C(64) << 20)

struct export {
	struct runner	 r;
	struct conv	*conv;
	struct job	*j;
	struct buf	 out;		/* converted, not yet handed to libzip */
	size_t		 off;		/* of out already handed over */
	char		*chunk;
	int		 eof;		/* conv_finish done */
	int		 finished;	/* runner_finish done */
	int		 failed;	/* errors are in j already */
	export_progress_fn progress;
	void		*arg;
	int64_t		 last_ms, last_bytes, last_records;
};

/* tick - the progress callback, every second or 64 MiB of input, and
 * at the end when that says something new */
static void
tick(struct export *x, int force)
{
	int64_t now, records;

	if (x->progress == NULL)
		return;
	now = mono_ms();
	records = conv_records(x->conv);
	if (force ? records == x->last_records &&
	    x->r.nbytes == x->last_bytes :
	    now - x->last_ms < PROGRESS_MS &&
	    x->r.nbytes - x->last_bytes < PROGRESS_BYTES)
		return;			/* at the end: only news */
	x->last_ms = now;
	x->last_bytes = x->r.nbytes;
	x->last_records = records;
	x->progress(x->arg, records, x->r.nbytes, x->r.total);
}

/* at_eof - the exporter closed stdout: its exit status decides before the
 * last record is judged, so a crash is not reported as a bad record */
static int
at_eof(struct export *x)
{
	char err[ERRLEN];

	x->finished = 1;
	if (runner_finish(&x->r, x->j) != 0)
		return -1;
	if (conv_finish(x->conv, &x->out, err, sizeof(err)) == -1) {
		job_add_error(x->j, err);
		return -1;
	}
	x->eof = 1;
	tick(x, 1);
	return 0;
}

/* fill - convert more input until there is output or the end */
static int
fill(struct export *x)
{
	char err[ERRLEN];
	ssize_t n;

	while (x->off == x->out.len && !x->eof) {
		buf_reset(&x->out);
		x->off = 0;
		if ((n = runner_read(&x->r, x->chunk, CHUNK)) == -1) {
			x->finished = 1;
			runner_finish(&x->r, x->j);
			return -1;
		}
		if (n == 0)
			return at_eof(x);
		if (conv_feed(x->conv, x->chunk, n, &x->out, err,
		    sizeof(err)) == -1) {
			job_add_error(x->j, err);
			return -1;
		}
		tick(x, 0);
	}
	return 0;
}

/* pull - pack_zip's read function */
static ssize_t
pull(void *arg, char *buf, size_t len)
{
	struct export *x = arg;
	size_t n;

	if (x->failed)
		return -1;
	if (fill(x) == -1) {
		x->failed = 1;
		return -1;
	}
	n = x->out.len - x->off;
	if (n > len)
		n = len;
	memcpy(buf, x->out.p + x->off, n);
	x->off += n;
	return n;
}

/* result - fill in j->result for success or failure */
static int
result(struct job *j, const char *zip_path, int64_t t0, int64_t records,
    const char *fname, int ok)
{
	struct stat st;

	j->result.present = 1;
	j->result.duration_ms = mono_ms() - t0;
	j->result.records = records;
	free(j->result.file_name);
	j->result.file_name = NULL;
	j->result.file_size = 0;
	if (ok && stat(zip_path, &st) == -1) {
		char msg[ERRLEN];
		snprintf(msg, sizeof(msg), "zip %s: %s", zip_path,
		    strerror(errno));
		job_add_error(j, msg);
		unlink(zip_path);
		ok = 0;
	}
	j->result.success = ok;
	if (ok) {
		j->result.file_name = xstrdup(fname);
		j->result.file_size = st.st_size;
	}
	return ok ? 0 : -1;
}

int
export_run(const struct config *c, const struct xtype *t, struct job *j,
    const char *zip_path, export_progress_fn progress, void *arg)
{
	struct export x;
	char err[ERRLEN], *fname = NULL;
	int64_t t0 = mono_ms(), records = 0;
	int level, ok = 0;

	if (zip_path == NULL || t == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(&x, 0, sizeof(x));
	x.j = j;
	x.progress = progress;
	x.arg = arg;
	x.last_ms = t0;
	buf_init(&x.out);
	if (j->format == FMT_NONE)
		j->format = (t->formats & FMT_JSON) || t->formats == 0 ?
		    FMT_JSON : FMT_CSV;
	xasprintf(&fname, "%s.%s", t->name, format_ext(j->format));
	level = t->level >= 0 ? t->level : (c ? c->zip_level : 6);
	if (unlink(zip_path) == -1 && errno != ENOENT) {
		snprintf(err, sizeof(err), "zip %s: %s", zip_path,
		    strerror(errno));
		job_add_error(j, err);
		goto done;
	}
	/* xspool-sql writes CSV itself when CSV is asked for: its header
	 * is there even with no row (the JSON Lines of an empty result
	 * name no column), and nothing is parsed twice */
	if ((x.conv = conv_new(t->database != NULL && j->format == FMT_CSV ?
	    EMITS_CSV : t->emits, j->format, t->columns,
	    t->ncolumns)) == NULL) {
		job_add_error(j, "cannot set up the conversion");
		goto done;
	}
	if (runner_start(&x.r, c, t, j, err, sizeof(err)) == -1) {
		job_add_error(j, err);
		goto done;
	}
	x.chunk = xmalloc(CHUNK);
	if (pack_zip(zip_path, fname, j->password, level, pull, &x, err,
	    sizeof(err)) == -1) {
		if (!x.failed)		/* the zip's own failure */
			job_add_error(j, err);
		if (!x.finished)
			runner_kill(&x.r);
		goto done;
	}
	if (!x.finished)	/* libzip stopped reading before EOF */
		runner_kill(&x.r);
	ok = x.eof;
	if (!ok) {
		job_add_error(j, "zip written before the end of the data");
		unlink(zip_path);
	}
done:
	if (x.conv) {
		records = conv_records(x.conv);
		conv_free(x.conv);
	}
	free(x.chunk);
	buf_free(&x.out);
	ok = result(j, zip_path, t0, records, fname, ok);
	free(fname);
	return ok;
}
