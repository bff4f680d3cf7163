/* xspoold.c - the export daemon: options, signals and the event loop;
 * the work itself is in daemon.c. */
#include <sys/signalfd.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define MAXFDS		1024
#define DEFAULT_GRACE	10000

struct opts {
	const char	*node;		/* -n */
	int64_t		 grace;		/* -g, ms */
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: xspoold [-dftV] [-c file] [-g grace] "
	    "[-n node]\n");
	exit(EXIT_USAGE);
}

/* load - a new config, with the node override applied */
static struct config *
load(const char *path, char *err, size_t errlen)
{
	struct config *c;

	c = xcalloc(1, sizeof(*c));
	if (config_load(c, path, err, errlen) == -1) {
		free(c);
		return NULL;
	}
	return c;
}

/* sigfd - SIGCHLD, SIGTERM, SIGINT and SIGHUP as a file descriptor */
static int
sigfd(void)
{
	sigset_t set;

	if (proc_signals(&set, 1) == -1)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* signals - reads what came; SIGHUP reloads path */
static void
signals(int fd, struct daemon *d, const char *path)
{
	struct signalfd_siginfo si;
	struct config *c;
	char err[ERRLEN];
	int reap = 0;

	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap = 1;
			break;
		case SIGTERM:
		case SIGINT:
			proc_notify("STOPPING=1");
			daemon_stop(d);
			break;
		case SIGHUP:
			proc_notify("RELOADING=1");
			if ((c = load(path, err, sizeof(err))) == NULL)
				log_warnx("reload refused, keeping the old "
				    "config: %s", err);
			else
				daemon_reload(d, c);
			proc_notify("READY=1");
			break;
		}
	}
	if (reap)
		daemon_reap(d);
}

/* option - xspoold's own: -g grace, -n node */
static int
option(int ch, const char *arg, void *v)
{
	struct opts *o = v;

	if (ch == 'g')
		return parse_duration(arg, &o->grace);
	if (ch == 'n') {
		o->node = arg;
		return 0;
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	struct proc p = { .name = "xspoold", .version = 'V' };
	struct opts o = { .grace = DEFAULT_GRACE };
	struct pollfd pfd[MAXFDS];
	struct config *c;
	struct daemon *d;
	char err[ERRLEN];
	int64_t t;
	int sfd, n;

	if ((n = proc_options(&p, argc, argv, "g:n:", option, &o)) != 0) {
		if (n == -1)
			usage();
		return 0;
	}
	if (p.test)
		return proc_test(&p, 0);
	if ((c = load(p.conf, err, sizeof(err))) == NULL) {
		log_errx("%s", err);
		return EXIT_USAGE;
	}
	if (!p.fg && daemon(1, 0) == -1)
		fatal("daemon");
	log_init("xspoold", p.fg);
	if ((sfd = sigfd()) == -1)
		fatal("signalfd");
	if ((d = daemon_new(c, o.node, o.grace, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (proc_notify("READY=1") == -1)
		log_warn("NOTIFY_SOCKET");
	while (!daemon_done(d)) {
		daemon_tick(d);
		if (daemon_done(d))
			break;
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		n = 1 + daemon_pollfds(d, pfd + 1, MAXFDS - 1);
		t = daemon_timeout(d);
		if (poll(pfd, n, t > 60000 ? 60000 : (int)t) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents)
			signals(sfd, d, p.conf);
		daemon_input(d, pfd + 1, n - 1);
	}
	daemon_free(d);
	close(sfd);
	log_info("stopped");
	return 0;
}
