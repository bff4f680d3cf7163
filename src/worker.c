/* worker.c - xspoold's long-lived worker processes.  Each is forked once
 * and runs one job at a time: the daemon sends a claimed job down a socket,
 * the worker runs export_run() into a tmp/ zip, puts the zip in out/ and
 * sends progress lines and the result back; the daemon decides where the
 * job goes and hands the final spool_move() back to the worker, so that
 * the fsyncs of two jobs' ends overlap instead of queueing in the event
 * loop.  The daemon alone decides; the worker only does. */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "xspool.h"

#define WORKER_FD	3	/* the socket in the child */
#define SPOOL_FD	4	/* the spool's directory in the child */
#define PROGRESS_MIN_MS	250	/* at most this often up the socket */
#define SEND_TIMEOUT_S	5	/* a worker that does not read is hung */
#define MSG_MAX		(2 * JOB_MAX_SIZE + PATH_MAX + 256)

/* the child's buffered reader of the socket */
struct rd {
	int	 fd;
	char	 buf[16384];
	size_t	 off, len;
};

static int64_t	 child_last;
static const struct nodeshare *child_lease;	/* the daemon's, shared */
static char	 child_proc[64];	/* /proc/self/task/PID/children */

/* kill_children - SIGKILL to each child listed in the /proc file path
 * (the exporter) and to its process group; async-signal-safe */
