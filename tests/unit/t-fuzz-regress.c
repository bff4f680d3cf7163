/*
 * t-fuzz-regress.c - every input the fuzzers found a bug with
 * (tests/fuzz/regress/TARGET/FILE) fed again to every fuzz target, built
 * here without libFuzzer (so under the gcc ASan build too).  A target
 * that crashes, leaks or breaks an invariant fails the file's test.
 * tests/fuzz/known/TARGET/FILE are open bugs (in a file another engineer
 * owns): TODO tests.  Run from the top of the tree (tests/run.sh does);
 * -v names each file and target.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_REPLAY
#include "../fuzz/fuzz.h"
#include "tap.h"

#include "../fuzz/fuzz-json.c"
#include "../fuzz/fuzz-job.c"
#include "../fuzz/fuzz-jobfile.c"
#include "../fuzz/fuzz-config.c"
#include "../fuzz/fuzz-convert.c"
#include "../fuzz/fuzz-util.c"
#include "../fuzz/fuzz-keys.c"
#include "../fuzz/fuzz-submit.c"
#include "../fuzz/fuzz-api.c"

static const struct {
	const char	*name;
	int		(*fn)(const uint8_t *, size_t);
} targets[] = {
	{ "json", fuzz_json }, { "job", fuzz_job },
	{ "jobfile", fuzz_jobfile }, { "config", fuzz_config },
	{ "convert", fuzz_convert }, { "util", fuzz_util },
	{ "keys", fuzz_keys }, { "submit", fuzz_submit }, { "api", fuzz_api },
};
#define NTARGETS	(sizeof(targets) / sizeof(targets[0]))
#define REGRESS		"tests/fuzz/regress"	/* fixed: must pass */
#define KNOWN		"tests/fuzz/known"	/* open bugs: TODO */

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

/* rg_replay - one file through every target, in a child so that a crash,
 * an abort or a leak (LeakSanitizer runs at its exit) is this file's
 * failure alone; 1 when the child ended well */
static int
rg_replay(const char *path, int verbose)
{
	char *text;
	size_t len, i;
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		if (read_file(path, 16 * 1024 * 1024, &text, &len) == -1) {
			perror(path);
			exit(1);
		}
		for (i = 0; i < NTARGETS; i++) {
			if (verbose)
				fprintf(stderr, "# %s < %s\n",
				    targets[i].name, path);
			targets[i].fn((const uint8_t *)text, len);
		}
		free(text);
		exit(0);
	}
	if (waitpid(pid, &status, 0) == -1)
		return 0;
	if (WIFSIGNALED(status))
		printf("# %s: signal %d\n", path, WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0)
		printf("# %s: exit %d\n", path, WEXITSTATUS(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* rg_dir - every file of root/TARGET/; known: open bugs, reported as
 * TODO (prove passes them either way, and tells when one is fixed) */
static size_t
rg_dir(const char *root, int known, int verbose)
{
	/* static: the replaying child exits holding them, and LeakSanitizer
	 * takes what a global points to as still in use */
	static char *dir, *path, **tdirs, **files;
	size_t nt, nf, t, f, total = 0;
	int good;

	if ((tdirs = rg_names(root, &nt)) == NULL)
		return 0;
	for (t = 0; t < nt; t++) {
		xasprintf(&dir, "%s/%s", root, tdirs[t]);
		files = rg_names(dir, &nf);
		for (f = 0; files != NULL && f < nf; f++) {
			xasprintf(&path, "%s/%s", dir, files[f]);
			good = rg_replay(path, verbose);
			if (known)
				printf("%sok %d - %s: every target # TODO an "
				    "open bug\n", good ? "" : "not ", ++tap_n,
				    path);
			else
				ok(good, "%s: every target", path);
			free(path);
			free(files[f]);
			total++;
		}
		free(files);
		free(dir);
		free(tdirs[t]);
	}
	free(tdirs);
	return total;
}

int
main(int argc, char *argv[])
{
	size_t t, n;
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;

	/* the targets on nothing at all */
	for (t = 0; t < NTARGETS; t++)
		targets[t].fn((const uint8_t *)"", 0);
	ok(1, "every target takes an empty input");
	ok(access(REGRESS, F_OK) == 0, "%s is there", REGRESS);
	n = rg_dir(REGRESS, 0, verbose);
	n += rg_dir(KNOWN, 1, verbose);
	printf("# %zu files through %zu targets\n", n, NTARGETS);
	return done_testing();
}
