/*
 * fuzz.h - what the fuzz targets share.  Each target, tests/fuzz/fuzz-X.c,
 * defines fuzz_X(), which takes any bytes and must neither crash, leak nor
 * hit undefined behaviour; a broken invariant is an abort().  Built with
 * libFuzzer (make fuzz) the file adds LLVMFuzzerTestOneInput; built with
 * FUZZ_REPLAY (tests/unit/t-fuzz-regress.c includes every target) it does
 * not, and the unit test replays tests/fuzz/regress/ through each.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	 fuzz_json(const uint8_t *, size_t);
int	 fuzz_job(const uint8_t *, size_t);
int	 fuzz_jobfile(const uint8_t *, size_t);
int	 fuzz_config(const uint8_t *, size_t);
int	 fuzz_convert(const uint8_t *, size_t);
int	 fuzz_util(const uint8_t *, size_t);
int	 fuzz_keys(const uint8_t *, size_t);
int	 fuzz_submit(const uint8_t *, size_t);
int	 fuzz_api(const uint8_t *, size_t);

/* fuzz_check - an invariant; a broken one aborts with the reason, which
 * libFuzzer (and the replay test) report as a crash */
#define fuzz_check(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		abort();						\
	}								\
} while (0)

/* Fields of an input: its bytes split at NUL, each a C string. */
struct fuzz_fields {
	char	*copy;
	char	*f[16];
	size_t	 n;
};

static inline void
fuzz_split(struct fuzz_fields *ff, const uint8_t *p, size_t n)
{
	size_t i;

	ff->copy = xmalloc(n + 1);
	memcpy(ff->copy, p, n);
	ff->copy[n] = '\0';
	ff->n = 0;
	ff->f[ff->n++] = ff->copy;
	for (i = 0; i < n && ff->n < 16; i++)
		if (ff->copy[i] == '\0')
			ff->f[ff->n++] = ff->copy + i + 1;
	while (ff->n < 16)
		ff->f[ff->n++] = "";
}

/* fuzz_field - field i, "" past the end */
static inline const char *
fuzz_field(const struct fuzz_fields *ff, size_t i)
{
	return i < ff->n ? ff->f[i] : "";
}

/* fuzz_tmpfile - a per-process scratch file of the input's bytes (for the
 * parsers that take a path); the same name each time */
static inline const char *
fuzz_tmpfile(const char *tag, const void *p, size_t n)
{
	static char path[4096];
	const char *dir = getenv("TMPDIR");
	FILE *fp;

	if (dir == NULL || *dir == '\0')	/* a tmpfs spares the disk */
		dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(path, sizeof(path), "%s/xspool-fuzz-%s.%ld", dir, tag,
	    (long)getpid());
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		abort();
	}
	if (n > 0 && fwrite(p, 1, n, fp) != n) {
		perror(path);
		abort();
	}
	if (fclose(fp) != 0) {
		perror(path);
		abort();
	}
	return path;
}

/* fuzz_config_text - a config with two types, for the targets that need
 * one (submit, api); loaded once, kept for the process */
static inline const struct config *
fuzz_std_config(void)
{
	static struct config c;
	static int loaded;
	static const char text[] =
	    "[spool]\ndir = /tmp/xspool-fuzz-spool\nnode = fuzz\n"
	    "[notify]\ncallback_allow = *.example.com, 127.0.0.1, "
	    "10.0.0.0/8, [::1], fd00::/8\n"
	    "[type Invoices]\ncommand = /bin/true\nformats = JSON, CSV\n"
	    "[type Users]\ncommand = /bin/true arg\nformats = CSV\n"
	    "emits = JSONL\n";
	char err[ERRLEN];
	const char *path;

	if (loaded)
		return &c;
	path = fuzz_tmpfile("stdconf", text, sizeof(text) - 1);
	if (config_load(&c, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz: the standard config: %s\n", err);
		abort();
	}
	unlink(path);
	loaded = 1;
	return &c;
}

#endif
