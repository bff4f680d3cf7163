/* api_auth.c - who is asking: the keys the shim holds, reloaded when the
 * keys file changes (xspool key add|disable|del replace it by a rename),
 * the X-Api-Key check against them (DESIGN.md's table of key errors), the
 * IP allow-list, the per-key rate limit, and which jobs a key may see. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"

#define KEYS_CHECK_MS	1000	/* look at the keys file at most this often */

void
auth_init(struct api *a)
{
	pthread_mutex_init(&a->kmtx, NULL);
	atomic_init(&a->kcheck, 0);
	a->kfid.valid = 0;
	a->keys_bad = 0;
}

void
auth_free(struct api *a)
{
	pthread_mutex_destroy(&a->kmtx);
}

/* kfid_same - is the file that sb describes the one loaded? */
static int
kfid_same(const struct fid *f, const struct stat *sb)
{
	return f->valid && f->dev == sb->st_dev && f->ino == sb->st_ino &&
	    f->size == sb->st_size && f->mtim.tv_sec == sb->st_mtim.tv_sec &&
	    f->mtim.tv_nsec == sb->st_mtim.tv_nsec &&
	    f->ctim.tv_sec == sb->st_ctim.tv_sec &&
	    f->ctim.tv_nsec == sb->st_ctim.tv_nsec;
}

/* keys_identity - open and fstat path (close-to-open: on NFS the open
 * fetches the server's attributes): 1 with *sb, 0 when there is no file
 * (ENOENT: no keys), -1 with errno when it cannot be read (a FIFO or
 * another non-regular file is EINVAL, never opened for reading blocked) */
static int
keys_identity(const char *path, struct stat *sb)
{
	int fd, rc = 1;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, sb) == -1)
		rc = -1;
	else if (!S_ISREG(sb->st_mode)) {
		errno = EINVAL;
		rc = -1;
	}
	close(fd);
	return rc;
}

/* keys_swap - put k (NULL: keep the keys, refuse them all) in place and
 * remember the file's identity (sb NULL: none, check again) */
static void
keys_swap(struct api *a, struct keys *k, const struct stat *sb)
{
	struct keys *old = NULL;

	pthread_rwlock_wrlock(&a->lock);
	if (k) {
		old = a->keys;
		a->keys = k;
	}
	a->keys_bad = k == NULL;
	pthread_rwlock_unlock(&a->lock);
	memset(&a->kfid, 0, sizeof(a->kfid));
	if (sb) {
		a->kfid.valid = 1;
		a->kfid.dev = sb->st_dev;
		a->kfid.ino = sb->st_ino;
		a->kfid.size = sb->st_size;
		a->kfid.mtim = sb->st_mtim;
		a->kfid.ctim = sb->st_ctim;
	}
	if (old) {
		keys_free(old);
		free(old);
	}
}

/* keys_check - the body of auth_keys_refresh, under kmtx.  The identity
 * is taken before the load: a file replaced in between makes the next
 * check load it again. */
static void
keys_check(struct api *a, int force)
{
	static const struct stat none;
	char *path, err[ERRLEN];
	struct stat sb = none;
	struct keys *k;
	int rc, was_bad;

	pthread_rwlock_rdlock(&a->lock);
	path = xstrdup(a->cfg->keys);
	was_bad = a->keys_bad;
	pthread_rwlock_unlock(&a->lock);
	if ((rc = keys_identity(path, &sb)) == -1) {
		seterr(err, sizeof(err), "%s: %s", path, strerror(errno));
		goto bad;
	}
	/* no file: the identity of "none" (valid, all zero) */
	if (!force && (rc == 0 ? a->kfid.valid && a->kfid.ino == 0 &&
	    a->kfid.dev == 0 : kfid_same(&a->kfid, &sb)))
		goto out;
	k = xcalloc(1, sizeof(*k));
	if (keys_load(k, path, err, sizeof(err)) == -1) {
		free(k);
		goto bad;
	}
	keys_swap(a, k, &sb);
	if (was_bad)
		log_info("keys file %s readable again: %zu keys", path, k->n);
	else if (!force)
		log_info("keys file %s changed: %zu keys", path, k->n);
	goto out;
bad:
	if (!was_bad)
		log_warnx("keys file %s; refusing every key until it is fixed",
		    err);
	keys_swap(a, NULL, NULL);
out:
	free(path);
}

