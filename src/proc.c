/* proc.c - what the two daemons' mains share: the common options (-c,
 * -d, -f, -t, the version letter and --version), the -t report and the
 * signals they block. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

int
proc_options(struct proc *p, int argc, char *argv[], const char *more,
    proc_optfn fn, void *arg)
{
	struct option longopts[] = {
		{ "version", no_argument, NULL, p->version },
		{ NULL, 0, NULL, 0 }
	};
	char opts[64];
	int ch;

	if (snprintf(opts, sizeof(opts), "c:dft%c%s", p->version,
	    more ? more : "") >= (int)sizeof(opts))
		return -1;
	if (p->conf == NULL)
		p->conf = config_default();
	while ((ch = getopt_long(argc, argv, opts, longopts, NULL)) != -1) {
		if (ch == 'c')
			p->conf = optarg;
		else if (ch == 'd')
			p->debug = 1;
		else if (ch == 'f')
			p->fg = 1;
		else if (ch == 't')
			p->test = 1;
		else if (ch == p->version) {
			printf("%s %s\n", p->name, XSPOOL_VERSION);
			return 1;
		} else if (ch == '?' || fn == NULL || fn(ch, optarg, arg) == -1)
			return -1;
	}
	if (optind != argc)
		return -1;
	log_init(p->name, 1);		/* stderr until the caller detaches */
	log_setdebug(p->debug);
	return 0;
}

int
proc_signals(sigset_t *set, int chld)
{
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	if (chld)
		sigaddset(set, SIGCHLD);
	/* the calling thread's mask: threads started later inherit it */
	return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -1;
}

int
proc_test(const struct proc *p, int httpd)
{
	struct config c;
	char err[ERRLEN], *line, *nl;
	struct buf b;
	int n;

	if (config_load(&c, p->conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", p->name, err);
		return 1;
	}
	buf_init(&b);
	n = conftest_spool(&c, !httpd, &b);
	n += httpd ? conftest_http(&c, &b) : conftest_exporters(&c, &b);
	buf_addc(&b, '\0');
	for (line = b.p; (nl = strchr(line, '\n')) != NULL; line = nl + 1)
		fprintf(stderr, "%s: %.*s\n", p->name, (int)(nl - line), line);
	if (n == 0)
		fprintf(stderr, "%s: %s: the configuration is ok\n", p->name,
		    p->conf);
	buf_free(&b);
	config_free(&c);
	return n == 0 ? 0 : 1;
}
