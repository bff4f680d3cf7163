/* runner.c - one exporter process: fork and execve without a shell, its own
 * process group, stdin /dev/null, the XSPOOL_* environment, the timeout,
 * max_bytes, and the last lines of its stderr for the job's errors. */
#include <sys/prctl.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xspool.h"

#define TAIL_LINES	10	/* stderr lines that become errors */
#define CHECK_MS	100	/* how often to look whether the leader exited */
#define SWEEP_MS	5000	/* reaping orphans gives up after this */
#define KIDS_MAX	256	/* children looked at per round */

/* fmt_dur - "10m", "90s", "1500ms": the shortest exact form */
static void
fmt_dur(int64_t ms, char *buf, size_t size)
{
	static const struct { int64_t ms; const char *u; } u[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" },
		{ 1000, "s" },
	};
	size_t i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (ms > 0 && ms % u[i].ms == 0) {
			snprintf(buf, size, "%lld%s", (long long)(ms / u[i].ms),
			    u[i].u);
			return;
		}
	snprintf(buf, size, "%lldms", (long long)ms);
}

/* fmt_bytes - "10G", "512K", "1000": as a config file would say it */
static void
fmt_bytes(int64_t n, char *buf, size_t size)
{
	static const char units[] = "TGMK";
	int64_t m = INT64_C(1) << 40;
	int i;

	for (i = 0; i < 4; i++, m >>= 10)
		if (n > 0 && n % m == 0) {
			snprintf(buf, size, "%lld%c", (long long)(n / m),
			    units[i]);
			return;
		}
	snprintf(buf, size, "%lld", (long long)n);
}

/* env_add - one NAME=VALUE string onto the NULL-ended vector */
static void
env_add(char ***env, size_t *n, const char *name, const char *value)
{
	*env = xreallocarray(*env, *n + 2, sizeof(**env));
	xasprintf(&(*env)[*n], "%s=%s", name, value);
	(*env)[++*n] = NULL;
}

/* env_name_ok - a parameter name that can be part of a variable name */
static int
env_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= '0' && *s <= '9') ||
		    (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
			return 0;
	return 1;
}

/* make_env - the exporter's whole environment, built before fork */
static char **
make_env(const struct xtype *t, const struct job *j)
{
	static const char *keep[] = { "PATH", "HOME", "LANG" };
	char **env = NULL, name[128], num[32];
	const char *v;
	size_t n = 0, i;

	env = xcalloc(1, sizeof(*env));
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if ((v = getenv(keep[i])) != NULL)
			env_add(&env, &n, keep[i], v);
		else if (strcmp(keep[i], "PATH") == 0)
			env_add(&env, &n, "PATH", "/usr/local/bin:/usr/bin:/bin");
	env_add(&env, &n, "XSPOOL_ID", j->id);
	env_add(&env, &n, "XSPOOL_TYPE", t->name ? t->name : j->type);
	if (j->format != FMT_NONE)
		env_add(&env, &n, "XSPOOL_FORMAT", format_name(j->format));
	snprintf(num, sizeof(num), "%d", j->attempts + 1);
	env_add(&env, &n, "XSPOOL_ATTEMPT", num);
	for (i = 0; i < j->nparams; i++) {
		if (!env_name_ok(j->params[i].name) ||
		    strlen(j->params[i].name) > 64)
			continue;
		snprintf(name, sizeof(name), "XSPOOL_PARAM_%s",
		    j->params[i].name);
		env_add(&env, &n, name, j->params[i].value);
	}
	return env;
}

