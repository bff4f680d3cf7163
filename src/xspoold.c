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
#define DEFAULT_CONF	"etc/xspool.conf"
#define DEFAULT_GRACE	10000

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: xspoold [-dfV] [-c file] [-g grace] "
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

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
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
			daemon_stop(d);
			break;
		case SIGHUP:
			if ((c = load(path, err, sizeof(err))) == NULL) {
				log_warnx("reload refused, keeping the old "
				    "config: %s", err);
				break;
			}
			daemon_reload(d, c);
			break;
		}
	}
	if (reap)
		daemon_reap(d);
}

int
main(int argc, char *argv[])
{
	const char *path = DEFAULT_CONF, *node = NULL;
	struct pollfd pfd[MAXFDS];
	struct config *c;
	struct daemon *d;
	char err[ERRLEN];
	int64_t grace = DEFAULT_GRACE, t;
	int ch, fg = 0, debug = 0, sfd, n;

	while ((ch = getopt(argc, argv, "c:dfg:n:V")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'f':
			fg = 1;
			break;
		case 'g':
			if (parse_duration(optarg, &grace) == -1)
				usage();
			break;
		case 'n':
			node = optarg;
			break;
		case 'V':
			printf("xspoold %s\n", XSPOOL_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init("xspoold", 1);
	log_setdebug(debug);
	if ((c = load(path, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return EXIT_USAGE;
	}
	if (!fg && daemon(1, 0) == -1)
		fatal("daemon");
	log_init("xspoold", fg);
	if ((sfd = sigfd()) == -1)
		fatal("signalfd");
	if ((d = daemon_new(c, node, grace, err, sizeof(err))) == NULL)
		fatalx("%s", err);
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
			signals(sfd, d, path);
		daemon_input(d, pfd + 1, n - 1);
	}
	daemon_free(d);
	close(sfd);
	log_info("stopped");
	return 0;
}
