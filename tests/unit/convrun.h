/* convrun.h - the converter driven over a buffer, shared by the unit test
 * t-convert.c and the fuzz target fuzz-convert.c: both compare the same
 * input fed whole and in chunks. */
#ifndef CONVRUN_H
#define CONVRUN_H

#include "xspool.h"

struct conv_outcome {
	struct buf	 out;
	char		 err[ERRLEN];
	int		 rc;
	int64_t		 records;
};

/* conv_run - in converted, fed chunk bytes at a time (0: whole) */
static void
conv_run(enum emits e, enum format f, const struct column *cols,
    size_t ncols, const char *in, size_t n, size_t chunk,
    struct conv_outcome *r)
{
	struct conv *c = conv_new(e, f, cols, ncols);
	size_t off, k;

	buf_init(&r->out);
	r->err[0] = '\0';
	r->rc = 0;
	for (off = 0; off < n && r->rc == 0; off += k) {
		k = chunk == 0 || n - off < chunk ? n - off : chunk;
		r->rc = conv_feed(c, in + off, k, &r->out, r->err,
		    sizeof(r->err));
	}
	if (r->rc == 0)
		r->rc = conv_finish(c, &r->out, r->err, sizeof(r->err));
	r->records = conv_records(c);
	conv_free(c);
}

#endif
