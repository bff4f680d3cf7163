/*
 * t-fuzz-regress.c - every input the fuzzers found a bug with
 * (tests/fuzz/regress/TARGET/FILE) fed again to every fuzz target, built
 * here without libFuzzer (so under the gcc ASan build too).  A target
 * that crashes, leaks or breaks an invariant aborts the test.  Run from
 * the top of the tree (tests/run.sh does); -v names each file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_REPLAY
#include "../fuzz/fuzz.h"
#include "tap.h"

#include "../fuzz/fuzz-json.c"
#include "../fuzz/fuzz-job.c"
#include "../fuzz/fuzz-config.c"
#include "../fuzz/fuzz-convert.c"
#include "../fuzz/fuzz-util.c"
#include "../fuzz/fuzz-keys.c"
#include "../fuzz/fuzz-submit.c"
#include "../fuzz/fuzz-api.c"	/* last: it includes api.c */

static const struct {
	const char	*name;
	int		(*fn)(const uint8_t *, size_t);
} targets[] = {
	{ "json", fuzz_json }, { "job", fuzz_job }, { "config", fuzz_config },
	{ "convert", fuzz_convert }, { "util", fuzz_util },
	{ "keys", fuzz_keys }, { "submit", fuzz_submit }, { "api", fuzz_api },
};
#define NTARGETS	(sizeof(targets) / sizeof(targets[0]))
#define REGRESS		"tests/fuzz/regress"

static int
rg_cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* rg_names - the entries of dir not starting with '.', sorted; count in *n */
static char **
rg_names(const char *dir, size_t *n)
{
	struct dirent *de;
	char **v;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), rg_cmpstr);
	return v;
}

/* replay - one file through every target; 0, or -1 if it cannot be read */
static int
rg_replay(const char *path, int verbose)
{
	char *text;
	size_t len, i;

	if (read_file(path, 16 * 1024 * 1024, &text, &len) == -1)
		return -1;
	for (i = 0; i < NTARGETS; i++) {
		if (verbose)
			printf("# %s < %s\n", targets[i].name, path);
		fflush(stdout);
		targets[i].fn((const uint8_t *)text, len);
	}
	free(text);
	return 0;
}

int
main(int argc, char *argv[])
{
	char *dir, *path, **tdirs, **files;
	size_t nt, nf, t, f, total = 0;
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;

	/* the targets on nothing at all, and on what an empty file holds */
	for (t = 0; t < NTARGETS; t++)
		targets[t].fn((const uint8_t *)"", 0);
	ok(1, "every target takes an empty input");
	tdirs = rg_names(REGRESS, &nt);
	ok(tdirs != NULL, "%s is there", REGRESS);
	for (t = 0; t < nt; t++) {
		xasprintf(&dir, "%s/%s", REGRESS, tdirs[t]);
		files = rg_names(dir, &nf);
		for (f = 0; f < nf; f++) {
			xasprintf(&path, "%s/%s", dir, files[f]);
			ok(rg_replay(path, verbose) == 0, "%s: every target",
			    path);
			free(path);
			free(files[f]);
			total++;
		}
		free(files);
		free(dir);
		free(tdirs[t]);
	}
	free(tdirs);
	printf("# %zu files through %zu targets\n", total, NTARGETS);
	return done_testing();
}