void
auth_keys_refresh(struct api *a, int force)
{
	int64_t now = mono_ms();

	if (!force && now - atomic_load(&a->kcheck) < KEYS_CHECK_MS)
		return;
	if (pthread_mutex_trylock(&a->kmtx) != 0) {
		if (!force)
			return;		/* another thread is at it */
		pthread_mutex_lock(&a->kmtx);
	}
	if (force || now - atomic_load(&a->kcheck) >= KEYS_CHECK_MS) {
		atomic_store(&a->kcheck, now);
		keys_check(a, force);
	}
	pthread_mutex_unlock(&a->kmtx);
}

/* rate_error - 429 with RetryAfterSeconds and Retry-After */
static enum MHD_Result
rate_error(struct rctx *x, int retry)
{
	char ra[16], extra[48];

	snprintf(ra, sizeof(ra), "%d", retry);
	snprintf(extra, sizeof(extra), "\"RetryAfterSeconds\":%d", retry);
	return reply_errx(x, 429, "RATE_LIMIT_EXCEEDED", extra, "Retry-After",
	    ra, "over %d requests a minute", x->a->cfg->rate);
}

int
auth_check(struct rctx *x, enum MHD_Result *ret)
{
	const union MHD_ConnectionInfo *ci;
	const struct apikey *k;
	char keyid[64];
	const char *h, *dot;
	int retry;

	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-Api-Key");
	if (h == NULL || *h == '\0') {
		*ret = reply_err(x, 400, "MISSING_API_KEY",
		    "the X-Api-Key header is missing");
		return -1;
	}
	if (x->a->keys_bad) {
		*ret = reply_errx(x, 503, "KEYS_UNAVAILABLE", NULL,
		    "Retry-After", "10", "the keys file cannot be read; no "
		    "key is accepted until it is fixed");
		return -1;
	}
	dot = strchr(h, '.');
	if ((dot ? (size_t)(dot - h) : strlen(h)) >= sizeof(keyid))
		goto invalid;
	snprintf(keyid, sizeof(keyid), "%.*s",
	    (int)(dot ? (size_t)(dot - h) : strlen(h)), h);
	if ((k = keys_find(x->a->keys, keyid)) == NULL)
		goto invalid;
	snprintf(x->r->keyid, sizeof(x->r->keyid), "%s", k->keyid);
	if (dot == NULL || dot[1] == '\0') {
		*ret = reply_err(x, 401, "SECRET_REQUIRED",
		    "the key must be given as KeyId.Secret");
		return -1;
	}
	if (!keys_secret_ok(k, dot + 1)) {
		*ret = reply_err(x, 401, "INVALID_SECRET", "wrong secret");
		return -1;
	}
	if (k->disabled) {
		*ret = reply_err(x, 401, "API_KEY_DISABLED",
		    "this key is disabled");
		return -1;
	}
	ci = MHD_get_connection_info(x->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || !keys_addr_ok(k, ci->client_addr)) {
		*ret = reply_err(x, 403, "IP_NOT_AUTHORIZED",
		    "this key may not be used from %s", x->r->peer);
		return -1;
	}
	if (!rl_take(x->a->rl, k->keyid, x->a->cfg->rate, mono_ms(), &retry)) {
		*ret = rate_error(x, retry);
		return -1;
	}
	x->key = k;
	return 0;
invalid:
	*ret = reply_err(x, 401, "INVALID_API_KEY", "unknown API key");
	return -1;
}

int
auth_visible(const struct rctx *x, const char *client)
{
	if (x->key->admin)
		return 1;
	return client != NULL && strcmp(client, x->key->client) == 0;
}
