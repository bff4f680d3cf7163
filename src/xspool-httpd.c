/* xspool-httpd.c - the REST shim's main: options, config and keys, then
 * wait for signals (SIGTERM/SIGINT stop gracefully, SIGHUP reloads) while
 * libmicrohttpd's threads serve (api.c). */
#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define STOP_GRACE_MS	10000

static void
usage(void)
{
	fprintf(stderr, "usage: xspool-httpd [-dftV] [-c FILE] [-p PORTFILE]\n");
	exit(EXIT_USAGE);
}

/* load - config and keys file into new structs; 0 or -1 with err */
static int
load(const char *path, struct config **cp, struct keys **kp, char *err,
    size_t errlen)
{
	struct config *c = xcalloc(1, sizeof(*c));
	struct keys *k = xcalloc(1, sizeof(*k));
	char kerr[ERRLEN];

	if (config_load(c, path, err, errlen) == -1)
		goto fail;
	if (c->keys == NULL) {
		seterr(err, errlen, "%s: [http] keys is not set", path);
		goto fail;
	}
	if (keys_load(k, c->keys, kerr, sizeof(kerr)) == -1) {
		seterr(err, errlen, "%s", kerr);
		goto fail;
	}
	*cp = c;
	*kp = k;
	return 0;
fail:
	config_free(c);
	free(c);
	free(k);
	return -1;
}

/* write_port - the port for tests and scripts, written whole */
static int
write_port(const char *path, int port)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%d\n", port);

	return atomic_write_file(path, text, (size_t)n, 0666, 1);
}

/* raise_nofile - room for max_connections sockets per listen address (and
 * the spool's files): the soft limit up to the hard one when lower; warns
 * when still short */
static void
raise_nofile(const struct config *c)
{
	const char *s = c->listen ? c->listen : "x";
	rlim_t n = 0, want;
	struct rlimit rl;

	for (; *s; s += strcspn(s, ", \t")) {	/* listen_one's tokens */
		s += strspn(s, ", \t");
		n += *s != '\0';
	}
	want = (rlim_t)c->max_connections * (n ? n : 1) + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
	    want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < want)
		log_warnx("open files limited to %llu: fewer than "
		    "max_connections = %d can be served",
		    (unsigned long long)rl.rlim_cur, c->max_connections);
}

/* option - -p PORTFILE */
static int
option(int ch, const char *arg, void *v)
{
	if (ch != 'p')
		return -1;
	*(const char **)v = arg;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct proc p = { .name = "xspool-httpd", .version = 'V' };
	const char *portfile = NULL;
	char err[ERRLEN];
	struct config *c;
	struct keys *k;
	struct api *a;
	sigset_t set;
	int n, port = 0, sig;

	if ((n = proc_options(&p, argc, argv, "p:", option, &portfile)) != 0) {
		if (n == -1)
			usage();
		return 0;
	}
	if (p.test)
		return proc_test(&p, 1);
	/* block before any thread starts: only sigwait below sees them */
	proc_signals(&set, 0);

	if (load(p.conf, &c, &k, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return EXIT_USAGE;
	}
	raise_nofile(c);
	if ((a = api_new(c, k, err, sizeof(err))) == NULL) {
		log_errx("%s", err);
		config_free(c);
		free(c);
		keys_free(k);
		free(k);
		return 1;
	}
	if (api_start(a, &port, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		api_free(a);
		return 1;
	}
	log_init(p.name, p.fg);	/* start-up errors went to stderr */
	if (portfile && write_port(portfile, port) == -1)
		log_warn("%s", portfile);
	log_info("serving the spool %s", c->dir);
	if (proc_notify("READY=1") == -1)
		log_warn("NOTIFY_SOCKET");

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		proc_notify("RELOADING=1");
		if (load(p.conf, &c, &k, err, sizeof(err)) == -1)
			log_warnx("reload refused, keeping the old config: %s",
			    err);
		else {
			api_reload(a, c, k);
			log_info("reloaded %s and the keys", p.conf);
		}
		proc_notify("READY=1");
	}
	proc_notify("STOPPING=1");
	log_info("stopping (signal %d)", sig);
	api_stop(a, STOP_GRACE_MS);
	api_free(a);
	return 0;
}
