/* xconvert.c - the record converter alone, stdin to stdout, for the golden
 * tests and the benchmarks.
 * usage: xconvert csv|jsonl JSON|CSV [id:int,amount:number,paid:bool,name]
 * XCONVERT_CHUNK=N in the environment feeds the converter N bytes at a
 * time (default: what read(2) gives, up to 64 KiB). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define CHUNK	(64 * 1024)

/* parse_columns - "name:type,..." into a column array; -1 when bad */
static int
parse_columns(char *spec, struct column **cols, size_t *n)
{
	static const char *names[] = { "string", "int", "number", "bool" };
	char *item, *colon, *save = NULL;
	size_t t;

	*cols = NULL;
	*n = 0;
	for (item = strtok_r(spec, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		/* a bare name is a string column, as in the config */
		t = 0;
		if ((colon = strchr(item, ':')) != NULL) {
			*colon++ = '\0';
			for (; t < 4 && strcmp(colon, names[t]) != 0; t++)
				;
		}
		if (t == 4 || *item == '\0')
			return -1;
		*cols = xreallocarray(*cols, *n + 1, sizeof(**cols));
		(*cols)[*n].name = item;
		(*cols)[*n].type = (enum coltype)t;
		(*n)++;
	}
	return 0;
}

/* flush - write out and empty it; -1 on a write error */
static int
flush(struct buf *out)
{
	if (out->len > 0 && fwrite(out->p, 1, out->len, stdout) != out->len)
		return -1;
	buf_reset(out);
	return 0;
}

int
main(int argc, char **argv)
{
	struct column *cols = NULL;
	struct conv *c;
	struct buf out;
	char err[ERRLEN], *in;
	enum emits emits;
	enum format fmt;
	size_t ncols = 0, chunk = CHUNK, k;
	const char *e;
	ssize_t r;
	int status = 1;

	if (argc < 3 || argc > 4)
		goto usage;
	if (strcmp(argv[1], "csv") == 0)
		emits = EMITS_CSV;
	else if (strcmp(argv[1], "jsonl") == 0)
		emits = EMITS_JSONL;
	else
		goto usage;
	if (strcasecmp(argv[2], "JSON") == 0)
		fmt = FMT_JSON;
	else if (strcasecmp(argv[2], "CSV") == 0)
		fmt = FMT_CSV;
	else
		goto usage;
	if (argc == 4 && parse_columns(argv[3], &cols, &ncols) == -1)
		goto usage;

	if ((e = getenv("XCONVERT_CHUNK")) != NULL && atoi(e) > 0 &&
	    atoi(e) < CHUNK)
		chunk = (size_t)atoi(e);
	c = conv_new(emits, fmt, cols, ncols);
	buf_init(&out);
	in = xmalloc(CHUNK);
	for (;;) {
		r = read(0, in, CHUNK);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			fprintf(stderr, "xconvert: read: %s\n", strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		for (k = 0; k < (size_t)r; k += chunk)
			if (conv_feed(c, in + k, (size_t)r - k < chunk ?
			    (size_t)r - k : chunk, &out, err, sizeof(err)) == -1)
				goto fail;
		if (flush(&out) == -1)
			goto wfail;
	}
	if (conv_finish(c, &out, err, sizeof(err)) == -1)
		goto fail;
	if (flush(&out) == -1 || fflush(stdout) == EOF)
		goto wfail;
	status = 0;
	goto done;
fail:
	fprintf(stderr, "xconvert: %s\n", err);
	goto done;
wfail:
	fprintf(stderr, "xconvert: write: %s\n", strerror(errno));
done:
	free(in);
	buf_free(&out);
	conv_free(c);
	free(cols);
	return status;
usage:
	fprintf(stderr, "usage: xconvert csv|jsonl JSON|CSV "
	    "[name:int|number|bool|string,...]\n");
	return EXIT_USAGE;
}