static void
kill_children(const char *path)
{
	char buf[512];
	ssize_t n;
	pid_t pid = 0;
	int fd, i;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (i = 0; n > 0 && i <= n; i++) {
		if (i < n && buf[i] >= '0' && buf[i] <= '9') {
			pid = pid * 10 + (buf[i] - '0');
			continue;
		}
		if (pid > 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		pid = 0;
	}
}

/* child_term - SIGTERM in the child: kill the process groups of its own
 * children (the exporter), then die */
static void
child_term(int sig)
{
	(void)sig;
	kill_children(child_proc);
	_exit(3);
}

/* child_progress - export_run's callback: a "P records bytes total"
 * line */
static void
child_progress(void *arg, int64_t records, int64_t bytes, int64_t total)
{
	char line[64];
	int n;

	(void)arg;
	if (mono_ms() - child_last < PROGRESS_MIN_MS)
		return;
	child_last = mono_ms();
	n = snprintf(line, sizeof(line), "P %lld %lld %lld\n",
	    (long long)records, (long long)bytes, (long long)total);
	(void)write_all(WORKER_FD, line, n);
}

/* rd_fill - more bytes from the socket; 0 at EOF or on error */
static int
rd_fill(struct rd *r)
{
	ssize_t n;

	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	do
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return 0;
	r->len += n;
	return 1;
}

/* rd_line - the next "\n"-ended line (without it) into line; 0 at EOF
 * or when it is too long */
static int
rd_line(struct rd *r, char *line, size_t size)
{
	char *nl;
	size_t n;

	while ((nl = memchr(r->buf + r->off, '\n', r->len - r->off)) ==
	    NULL) {
		if (r->len - r->off >= size || !rd_fill(r))
			return 0;
	}
	n = nl - (r->buf + r->off);
	if (n >= size)
		return 0;
	memcpy(line, r->buf + r->off, n);
	line[n] = '\0';
	r->off += n + 1;
	return 1;
}

/* rd_bytes - exactly n bytes into a new NUL-terminated string, or NULL */
static char *
rd_bytes(struct rd *r, size_t n)
{
	char *p = xmalloc(n + 1);
	size_t got = 0, k;

	while (got < n) {
		if (r->off == r->len && !rd_fill(r)) {
			free(p);
			return NULL;
		}
		k = r->len - r->off;
		if (k > n - got)
			k = n - got;
		memcpy(p + got, r->buf + r->off, k);
		r->off += k;
		got += k;
	}
	p[n] = '\0';
	return p;
}

/* rd_job - an id and a job's text (idlen, joblen) into j; 0 or -1 */
static int
rd_job(struct rd *r, size_t idlen, size_t joblen, struct job *j)
{
	char err[ERRLEN], *id, *text;
	int rv = -1;

	job_init(j);
	if (idlen > ID_MAX || joblen > JOB_MAX_SIZE ||
	    (id = rd_bytes(r, idlen)) == NULL)
		return -1;
	if ((text = rd_bytes(r, joblen)) != NULL &&
	    job_parse(j, text, joblen, err, sizeof(err)) == 0) {
		snprintf(j->id, sizeof(j->id), "%s", id);
		rv = 0;
	}
	free(id);
	free(text);
	return rv;
}

/* ours - the job is still this node's: its lease is current and its
 * processing/NODE/ still holds the job (fencing, before a result goes in
 * place and before the final move) */
static int
ours(const struct spool *sp, const char *id)
{
	return node_share_current(child_lease) && spool_holds(sp, id);
}

/*
 * put_result - the finished zip into out/ID.zip.  The success is first
 * recorded in the job file (finished still 0), so that a kill between
 * the zip's move and the job's end leaves a job that recovery completes
 * instead of running again.  0 or -1 with err.
 */
static int
put_result(struct spool *sp, const char *zip, struct job *j, char *err,
    size_t errlen)
{
	struct spool quick = *sp;

	if (!ours(sp, j->id)) {
		seterr(err, errlen, "not put in place: the job is no longer "
		    "this node's (its lease lapsed, or it was moved)");
		return -1;
	}
	quick.sync = 0;		/* lost in a power cut: the job runs again */
	if (spool_rewrite(&quick, ST_PROCESSING, NULL, j) == -1) {
		seterr(err, errlen, "cannot record the result: %s",
		    strerror(errno));
		return -1;
	}
	return spool_put_zip(sp, zip, j->id, err, errlen);
}

/* child_job - "J idlen ziplen joblen": one attempt, answered with
 * "R len" and the job (no password) holding this attempt's result */
static void
child_job(const struct config *c, struct spool *sp, struct rd *r,
    const char *line)
{
	char err[ERRLEN], *zip;
	const struct xtype *t;
	size_t idlen, ziplen, joblen, i;
	struct buf b;
	struct job j;
	int rv = -1;

	if (sscanf(line, "J %zu %zu %zu", &idlen, &ziplen, &joblen) != 3 ||
	    ziplen >= PATH_MAX || (zip = rd_bytes(r, ziplen)) == NULL)
		_exit(2);
	if (rd_job(r, idlen, joblen, &j) == -1)
		_exit(2);
	/* this attempt's errors only: the parent keeps the earlier ones */
	for (i = 0; i < j.result.nerrors; i++)
		free(j.result.errors[i]);
	free(j.result.errors);
	j.result.errors = NULL;
	j.result.nerrors = 0;
	child_last = mono_ms();
	if ((t = config_type(c, j.type)) == NULL) {
		job_add_error(&j, "internal error: the worker does not know "
		    "this type");
		j.result.present = 1;
		j.result.success = 0;
		unlink(zip);
	} else
		rv = export_run(c, t, &j, zip, child_progress, NULL);
	if (rv == 0 && put_result(sp, zip, &j, err, sizeof(err)) == -1) {
		job_add_error(&j, err);
		j.result.success = 0;
		unlink(zip);
	}
	buf_init(&b);
	buf_adds(&b, "R 0000000000\n");	/* the length goes in after */
	job_write(&j, &b, 0);
	snprintf(err, sizeof(err), "R %010zu", b.len - 13);
	memcpy(b.p, err, 12);
	if (write_all(WORKER_FD, b.p, b.len) == -1)
		_exit(2);
	buf_free(&b);
	free(zip);
	job_free(&j);
}

/* child_settle - "S to idlen joblen": the job's final move, answered with
 * "D 0" or "D errno" */
static void
child_settle(struct spool *sp, struct rd *r, const char *line)
{
	char ans[32];
	size_t idlen, joblen;
	struct job j;
	int to, rc = 0;

	if (sscanf(line, "S %d %zu %zu", &to, &idlen, &joblen) != 3 ||
	    to < 0 || to >= NSTATES || rd_job(r, idlen, joblen, &j) == -1)
		_exit(2);
	if (!ours(sp, j.id))
		rc = LEASE_ERRNO;
	else if (spool_move(sp, j.id, ST_PROCESSING, NULL, to, &j) == -1)
		rc = errno ? errno : EIO;
	job_free(&j);
	snprintf(ans, sizeof(ans), "D %d\n", rc);
	if (write_all(WORKER_FD, ans, strlen(ans)) == -1)
		_exit(2);
}

/* child_main - the worker process: jobs until the socket closes */
static void __attribute__((noreturn))
child_main(const struct config *c, struct spool *sp, int sfd)
{
	struct sigaction sa;
	struct rd *r;
	char line[128];
	sigset_t all;
	int fd;

	setpgid(0, 0);		/* out of the terminal's group */
	snprintf(child_proc, sizeof(child_proc),
	    "/proc/self/task/%d/children", (int)getpid());
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);	/* the daemon's reload respawns us */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (getppid() == 1)	/* the daemon died before PDEATHSIG was set */
		_exit(3);
	/* the socket and the spool's directory on 3 and 4, nothing else */
	if ((fd = fcntl(sfd, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    dup3(fd, WORKER_FD, O_CLOEXEC) == -1 ||
	    (fd = fcntl(sp->dirfd, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    dup3(fd, SPOOL_FD, O_CLOEXEC) == -1)
		_exit(3);
	sp->dirfd = SPOOL_FD;
	closelog();		/* its socket goes next; syslog reopens */
	close_range(SPOOL_FD + 1, ~0U, 0);	/* the daemon's fds */
	r = xcalloc(1, sizeof(*r));
	r->fd = WORKER_FD;
	while (rd_line(r, line, sizeof(line))) {
		if (line[0] == 'J')
			child_job(c, sp, r, line);
		else if (line[0] == 'S')
			child_settle(sp, r, line);
		else
			_exit(2);
	}
	_exit(0);		/* the daemon closed the socket */
}

int
worker_spawn(struct worker *w, const struct config *c,
    const struct spool *sp, const struct nodeshare *lease, char *err,
    size_t errlen)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	struct spool csp;
	int sv[2];

	worker_clear(w);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		seterr(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(stderr);
	switch (w->pid = fork()) {
	case -1:
		seterr(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		w->pid = 0;
		return -1;
	case 0:
		close(sv[0]);
		child_lease = lease;
		csp = *sp;
		child_main(c, &csp, sv[1]);
	}
	close(sv[1]);
	w->fd = sv[0];
	/* reads never block (recv MSG_DONTWAIT); a send to a worker that
	 * stopped reading gives up */
	setsockopt(w->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	w->born = mono_ms();
	return 0;
}

/* send_job - header line, the id and the job's whole text (password too) */
static int
send_job(struct worker *w, const char *head, const char *zip,
    const struct job *j)
{
	struct buf b, text;
	int rv;

	/* one write: the worker wakes once, with the whole message */
	buf_init(&text);
	job_write(j, &text, 1);
	buf_init(&b);
	if (zip != NULL)
		buf_addf(&b, "%s %zu %zu %zu\n%s", head, strlen(j->id),
		    strlen(zip), text.len, zip);
	else
		buf_addf(&b, "%s %zu %zu\n", head, strlen(j->id), text.len);
	buf_adds(&b, j->id);
	buf_add(&b, text.p, text.len);
	rv = write_all(w->fd, b.p, b.len);
	explicit_bzero(text.p, text.len);
	explicit_bzero(b.p, b.len);
	buf_free(&text);
	buf_free(&b);
	return rv;
}

int
worker_run(struct worker *w, const struct config *c, const struct xtype *t,
    const struct spool *s, char *err, size_t errlen)
{
	if (w->pid <= 0 || w->fd == -1 || w->reaped) {
		seterr(err, errlen, "no worker process");
		return -1;
	}
	/* a name, not a file: libzip writes its own temporary file next to
	 * it and renames it there.  One attempt of an id per node at a
	 * time, so node and id make it unique; no create and unlink in the
	 * busiest directory of the spool for every job */
	if (spool_tmpzip_path(s, w->zip, sizeof(w->zip), s->node,
	    w->job.id) == -1) {
		seterr(err, errlen, "tmp/ zip name too long");
		return -1;
	}
	buf_reset(&w->in);
	buf_reset(&w->res);
	w->t0 = mono_ms();
	w->deadline = w->t0 + t->timeout_ms + c->kill_grace_ms +
	    (t->timeout_ms / 10 > WORKER_SLACK_MS ? t->timeout_ms / 10 :
	    WORKER_SLACK_MS);
	w->killed = 0;
	w->phase = W_RUN;
	w->has_result = 0;
	if (send_job(w, "J", w->zip, &w->job) == -1) {
		seterr(err, errlen, "cannot hand the job to worker %ld: %s",
		    (long)w->pid, strerror(errno));
		/* half a message, or a worker that does not read: of no more
		 * use; its reap forks another */
		worker_kill(w, SIGKILL);
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	return 0;
}

int
worker_settle(struct worker *w, enum state to, int64_t limit_ms)
{
	char head[32];

	if (w->pid <= 0 || w->fd == -1 || w->reaped) {
		errno = EPIPE;
		return -1;
	}
	snprintf(head, sizeof(head), "S %d", (int)to);
	w->phase = W_SETTLE;
	w->to = to;
	w->deadline = mono_ms() + (limit_ms > WORKER_SLACK_MS ? limit_ms :
	    WORKER_SLACK_MS);
	w->killed = 0;
	if (send_job(w, head, NULL, &w->job) == -1) {
		w->phase = W_RUN;	/* nothing was moved */
		return -1;
	}
	return 0;
}

/* progress - one "P r b t" line into w->job */
static void
progress(struct worker *w, const char *line)
{
	long long r, b, t;

	if (sscanf(line, "P %lld %lld %lld", &r, &b, &t) == 3 &&
	    (r != w->job.progress_records || b != w->job.progress_bytes ||
	    t != w->job.progress_total || !w->job.has_progress)) {
		w->job.has_progress = 1;
		w->job.progress_records = r;
		w->job.progress_bytes = b;
		w->job.progress_total = t > 0 ? t : 0;
		w->dirty = 1;
	}
}

/* message - takes the first whole message off w->in; the event, or
 * W_EV_NONE when none is whole yet, or W_EV_BAD */
static int
message(struct worker *w, int *rc)
{
	size_t hl, len;
	char *nl;
	int ev = W_EV_NONE;

	if (w->in.len == 0 ||
	    (nl = memchr(w->in.p, '\n', w->in.len)) == NULL)
		return w->in.len > 64 ? W_EV_BAD : W_EV_NONE;
	*nl = '\0';
	hl = nl + 1 - w->in.p;
	switch (w->in.p[0]) {
	case 'P':
		if (w->phase == W_RUN)
			progress(w, w->in.p);
		ev = W_EV_PROGRESS;
		break;
	case 'R':
		if (w->phase != W_RUN || sscanf(w->in.p, "R %zu", &len) != 1 ||
		    len > JOB_MAX_SIZE * 2)
			return W_EV_BAD;
		if (w->in.len - hl < len) {
			*nl = '\n';	/* not whole yet */
			return W_EV_NONE;
		}
		buf_reset(&w->res);
		buf_add(&w->res, w->in.p + hl, len);
		w->has_result = 1;
		hl += len;
		ev = W_EV_RESULT;
		break;
	case 'D':
		if (w->phase != W_SETTLE || sscanf(w->in.p, "D %d", rc) != 1)
			return W_EV_BAD;
		ev = W_EV_SETTLED;
		break;
	default:
		return W_EV_BAD;
	}
	buf_consume(&w->in, hl);
	return ev;
}

int
worker_input(struct worker *w, int *rc)
{
	char tmp[16384];
	ssize_t n;
	int ev;

	for (;;) {
		while ((ev = message(w, rc)) == W_EV_PROGRESS)
			;
		if (ev == W_EV_BAD) {
			/* not our protocol: a mad worker, it fails its job */
			buf_reset(&w->in);
			worker_kill(w, SIGKILL);
			return W_EV_NONE;
		}
		if (ev != W_EV_NONE || w->fd == -1)
			return ev;
		n = recv(w->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return W_EV_NONE;
		if (n <= 0) {
			close(w->fd);
			w->fd = -1;
			return W_EV_EOF;
		}
		if (w->in.len + n > MSG_MAX) {
			buf_reset(&w->in);
			worker_kill(w, SIGKILL);
			return W_EV_NONE;
		}
		buf_add(&w->in, tmp, n);
	}
}

/* status_text - why the worker process ended, for the job's errors */
static void
status_text(const struct worker *w, char *buf, size_t size)
{
	if (w->killed)
		snprintf(buf, size, "the attempt overran its deadline "
		    "(timeout + grace) and was killed");
	else if (!w->reaped)
		snprintf(buf, size, "the worker process stopped answering");
	else if (WIFSIGNALED(w->status))
		snprintf(buf, size, "the worker process died of signal %d "
		    "(%s)", WTERMSIG(w->status), strsignal(WTERMSIG(w->status)));
	else
		snprintf(buf, size, "the worker process exited %d without "
		    "a result", WEXITSTATUS(w->status));
}

int
worker_result(struct worker *w, struct result *res)
{
	char err[ERRLEN];
	struct job cj;
	int ok;

	memset(res, 0, sizeof(*res));
	job_init(&cj);
	if (!w->has_result || job_parse(&cj, w->res.p, w->res.len, err,
	    sizeof(err)) == -1 || !cj.result.present) {
		status_text(w, err, sizeof(err));
		res->present = 1;
		res->errors = xcalloc(1, sizeof(*res->errors));
		res->errors[0] = xstrdup(err);
		res->nerrors = 1;
		res->duration_ms = mono_ms() - w->t0;
		ok = 0;
		goto done;
	}
	*res = cj.result;
	memset(&cj.result, 0, sizeof(cj.result));
	ok = res->success;
	if (!ok && res->nerrors == 0) {
		res->errors = xcalloc(1, sizeof(*res->errors));
		res->errors[0] = xstrdup("the attempt failed");
		res->nerrors = 1;
	}
 done:
	res->success = ok;
	job_free(&cj);
	return ok ? 0 : -1;
}

void
worker_kill(struct worker *w, int sig)
{
	char path[64];

	if (w->pid <= 0 || w->reaped)
		return;
	if (sig == SIGKILL) {
		/* a worker that ignored SIGTERM (hung, stopped) cannot kill
		 * its exporter's group: do it for it, while it is still the
		 * exporter's parent */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
		    (int)w->pid, (int)w->pid);
		kill_children(path);
		kill(-w->pid, SIGKILL);
	}
	kill(w->pid, sig);
}

int
worker_alive(const struct worker *w)
{
	return w->pid > 0 && !w->reaped;
}

void
worker_retire(struct worker *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	worker_kill(w, SIGTERM);
}

int
worker_reaped(struct worker *w, pid_t pid, int status)
{
	if (w->pid <= 0 || w->pid != pid)
		return 0;
	w->reaped = 1;
	w->status = status;
	return 1;
}

int
worker_wait(struct worker *w)
{
	int status;
	pid_t pid;

	if (!worker_alive(w))
		return 1;
	pid = waitpid(w->pid, &status, WNOHANG);
	if (pid == w->pid || (pid == -1 && errno == ECHILD)) {
		w->reaped = 1;
		w->status = pid == w->pid ? status : 0;
		return 1;
	}
	return 0;
}

void
worker_hurry(struct worker *w)
{
	w->killed = 0;
	w->deadline = mono_ms();
}

void
worker_stalled(struct worker *w, int64_t ms)
{
	if (w->phase == W_SETTLE && !w->killed)
		w->deadline += ms;
}

int
worker_overdue(struct worker *w, int64_t mono)
{
	if (!w->killed && mono >= w->deadline) {
		worker_kill(w, SIGTERM);
		w->killed = mono;
		return 1;
	}
	if (w->killed && mono >= w->killed + WORKER_KILL_WAIT_MS)
		worker_kill(w, SIGKILL);
	return 0;
}

int64_t
worker_due(const struct worker *w)
{
	return w->killed ? w->killed + WORKER_KILL_WAIT_MS : w->deadline;
}

void
worker_end(struct worker *w)
{
	job_free(&w->job);
	job_init(&w->job);
	w->phase = W_IDLE;
	w->has_result = 0;
	w->dirty = 0;
	w->killed = 0;
	w->zip[0] = '\0';
	buf_reset(&w->res);
}

void
worker_clear(struct worker *w)
{
	if (w->fd != -1)
		close(w->fd);
	buf_free(&w->in);
	buf_free(&w->res);
	job_free(&w->job);
	memset(w, 0, sizeof(*w));
	job_init(&w->job);
	w->fd = -1;
}
