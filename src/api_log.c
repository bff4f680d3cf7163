/* api_log.c - the REST shim's access log: one line per request (time,
 * request id, peer, KeyId, method, path, status, bytes, duration; never
 * the query string), added by the request threads to a buffer that one
 * thread of its own writes out. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"

#define LOG_MAX		(4 * 1024 * 1024)	/* log lines not yet written */
#define LOG_GATHER_NS	10000000	/* the log writer lets lines gather */

int
alog_open(const char *path)
{
	if (path == NULL || *path == '\0')
		return -1;
	if (strcmp(path, "-") == 0)
		return dup(2);
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

void
alog_init(struct api *a, int fd)
{
	struct alog *lg = &a->lg;

	pthread_mutex_init(&lg->mtx, NULL);
	pthread_cond_init(&lg->more, NULL);
	pthread_cond_init(&lg->room, NULL);
	buf_init(&lg->b);
	lg->fd = fd;
}

/* alog_path - the path for the log: no spaces, controls or non-ASCII */
void
alog_path(struct buf *b, const char *p)
{
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch <= 0x20 || ch >= 0x7f || ch == '%' || ch == '"')
			buf_addf(b, "%%%02X", ch);
		else
			buf_addc(b, (char)ch);
	}
}

/* log_writer - the thread that writes the access log: woken by a line,
 * it lets lines gather for LOG_GATHER_NS, then writes them in one
 * write(2) (O_APPEND): under load, a hundred wake-ups and writes a
 * second, not one per request */
static void *
log_writer(void *arg)
{
	const struct timespec gather = { 0, LOG_GATHER_NS };
	struct alog *lg = arg;
	struct buf out, t;

	buf_init(&out);
	pthread_mutex_lock(&lg->mtx);
	for (;;) {
		while (lg->b.len == 0 && !lg->stop)
			pthread_cond_wait(&lg->more, &lg->mtx);
		if (lg->b.len == 0)
			break;
		if (!lg->stop) {
			pthread_mutex_unlock(&lg->mtx);
			nanosleep(&gather, NULL);
			pthread_mutex_lock(&lg->mtx);
		}
		t = lg->b;
		lg->b = out;
		out = t;
		pthread_cond_broadcast(&lg->room);
		pthread_mutex_unlock(&lg->mtx);
		if (lg->fd != -1)
			write_all(lg->fd, out.p, out.len);
		buf_reset(&out);
		pthread_mutex_lock(&lg->mtx);
	}
	pthread_mutex_unlock(&lg->mtx);
	buf_free(&out);
	return NULL;
}

int
alog_start(struct api *a)
{
	if (pthread_create(&a->lg.th, NULL, log_writer, &a->lg) != 0)
		return -1;
	a->lg.running = 1;
	return 0;
}

void
alog_stop(struct api *a)
{
	if (!a->lg.running)
		return;
	pthread_mutex_lock(&a->lg.mtx);
	a->lg.stop = 1;
	pthread_cond_signal(&a->lg.more);
	pthread_mutex_unlock(&a->lg.mtx);
	pthread_join(a->lg.th, NULL);
	a->lg.running = 0;
}

/* alog_reopen - SIGHUP: the log file again (rotated away, or renamed) */
void
alog_reopen(struct api *a, const char *path)
{
	int fd;

	if ((fd = alog_open(path)) == -1)
		return;
	if (a->lg.fd != -1) {
		dup2(fd, a->lg.fd);	/* atomic for the writers */
		close(fd);
	} else
		a->lg.fd = fd;
}

void
alog_free(struct api *a)
{
	struct alog *lg = &a->lg;

	alog_stop(a);
	if (lg->fd != -1)
		close(lg->fd);
	lg->fd = -1;
	pthread_mutex_destroy(&lg->mtx);
	pthread_cond_destroy(&lg->more);
	pthread_cond_destroy(&lg->room);
	buf_free(&lg->b);
}

/* log_time - fmt_time() of now, always with milliseconds; the date and
 * time formatted once a second per thread */
static void
log_time(char *out)
{
	static _Thread_local int64_t sec = -1;
	static _Thread_local char t[32];
	int64_t ms = now_ms();
	int frac = (int)(ms % 1000);

	if (ms / 1000 != sec) {
		sec = ms / 1000;
		fmt_time(sec * 1000 + 1, t);	/* with the ".001" */
	}
	memcpy(out, t, 32);	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
	out[20] = (char)('0' + frac / 100);
	out[21] = (char)('0' + frac / 10 % 10);
	out[22] = (char)('0' + frac % 10);
}

/* alog_request - one line per request; never the query string */
void
alog_request(struct api *a, const struct req *r, double secs)
{
	struct alog *lg = &a->lg;
	char ts[32];
	uint64_t us = (uint64_t)(secs * 1e6);
	struct buf b;

	if (lg->fd == -1)
		return;
	log_time(ts);
	buf_init(&b);
	buf_addf(&b, "%s %s %s %s %s ", ts, r->id, r->peer,
	    r->keyid[0] ? r->keyid : "-", r->method);
	alog_path(&b, r->path);
	buf_addf(&b, " %u %" PRIu64 " %" PRIu64 ".%03ums\n", r->status,
	    r->bytes, us / 1000, (unsigned)(us % 1000));
	if (!lg->running) {
		write_all(lg->fd, b.p, b.len);
		buf_free(&b);
		return;
	}
	pthread_mutex_lock(&lg->mtx);
	while (lg->b.len >= LOG_MAX && !lg->stop)
		pthread_cond_wait(&lg->room, &lg->mtx);
	if (lg->b.len == 0)
		pthread_cond_signal(&lg->more);
	buf_add(&lg->b, b.p, b.len);
	pthread_mutex_unlock(&lg->mtx);
	buf_free(&b);
}
