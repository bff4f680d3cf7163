/* worker.c - one claimed job's attempt in a forked child: export_run() into
 * a tmp/ zip, reporting progress lines and the result up a pipe.  The
 * parent alone moves job files; the child only writes its zip. */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "xspool.h"

#define WORKER_FD	3	/* the pipe's write end in the child */
#define PROGRESS_MIN_MS	250	/* at most this often up the pipe */
#define RESULT_MARK	"R\n"

static int64_t	 child_last;
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

/* child_progress - export_run's callback: a "P records bytes" line */
static void
child_progress(void *arg, int64_t records, int64_t bytes)
{
	char line[64];
	int n;

	(void)arg;
	if (mono_ms() - child_last < PROGRESS_MIN_MS)
		return;
	child_last = mono_ms();
	n = snprintf(line, sizeof(line), "P %lld %lld\n", (long long)records,
	    (long long)bytes);
	(void)write_all(WORKER_FD, line, n);
}

/* child_main - the worker process: never returns */
static void __attribute__((noreturn))
child_main(const struct config *c, const struct xtype *t, struct job *j,
    const char *zip, int wfd)
{
	struct sigaction sa;
	struct buf b;
	sigset_t all;
	size_t i;
	int r;

	setpgid(0, 0);		/* out of the terminal's group */
	snprintf(child_proc, sizeof(child_proc),
	    "/proc/self/task/%d/children", (int)getpid());
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = child_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (getppid() == 1)	/* the daemon died before PDEATHSIG was set */
		_exit(3);
	if (wfd != WORKER_FD) {
		if (dup3(wfd, WORKER_FD, O_CLOEXEC) == -1)
			_exit(3);
	} else
		fcntl(WORKER_FD, F_SETFD, FD_CLOEXEC);
	closelog();		/* its socket goes next; syslog reopens */
	close_range(WORKER_FD + 1, ~0U, 0);	/* the daemon's fds */

	/* this attempt's errors only: the parent keeps the earlier ones */
	for (i = 0; i < j->result.nerrors; i++)
		free(j->result.errors[i]);
	free(j->result.errors);
	j->result.errors = NULL;
	j->result.nerrors = 0;
	r = export_run(c, t, j, zip, child_progress, NULL);
	if (r == 0 && c->sync && fsync_file(zip) == -1) {
		/* here, in parallel, rather than in the parent's loop */
		char e[ERRLEN];

		snprintf(e, sizeof(e), "fsync %s: %s", zip, strerror(errno));
		job_add_error(j, e);
		j->result.success = 0;
		unlink(zip);
		r = -1;
	}
	buf_init(&b);
	buf_adds(&b, RESULT_MARK);
	job_write(j, &b, 0);
	(void)write_all(WORKER_FD, b.p, b.len);
	_exit(r == 0 ? 0 : 1);
}

int
worker_start(struct worker *w, const struct config *c, const struct xtype *t,
    const struct spool *s, char *err, size_t errlen)
{
	int p[2], fd;

	if ((fd = spool_tmpfile(s, w->zip, sizeof(w->zip), "zip")) == -1) {
		snprintf(err, errlen, "cannot make a tmp/ file: %s",
		    strerror(errno));
		return -1;
	}
	close(fd);
	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		unlink(w->zip);
		return -1;
	}
	fflush(stderr);
	switch (w->pid = fork()) {
	case -1:
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		unlink(w->zip);
		return -1;
	case 0:
		close(p[0]);
		child_main(c, t, &w->job, w->zip, p[1]);
	}
	close(p[1]);
	w->fd = p[0];
	fcntl(w->fd, F_SETFL, O_NONBLOCK);
	buf_init(&w->in);
	w->eof = w->reaped = 0;
	w->status = 0;
	w->t0 = mono_ms();
	w->deadline = w->t0 + t->timeout_ms + c->kill_grace_ms +
	    (t->timeout_ms / 10 > WORKER_SLACK_MS ? t->timeout_ms / 10 :
	    WORKER_SLACK_MS);
	w->killed = 0;
	return 0;
}

/* progress_lines - consumes whole "P r b" lines before the result */
static void
progress_lines(struct worker *w)
{
	long long r, b;
	char *nl;

	while (w->in.len > 0 && w->in.p[0] == 'P' &&
	    (nl = memchr(w->in.p, '\n', w->in.len)) != NULL) {
		if (sscanf(w->in.p, "P %lld %lld", &r, &b) == 2 &&
		    (r != w->job.progress_records ||
		    b != w->job.progress_bytes || !w->job.has_progress)) {
			w->job.has_progress = 1;
			w->job.progress_records = r;
			w->job.progress_bytes = b;
			w->dirty = 1;
		}
		buf_consume(&w->in, nl + 1 - w->in.p);
	}
}

int
worker_input(struct worker *w)
{
	char tmp[8192];
	ssize_t n;

	for (;;) {
		n = read(w->fd, tmp, sizeof(tmp));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			w->eof = 1;
			close(w->fd);
			w->fd = -1;
			break;
		}
		if (w->in.len + n > JOB_MAX_SIZE * 2)
			continue;	/* a mad child: drop, it will fail */
		buf_add(&w->in, tmp, n);
		progress_lines(w);
	}
	progress_lines(w);
	return w->eof;
}

/* status_text - why the worker process ended, for the job's errors */
static void
status_text(const struct worker *w, char *buf, size_t size)
{
	if (w->killed)
		snprintf(buf, size, "the attempt overran its deadline "
		    "(timeout + grace) and was killed");
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
	size_t ml = strlen(RESULT_MARK);
	int ok;

	memset(res, 0, sizeof(*res));
	job_init(&cj);
	if (w->killed || w->in.len < ml ||
	    memcmp(w->in.p, RESULT_MARK, ml) != 0 ||
	    job_parse(&cj, w->in.p + ml, w->in.len - ml, err,
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
	ok = res->success && WIFEXITED(w->status) &&
	    WEXITSTATUS(w->status) == 0;
	if (!ok && res->nerrors == 0) {
		status_text(w, err, sizeof(err));
		res->errors = xcalloc(1, sizeof(*res->errors));
		res->errors[0] = xstrdup(err);
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

void
worker_clear(struct worker *w)
{
	if (w->fd != -1)
		close(w->fd);
	buf_free(&w->in);
	job_free(&w->job);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
