/* xspool_download.c - `xspool download`: a completed job's zip copied
 * out of the spool, into a file or onto standard output. */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "xspool_cli.h"

/* copy_fd - all of in to out */
static int
copy_fd(int in, int out)
{
	char b[65536];
	ssize_t n;

	while ((n = read(in, b, sizeof(b))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (write_all(out, b, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

int
cmd_download(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1], zip[PATH_MAX], *name = NULL;
	const char *id, *out = NULL;
	struct job j;
	enum state st;
	int ch, in, fd;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "o:h", help_opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("download");
		if (ch != 'o')
			cmd_usage("download", NULL);
		out = optarg;
	}
	want_args("download", argc, argv, 1, "job id");
	id = check_id(argv[optind]);
	ctx_spool(x);
	st = ctx_load(x, id, &j, node);
	if (st != ST_COMPLETED)
		errx(EXIT_NO, "download: %s is %s, not COMPLETED", id,
		    state_name(st));
	if (spool_zip_path(&x->s, zip, sizeof(zip), id) == -1 ||
	    (in = open(zip, O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_NO, "download: %s", zip);
	if (out == NULL)
		xasprintf(&name, "%s-%s.zip", j.type, id);
	if (out != NULL && strcmp(out, "-") == 0)
		fd = STDOUT_FILENO;
	else if ((fd = open(out ? out : name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) == -1)
		err(EXIT_NO, "download: %s", out ? out : name);
	if (copy_fd(in, fd) == -1)
		err(EXIT_NO, "download: %s", out ? out : name);
	if (fd != STDOUT_FILENO) {
		if (close(fd) == -1)
			err(EXIT_NO, "download: %s", out ? out : name);
		if (out == NULL)
			printf("%s\n", name);
	}
	close(in);
	free(name);
	job_free(&j);
	return 0;
}
