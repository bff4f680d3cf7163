/* api_conn.c - the REST shim's connections: each one's context, and the
 * header deadline that keeps slow clients (slowloris) from holding
 * connection slots.  libmicrohttpd's only timeout is one of idleness,
 * which a client sending a byte now and then never meets; here a
 * connection that has not sent a whole request header within
 * header_timeout of its accept (or of its last answer, when kept alive)
 * is shut down, however slowly its bytes trickle in. */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "api.h"

#define WAIT_MIN_MS	10	/* the thread sleeps at least this long */
#define LOG_FIRST_MS	1000	/* drops are logged this long after the
				 * first (a flood: one line) */
#define LOG_EVERY_MS	60000	/* and then at most this often */

/* unlink - take cc off the header list (under mtx) */
static void
unlink_cc(struct hwatch *h, struct conn_ctx *cc)
{
	if (!cc->waiting)
		return;
	if (cc->prev)
		cc->prev->next = cc->next;
	else
		h->head = cc->next;
	if (cc->next)
		cc->next->prev = cc->prev;
	else
		h->tail = cc->prev;
	cc->prev = cc->next = NULL;
	cc->waiting = 0;
}

/* append - cc at the end: the list stays ordered by since (under mtx) */
static void
append_cc(struct hwatch *h, struct conn_ctx *cc)
{
	cc->since = mono_ms();
	cc->prev = h->tail;
	cc->next = NULL;
	if (h->tail)
		h->tail->next = cc;
	else
		h->head = cc;
	h->tail = cc;
	cc->waiting = 1;
}

/* sleep_until - wait on wake until mono_ms() deadline (under mtx) */
static void
sleep_until(struct hwatch *h, int64_t deadline)
{
	struct timespec ts;
	int64_t ms = deadline - mono_ms();

	if (ms < WAIT_MIN_MS)
		ms = WAIT_MIN_MS;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	(void)pthread_cond_timedwait(&h->wake, &h->mtx, &ts);
}

/* watch - the thread: shut down every connection past its deadline; the
 * socket is still open, since conn_close (which MHD calls before it
 * closes the socket) waits for mtx.  MHD then sees the end of the
 * stream and closes the connection itself. */
static void *
watch(void *arg)
{
	struct hwatch *h = arg;
	struct conn_ctx *cc;
	unsigned long long n = 0, logged = 0;
	int64_t now, tmo, wake, log_at = 0, quiet_until = 0;

	pthread_mutex_lock(&h->mtx);
	while (!h->stop) {
		tmo = atomic_load(&h->timeout_ms);
		now = mono_ms();
		while ((cc = h->head) != NULL && now - cc->since >= tmo) {
			unlink_cc(h, cc);
			(void)shutdown(cc->fd, SHUT_RDWR);
			n = atomic_fetch_add(&h->dropped, 1) + 1;
		}
		if (n > logged && log_at == 0)
			log_at = now + LOG_FIRST_MS > quiet_until ?
			    now + LOG_FIRST_MS : quiet_until;
		if (log_at && now >= log_at) {
			pthread_mutex_unlock(&h->mtx);
			log_warnx("dropped %llu connection%s that sent no whole "
			    "request header within %lld ms (slow clients)",
			    n - logged, n - logged == 1 ? "" : "s",
			    (long long)tmo);
			pthread_mutex_lock(&h->mtx);
			logged = n;
			log_at = 0;
			quiet_until = now + LOG_EVERY_MS;
			continue;
		}
		/* later entries have later deadlines; a new one comes no
		 * sooner than tmo from now */
		wake = cc ? cc->since + tmo : now + tmo;
		sleep_until(h, log_at && log_at < wake ? log_at : wake);
	}
	pthread_mutex_unlock(&h->mtx);
	return NULL;
}

void
conn_init(struct api *a, int64_t timeout_ms)
{
	struct hwatch *h = &a->hw;
	pthread_condattr_t attr;

	pthread_mutex_init(&h->mtx, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &attr);
	pthread_condattr_destroy(&attr);
	atomic_store(&h->timeout_ms, timeout_ms);
	atomic_store(&h->dropped, 0);
}

int
conn_start(struct api *a)
{
	struct hwatch *h = &a->hw;
	int rc;

	if ((rc = pthread_create(&h->th, NULL, watch, h)) != 0) {
		errno = rc;
		return -1;
	}
	h->running = 1;
	return 0;
}

void
conn_stop(struct api *a)
{
	struct hwatch *h = &a->hw;

	if (!h->running)
		return;
	pthread_mutex_lock(&h->mtx);
	h->stop = 1;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->mtx);
	pthread_join(h->th, NULL);
	h->running = 0;
}

void
conn_free(struct api *a)
{
	conn_stop(a);
	pthread_mutex_destroy(&a->hw.mtx);
	pthread_cond_destroy(&a->hw.wake);
}

void
conn_timeout(struct api *a, int64_t timeout_ms)
{
	struct hwatch *h = &a->hw;

	pthread_mutex_lock(&h->mtx);
	atomic_store(&h->timeout_ms, timeout_ms);
	pthread_cond_signal(&h->wake);	/* a shorter one applies now */
	pthread_mutex_unlock(&h->mtx);
}

struct conn_ctx *
conn_open(struct api *a, int fd)
{
	struct conn_ctx *cc = xcalloc(1, sizeof(*cc));

	cc->fd = fd;
	if (fd == -1)		/* no socket to shut down: not watched */
		return cc;
	pthread_mutex_lock(&a->hw.mtx);
	append_cc(&a->hw, cc);
	pthread_mutex_unlock(&a->hw.mtx);
	return cc;
}

void
conn_busy(struct api *a, struct conn_ctx *cc)
{
	if (cc == NULL || cc->fd == -1)
		return;
	pthread_mutex_lock(&a->hw.mtx);
	unlink_cc(&a->hw, cc);
	pthread_mutex_unlock(&a->hw.mtx);
}

void
conn_idle(struct api *a, struct conn_ctx *cc)
{
	if (cc == NULL || cc->fd == -1)
		return;
	pthread_mutex_lock(&a->hw.mtx);
	unlink_cc(&a->hw, cc);
	append_cc(&a->hw, cc);
	pthread_mutex_unlock(&a->hw.mtx);
}

void
conn_close(struct api *a, struct conn_ctx *cc)
{
	if (cc == NULL)
		return;
	if (cc->fd != -1) {
		pthread_mutex_lock(&a->hw.mtx);
		unlink_cc(&a->hw, cc);
		pthread_mutex_unlock(&a->hw.mtx);
	}
	free(cc);
}