static void
env_free(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* spawn - start argv in its own process group with stdin /dev/null,
 * stdout and stderr on out and err, default signals, no other fds.
 * posix_spawn (a vfork in glibc) instead of fork: the daemon's worker
 * does not copy its page tables for every exporter, and an exec failure
 * comes back as the return value.  Returns 0 or an errno. */
static int
spawn(pid_t *pid, char *const argv[], char *const env[], int out, int err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int e;

	sigemptyset(&none);
	sigfillset(&all);
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		return e;
	if ((e = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return e;
	}
	if ((e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) != 0 ||
	    (e = posix_spawn_file_actions_adddup2(&fa, out, 1)) != 0 ||
	    (e = posix_spawn_file_actions_adddup2(&fa, err, 2)) != 0 ||
	    (e = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
	    (e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0 ||
	    (e = posix_spawnattr_setpgroup(&at, 0)) != 0 ||
	    (e = posix_spawnattr_setsigmask(&at, &none)) != 0 ||
	    (e = posix_spawnattr_setsigdefault(&at, &all)) != 0)
		goto out;
	e = posix_spawn(pid, argv[0], &fa, &at, argv, env);
out:
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

/*
 * children - the pids of this process's children (every thread's
 * /proc/self/task/TID/children), up to max; how many there are, which
 * may be more than max.  0 when /proc cannot tell.
 */
static size_t
children(pid_t *out, size_t max)
{
	char path[320], buf[4096];
	struct dirent *de;
	size_t n = 0;
	ssize_t k, i;
	DIR *d;
	long pid;
	int fd;

	if ((d = opendir("/proc/self/task")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
		    de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		k = read(fd, buf, sizeof(buf) - 1);	/* 4 KiB: ~500 pids */
		close(fd);
		for (i = 0, pid = 0; k > 0 && i <= k; i++) {
			if (i < k && buf[i] >= '0' && buf[i] <= '9') {
				pid = pid * 10 + (buf[i] - '0');
				continue;
			}
			if (pid > 0 && n++ < max)
				out[n - 1] = (pid_t)pid;
			pid = 0;
		}
	}
	closedir(d);
	return n;
}

/* kept - 1 when pid was our child before the exporter started */
static int
kept(const struct runner *r, pid_t pid)
{
	int i;

	for (i = 0; i < r->nkeep; i++)
		if (r->keep[i] == pid)
			return 1;
	return 0;
}

/*
 * sweep - SIGKILL every child of ours but the exporter and those we had
 * before it: its descendants, reparented to us (the subreaper) when
 * their parent died, with the process group each may lead (setsid).
 * With reap, wait for each, and go on with their own orphans until none
 * is left or SWEEP_MS pass.
 */
static void
sweep(struct runner *r, int reap)
{
	pid_t kids[KIDS_MAX];
	int64_t end = mono_ms() + SWEEP_MS;
	size_t n, i;
	int found;

	if (r->nkeep < 0)
		return;
	do {
		n = children(kids, KIDS_MAX);
		if (n > KIDS_MAX)
			n = KIDS_MAX;
		for (i = 0, found = 0; i < n; i++) {
			if (kids[i] == r->pid || kept(r, kids[i]))
				continue;
			found++;
			kill(-kids[i], SIGKILL);	/* ESRCH: leads none */
			kill(kids[i], SIGKILL);
			while (reap && waitpid(kids[i], NULL, 0) == -1 &&
			    errno == EINTR)
				;
		}
	} while (reap && found > 0 && mono_ms() < end);
}

/* subreaper - orphaned descendants of the exporter become our children
 * (so sweep finds them); the children we already have are noted */
static void
subreaper(struct runner *r)
{
	size_t n;

	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	n = children(r->keep, sizeof(r->keep) / sizeof(r->keep[0]));
	r->nkeep = n <= sizeof(r->keep) / sizeof(r->keep[0]) ? (int)n : -1;
}

static void
set_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) != -1)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
runner_start(struct runner *r, const struct config *c,
    const struct xtype *t, const struct job *j, char *err, size_t errlen)
{
	char *fallback[2] = { t->command, NULL }, **argv, **env = NULL;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	int e;

	memset(r, 0, sizeof(*r));
	r->pid = -1;
	r->out = r->err = -1;
	argv = t->argv && t->argv[0] ? t->argv : fallback;
	if (argv[0] == NULL) {
		seterr(err, errlen, "type %s has no command", t->name);
		return -1;
	}
	if (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1) {
		seterr(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	env = make_env(t, j);
	subreaper(r);
	if ((e = spawn(&r->pid, argv, env, po[1], pe[1])) != 0) {
		seterr(err, errlen, "cannot run %s: %s", argv[0],
		    strerror(e));
		r->pid = -1;
		errno = e;
		goto fail;
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	env_free(env);
	r->out = po[0];
	r->err = pe[0];
	set_nonblock(r->out);
	set_nonblock(r->err);
	r->timeout_ms = t->timeout_ms;
	r->deadline = t->timeout_ms > 0 ? mono_ms() + t->timeout_ms : 0;
	r->kill_grace_ms = c && c->kill_grace_ms > 0 ? c->kill_grace_ms : 5000;
	r->max_bytes = t->max_bytes;
	r->checked = mono_ms();
	return 0;
fail:
	e = errno;
	env_free(env);
	for (int i = 0; i < 2; i++) {
		if (po[i] != -1)
			close(po[i]);
		if (pe[i] != -1)
			close(pe[i]);
	}
	errno = e;
	return -1;
}

/* tail_add - keep the last bytes of stderr, starting at a line */
static void
tail_add(struct runner *r, const char *s, size_t n)
{
	size_t max = sizeof(r->tail), drop;
	char *nl;

	if (n >= max) {
		s += n - max;
		n = max;
		r->taillen = 0;
	}
	if (r->taillen + n > max) {
		drop = r->taillen + n - max;
		nl = memchr(r->tail + drop, '\n', r->taillen - drop);
		if (nl != NULL)
			drop = nl + 1 - r->tail;
		memmove(r->tail, r->tail + drop, r->taillen - drop);
		r->taillen -= drop;
	}
	memcpy(r->tail + r->taillen, s, n);
	r->taillen += n;
}

/* total_line - a stderr line "XSPOOL_TOTAL=N": the records the exporter
 * will write, for a percentage; its N, or -1 when it is not one */
static int64_t
total_line(const char *p, size_t len)
{
	static const char key[] = "XSPOOL_TOTAL=";
	int64_t v = 0;
	size_t i = sizeof(key) - 1;

	if (len <= i || memcmp(p, key, i) != 0)
		return -1;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	while (i < len && (p[i] == '\r' || p[i] == ' '))
		i++;
	return i == len ? v : -1;
}

/* scan_total - the last whole "XSPOOL_TOTAL=N" line of the tail */
static void
scan_total(struct runner *r)
{
	char *p = r->tail, *end = r->tail + r->taillen, *nl;
	int64_t v;

	for (; p < end && (nl = memchr(p, '\n', end - p)) != NULL;
	    p = nl + 1)
		if ((v = total_line(p, nl - p)) >= 0)
			r->total = v;
}

/* drain_err - read what stderr has now; closes it at EOF */
static void
drain_err(struct runner *r)
{
	char buf[4096];
	ssize_t n;

	while (r->err != -1) {
		n = read(r->err, buf, sizeof(buf));
		if (n > 0) {
			tail_add(r, buf, n);
			scan_total(r);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN) {
			close(r->err);
			r->err = -1;
		}
		break;
	}
}

/* leader_exited - 1 once the exporter itself has exited; it stays a
 * zombie (WNOWAIT) so its process group id cannot be reused */
static int
leader_exited(struct runner *r)
{
	siginfo_t si;

	if (r->exited || r->pid <= 0)
		return 1;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
		if (errno == EINTR)
			return 0;
		r->exited = 1;		/* ECHILD: someone else reaped it */
		return 1;
	}
	if (si.si_pid == r->pid)
		r->exited = 1;
	return r->exited;
}

static void
group_kill(struct runner *r, int sig)
{
	if (r->pid > 0 && !r->reaped)
		kill(-r->pid, sig);
}

/* wait_exit - drain stderr until the leader exits or ms pass; 1 if it did */
static int
wait_exit(struct runner *r, int64_t ms)
{
	int64_t end = mono_ms() + ms, left;
	struct pollfd pfd;
	int step = 1;

	while (!leader_exited(r)) {
		if ((left = end - mono_ms()) <= 0)
			return 0;
		pfd.fd = r->err;
		pfd.events = POLLIN;
		if (poll(&pfd, r->err != -1, left < step ? left : step) > 0)
			drain_err(r);
		if (step < 50)
			step *= 2;
	}
	return 1;
}

/* stop - SIGTERM the group, SIGKILL it after the grace period */
static void
stop(struct runner *r)
{
	group_kill(r, SIGTERM);
	if (r->out != -1) {
		close(r->out);	/* a writer blocked on a full pipe wakes */
		r->out = -1;
	}
	wait_exit(r, r->kill_grace_ms);
	group_kill(r, SIGKILL);
}

/* fail_timeout - the deadline passed: say so, stop the group */
static ssize_t
fail_timeout(struct runner *r)
{
	char d[32];

	fmt_dur(r->timeout_ms, d, sizeof(d));
	snprintf(r->reason, sizeof(r->reason), "timed out after %s", d);
	stop(r);
	return -1;
}

/* fail_bytes - over max_bytes: say so, kill the group at once */
static ssize_t
fail_bytes(struct runner *r)
{
	char b[32];

	fmt_bytes(r->max_bytes, b, sizeof(b));
	snprintf(r->reason, sizeof(r->reason), "output over max_bytes (%s)",
	    b);
	group_kill(r, SIGKILL);		/* before close: no SIGPIPE race */
	close(r->out);
	r->out = -1;
	return -1;
}

/* fail_errno - a read or poll error on our side */
static ssize_t
fail_errno(struct runner *r, const char *what)
{
	snprintf(r->reason, sizeof(r->reason), "%s exporter output: %s",
	    what, strerror(errno));
	stop(r);
	return -1;
}

/* runner_read - see xspool.h.  Once the leader has exited, the rest of
 * its group is killed so that a child left holding stdout open cannot
 * keep the export waiting until the deadline. */
ssize_t
runner_read(struct runner *r, char *buf, size_t len)
{
	struct pollfd pfd[2];
	int64_t now, wait;
	ssize_t n;

	for (;;) {
		if (r->out == -1)
			return r->reason[0] ? -1 : 0;
		now = mono_ms();
		if (r->deadline && now >= r->deadline)
			return fail_timeout(r);
		if (now - r->checked >= CHECK_MS) {
			r->checked = now;
			if (leader_exited(r)) {
				group_kill(r, SIGKILL);
				sweep(r, 0);	/* setsid'd ones holding stdout */
			}
		}
		wait = CHECK_MS;
		if (r->deadline && r->deadline - now < wait)
			wait = r->deadline - now;
		pfd[0].fd = r->out;
		pfd[1].fd = r->err;	/* -1 once closed: poll skips it */
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, (int)wait) == -1) {
			if (errno == EINTR)
				continue;
			return fail_errno(r, "poll");
		}
		if (pfd[1].revents)
			drain_err(r);
		if (pfd[0].revents == 0)
			continue;
		n = read(r->out, buf, len);
		if (n > 0) {
			r->nbytes += n;
			if (r->max_bytes > 0 && r->nbytes > r->max_bytes)
				return fail_bytes(r);
			return n;
		}
		if (n == 0) {
			close(r->out);
			r->out = -1;
			return 0;
		}
		if (errno != EAGAIN && errno != EINTR)
			return fail_errno(r, "read");
	}
}

/* reap - wait for the (exited) leader after killing what is left of its
 * group, collect stderr's last bytes, then kill and reap the descendants
 * that left the group */
static void
reap(struct runner *r)
{
	int64_t end;
	struct pollfd pfd;
	pid_t w;

	group_kill(r, SIGKILL);		/* children left behind */
	end = mono_ms() + 200;
	while (r->err != -1 && mono_ms() < end) {
		pfd.fd = r->err;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) > 0)
			drain_err(r);
	}
	if (r->err != -1) {
		close(r->err);
		r->err = -1;
	}
	if (r->out != -1) {
		close(r->out);
		r->out = -1;
	}
	r->status = -1;
	if (r->pid > 0) {
		do
			w = waitpid(r->pid, &r->status, 0);
		while (w == -1 && errno == EINTR);
		if (w == -1)
			r->status = -1;
	}
	r->reaped = 1;
	sweep(r, 1);		/* descendants that left the group */
}

/* clean_line - a stderr line made fit for a job file: UTF-8, no controls */
static void
clean_line(char *s, size_t n)
{
	int utf8 = utf8_valid(s, n);
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '\t')
			s[i] = ' ';
		else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
			s[i] = '?';
	}
}

