/* proc.c - what the two daemons' mains share: the common options (-c,
 * -d, -f, -t, the version letter and --version), the -t report, the
 * signals they block and systemd's readiness datagrams. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xspool.h"

static char notify_addr[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* notify_take - $NOTIFY_SOCKET kept for proc_notify and taken out of the
 * environment, so that exporters cannot speak for the daemon */
static void
notify_take(void)
{
	const char *e = getenv("NOTIFY_SOCKET");

	if (e != NULL && (e[0] == '/' || e[0] == '@') &&
	    strlen(e) < sizeof(notify_addr))
		snprintf(notify_addr, sizeof(notify_addr), "%s", e);
	unsetenv("NOTIFY_SOCKET");
}

int
proc_notify(const char *state)
{
	struct sockaddr_un sa;
	struct timespec ts;
	size_t len = strlen(notify_addr);
	char msg[128];
	ssize_t r;
	int fd, saved;

	if (len == 0)
		return 0;
	/* systemd 253's Type=notify-reload wants the time of the reload */
	if (strcmp(state, "RELOADING=1") == 0 &&
	    clock_gettime(CLOCK_MONOTONIC, &ts) == 0) {
		snprintf(msg, sizeof(msg), "%s\nMONOTONIC_USEC=%lld", state,
		    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
		state = msg;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, notify_addr, len);
	if (sa.sun_path[0] == '@')	/* an abstract socket */
		sa.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	r = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un,
	    sun_path) + len));
	saved = errno;
	close(fd);
	errno = saved;
	return r == -1 ? -1 : 1;
}

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
	notify_take();
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
