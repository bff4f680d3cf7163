/* xexport.c - runs the export pipeline outside the daemon, for tests and
 * benchmarks.
 *   xexport -c CONF TYPE [FORMAT] OUT.zip [-p PASSWORD] [-P NAME=VALUE]...
 *	one export_run; prints records, fileName, fileSizeBytes
 *   xexport -r [-t TIMEOUT] [-m MAX_BYTES] [-g GRACE] [-a ATTEMPTS]
 *	[-f FORMAT] [-P NAME=VALUE]... -- COMMAND [ARG]...
 *	the runner alone: the exporter's stdout to ours
 *   xexport -z ENTRY OUT.zip [-p PASSWORD] [-l LEVEL] [-F BYTES]
 *	pack_zip of stdin (-F: the read fails after BYTES)
 * Errors go to stderr, one "error: " line each; exit 0, 1 on failure, 2
 * on usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

static int	 verbose;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: xexport -c CONF TYPE [FORMAT] OUT.zip "
	    "[-p PASSWORD] [-P NAME=VALUE]...\n"
	    "       xexport -r [-t TIMEOUT] [-m MAX_BYTES] [-g GRACE] "
	    "[-a ATTEMPTS] [-f FORMAT] [-P NAME=VALUE]... -- COMMAND [ARG]...\n"
	    "       xexport -z ENTRY OUT.zip [-p PASSWORD] [-l LEVEL] "
	    "[-F BYTES]\n");
	exit(EXIT_USAGE);
}

static int
print_errors(const struct job *j)
{
	size_t i;

	for (i = 0; i < j->result.nerrors; i++)
		fprintf(stderr, "error: %s\n", j->result.errors[i]);
	return j->result.nerrors ? 1 : 0;
}

static void
progress(void *arg, int64_t records, int64_t bytes, int64_t total)
{
	if (verbose && total > 0)
		fprintf(stderr, "progress %lld records %lld bytes of %lld\n",
		    (long long)records, (long long)bytes, (long long)total);
	else if (verbose)
		fprintf(stderr, "progress %lld records %lld bytes\n",
		    (long long)records, (long long)bytes);
}

static void
add_param(struct job *j, char *nv)
{
	char *eq;

	if ((eq = strchr(nv, '=')) == NULL)
		usage();
	*eq = '\0';
	job_set_param(j, nv, eq + 1);
}

/* run_export - the whole pipeline for a configured type */
static int
run_export(const char *conf, int argc, char **argv, struct job *j)
{
	struct config c;
	const struct xtype *t;
	char err[ERRLEN];
	const char *out;
	int rc;

	if (argc != 2 && argc != 3)
		usage();
	if (config_load(&c, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "error: %s\n", err);
		return EXIT_USAGE;
	}
	if ((t = config_type(&c, argv[0])) == NULL) {
		fprintf(stderr, "error: unknown type %s\n", argv[0]);
		config_free(&c);
		return EXIT_USAGE;
	}
	j->type = xstrdup(t->name);
	if (argc == 3 && (j->format = format_parse(argv[1])) == FMT_NONE) {
		fprintf(stderr, "error: unknown format %s\n", argv[1]);
		config_free(&c);
		return EXIT_USAGE;
	}
	out = argv[argc - 1];
	rc = export_run(&c, t, j, out, progress, NULL);
	printf("records %lld\n", (long long)j->result.records);
	if (rc == 0)
		printf("fileName %s\nfileSizeBytes %lld\n",
		    j->result.file_name, (long long)j->result.file_size);
	printf("durationMs %lld\n", (long long)j->result.duration_ms);
	print_errors(j);
	config_free(&c);
	return rc == 0 ? 0 : 1;
}

/* run_runner - the runner alone, its stdout copied to ours */
static int
run_runner(char **argv, struct job *j, int64_t timeout, int64_t max,
    int64_t grace)
{
	struct config c;
	struct xtype t;
	struct runner r;
	char err[ERRLEN], buf[65536];
	ssize_t n;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	c.kill_grace_ms = grace;
	t.name = "Test";
	t.command = argv[0];
	t.argv = argv;
	t.timeout_ms = timeout;
	t.max_bytes = max;
	j->type = xstrdup("Test");
	if (runner_start(&r, &c, &t, j, err, sizeof(err)) == -1) {
		fprintf(stderr, "error: %s\n", err);
		return 1;
	}
	while ((n = runner_read(&r, buf, sizeof(buf))) > 0)
		if (write_all(1, buf, n) == -1) {
			runner_kill(&r);
			fprintf(stderr, "error: stdout: %s\n", strerror(errno));
			return 1;
		}
	rc = runner_finish(&r, j);
	print_errors(j);
	return rc == 0 && n == 0 ? 0 : 1;
}

struct fd_src {
	int64_t	 left;		/* -1: no failure */
};

static ssize_t
from_stdin(void *arg, char *buf, size_t len)
{
	struct fd_src *s = arg;
	ssize_t n;

	if (s->left == 0)
		return -1;
	if (s->left > 0 && (int64_t)len > s->left)
		len = s->left;
	do
		n = read(0, buf, len);
	while (n == -1 && errno == EINTR);
	if (n > 0 && s->left > 0)
		s->left -= n;
	return n;
}

int
main(int argc, char **argv)
{
	struct job j;
	const char *conf = NULL, *password = NULL;
	int64_t timeout = 0, max = 0, grace = 1000;
	struct fd_src src = { -1 };
	int ch, mode = 0, level = 6, rc;
	char err[ERRLEN];

	job_init(&j);
	snprintf(j.id, sizeof(j.id), "xexport-%ld", (long)getpid());
	while ((ch = getopt(argc, argv, "a:c:F:f:g:l:m:P:p:rt:vz")) != -1) {
		switch (ch) {
		case 'a': j.attempts = atoi(optarg); break;
		case 'c': conf = optarg; mode = 'c'; break;
		case 'F': src.left = atoll(optarg); break;
		case 'f':
			if ((j.format = format_parse(optarg)) == FMT_NONE)
				usage();
			break;
		case 'g':
		case 't':
			if (parse_duration(optarg, ch == 't' ? &timeout :
			    &grace) == -1)
				usage();
			break;
		case 'l': level = atoi(optarg); break;
		case 'm':
			if (parse_size(optarg, &max) == -1)
				usage();
			break;
		case 'P': add_param(&j, optarg); break;
		case 'p': password = optarg; break;
		case 'r':
		case 'z': mode = ch; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (password)
		j.password = xstrdup(password);
	if (mode == 'c')
		rc = run_export(conf, argc, argv, &j);
	else if (mode == 'r' && argc > 0)
		rc = run_runner(argv, &j, timeout, max, grace);
	else if (mode == 'z' && argc == 2) {
		rc = pack_zip(argv[1], argv[0], password, level, from_stdin,
		    &src, err, sizeof(err)) == -1;
		if (rc)
			fprintf(stderr, "error: %s\n", err);
	} else
		usage();
	job_free(&j);
	return rc;
}