/* tail_errors - the last non-blank lines of stderr, each one error */
static void
tail_errors(struct runner *r, struct job *j)
{
	char *start[TAIL_LINES], *p, *end, *nl;
	size_t len[TAIL_LINES], n = 0, i, k;

	p = r->tail;
	end = r->tail + r->taillen;
	while (p < end) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		k = nl - p;
		while (k > 0 && (p[k - 1] == '\r' || p[k - 1] == ' ' ||
		    p[k - 1] == '\t'))
			k--;
		if (k > 0 && total_line(p, k) >= 0)
			k = 0;		/* progress, not an error */
		if (k > 0) {
			if (n == TAIL_LINES) {
				memmove(start, start + 1,
				    sizeof(start[0]) * (n - 1));
				memmove(len, len + 1, sizeof(len[0]) * (n - 1));
				n--;
			}
			start[n] = p;
			len[n++] = k;
		}
		p = nl + 1;
	}
	for (i = 0; i < n; i++) {
		char *line = xstrndup(start[i], len[i]);
		clean_line(line, len[i]);
		job_add_error(j, line);
		free(line);
	}
}

int
runner_finish(struct runner *r, struct job *j)
{
	char msg[64];
	int64_t left;
	int failed;

	if (r->out != -1) {		/* the caller stopped reading */
		close(r->out);
		r->out = -1;
	}
	while (!r->reaped && !leader_exited(r)) {
		left = r->deadline ? r->deadline - mono_ms() : 1000;
		if (left <= 0 && r->reason[0] == '\0') {
			fail_timeout(r);
			continue;
		}
		if (left <= 0) {
			group_kill(r, SIGKILL);
			left = 50;
		}
		wait_exit(r, left < 1000 ? left : 1000);
	}
	if (!r->reaped)
		reap(r);
	failed = r->reason[0] != '\0';
	if (failed)
		job_add_error(j, r->reason);
	if (r->status == -1) {
		job_add_error(j, "exporter status lost (reaped elsewhere)");
		failed = 1;
	} else if (WIFEXITED(r->status) && WEXITSTATUS(r->status) != 0) {
		snprintf(msg, sizeof(msg), "exporter exited with status %d",
		    WEXITSTATUS(r->status));
		job_add_error(j, msg);
		failed = 1;
	} else if (WIFSIGNALED(r->status)) {
		snprintf(msg, sizeof(msg), "exporter killed by signal %d",
		    WTERMSIG(r->status));
		job_add_error(j, msg);
		failed = 1;
	}
	if (failed)
		tail_errors(r, j);
	return failed ? -1 : 0;
}

void
runner_kill(struct runner *r)
{
	if (r->reaped || r->pid <= 0)
		return;
	if (r->out != -1) {
		close(r->out);
		r->out = -1;
	}
	group_kill(r, SIGKILL);
	reap(r);
}
