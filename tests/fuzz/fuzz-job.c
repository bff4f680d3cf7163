/* fuzz-job.c - job.c on any bytes: job_parse; a job that parses is
 * written (with and without its password) and parsed again, and the
 * second writing is the first, byte for byte; the webhook body made of
 * it is valid JSON. */
#include "fuzz.h"

/* job_text - j written as a new string */
static char *
job_text(const struct job *j, int with_password, size_t *len)
{
	struct buf b;

	buf_init(&b);
	job_write(j, &b, with_password);
	*len = b.len;
	return buf_steal(&b);
}

/* job_roundtrip - j written, parsed and written again: the same text */
static void
job_roundtrip(const struct job *j, int with_password)
{
	struct job j2;
	char err[ERRLEN], *t1, *t2;
	size_t n1, n2;

	t1 = job_text(j, with_password, &n1);
	fuzz_check(job_parse(&j2, t1, n1, err, sizeof(err)) == 0,
	    "job_write's text does not parse: %s\n%s", err, t1);
	t2 = job_text(&j2, with_password, &n2);
	fuzz_check(n1 == n2 && memcmp(t1, t2, n1) == 0,
	    "the round trip changed the text:\n%s---\n%s", t1, t2);
	job_free(&j2);
	free(t1);
	free(t2);
}

/* job_webhook - the webhook body of j in each final state parses */
static void
job_webhook(const struct job *j)
{
	static const enum state st[] = { ST_COMPLETED, ST_FAILED,
	    ST_CANCELLED };
	struct jdoc d;
	struct buf b;
	char err[ERRLEN];
	size_t i;

	buf_init(&b);
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		buf_reset(&b);
		notify_webhook_body(j, st[i], &b);
		fuzz_check(json_parse(&d, b.p, b.len, err, sizeof(err)) == 0,
		    "webhook body does not parse: %s\n%s", err, b.p);
		json_free(&d);
	}
	buf_free(&b);
}

int
fuzz_job(const uint8_t *data, size_t size)
{
	struct job j;
	char err[ERRLEN], *text;

	text = xmalloc(size ? size : 1);
	memcpy(text, data, size);
	if (job_parse(&j, text, size, err, sizeof(err)) == 0) {
		job_roundtrip(&j, 1);
		job_roundtrip(&j, 0);
		job_webhook(&j);
		job_free(&j);
	} else
		fuzz_check(err[0] != '\0', "a refusal without a reason");
	free(text);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_job(data, size);
}
#endif
