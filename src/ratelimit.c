/* ratelimit.c - per-key token buckets for the REST shim: a key may make
 * `rate` requests a minute, in bursts of up to `rate`; thread-safe. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"

struct bucket {
	char	 keyid[33];
	double	 tokens;
	int64_t	 last;		/* mono_ms() of the last refill */
};

struct ratelimit {
	pthread_mutex_t	 mtx;
	struct bucket	*b;
	size_t		 n, cap;
};

struct ratelimit *
rl_new(void)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	pthread_mutex_init(&rl->mtx, NULL);
	return rl;
}

void
rl_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mtx);
	free(rl->b);
	free(rl);
}

/* rl_bucket - the bucket of keyid, a full new one when it has none */
static struct bucket *
rl_bucket(struct ratelimit *rl, const char *keyid, int rate, int64_t now)
{
	struct bucket *b;
	size_t i;

	for (i = 0; i < rl->n; i++)
		if (strcmp(rl->b[i].keyid, keyid) == 0)
			return &rl->b[i];
	if (rl->n == rl->cap) {
		rl->cap = rl->cap ? rl->cap * 2 : 16;
		rl->b = xreallocarray(rl->b, rl->cap, sizeof(*rl->b));
	}
	b = &rl->b[rl->n++];
	memset(b, 0, sizeof(*b));
	strncpy(b->keyid, keyid, sizeof(b->keyid) - 1);
	b->tokens = rate;
	b->last = now;
	return b;
}

int
rl_take(struct ratelimit *rl, const char *keyid, int rate, int64_t now,
    int *retry_after)
{
	struct bucket *b;
	double per_ms;
	int ok;

	*retry_after = 0;
	if (rate <= 0)
		return 1;
	per_ms = rate / 60000.0;
	pthread_mutex_lock(&rl->mtx);
	b = rl_bucket(rl, keyid, rate, now);
	if (now > b->last) {
		b->tokens += (now - b->last) * per_ms;
		if (b->tokens > rate)
			b->tokens = rate;
		b->last = now;
	}
	if ((ok = b->tokens >= 1.0))
		b->tokens -= 1.0;
	else {
		/* whole seconds until one token has come back */
		*retry_after = (int)((1.0 - b->tokens) / per_ms / 1000.0) + 1;
	}
	pthread_mutex_unlock(&rl->mtx);
	return ok;
}
