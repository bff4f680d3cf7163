/* t-ratelimit.c - ratelimit.c's per-key token buckets: bursts of rate,
 * the refill of rate a minute, Retry-After, keys apart, no limit at rate
 * <= 0, a clock that steps back, and exactness under two threads.  Time
 * is passed in, so nothing here depends on the machine's speed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

#define T0	1000000		/* any mono_ms() value */

/* takes - how many of n takes of keyid at now are allowed */
static int
takes(struct ratelimit *rl, const char *keyid, int rate, int64_t now, int n)
{
	int i, got = 0, r;

	for (i = 0; i < n; i++)
		got += rl_take(rl, keyid, rate, now, &r);
	return got;
}

static void
test_burst(void)
{
	struct ratelimit *rl = rl_new();
	int r = -1;

	ok(takes(rl, "aaaa", 3, T0, 3) == 3, "a new key has a burst of rate");
	ok(rl_take(rl, "aaaa", 3, T0, &r) == 0, "the next is refused");
	/* 3 a minute: a token every 20 s; whole seconds, rounded up */
	ok(r >= 20 && r <= 21, "Retry-After is the 20 s to the next token "
	    "(got %d)", r);
	ok(rl_take(rl, "aaaa", 3, T0 + 20000, &r) == 1 && r == 0,
	    "20 s later one token is back (Retry-After 0 when allowed)");
	ok(rl_take(rl, "aaaa", 3, T0 + 20000, &r) == 0, "only one");
	ok(takes(rl, "bbbb", 3, T0, 4) == 3, "another key, emptied");
	ok(rl_take(rl, "bbbb", 3, T0 + 19000, &r) == 0,
	    "19 s later still refused");
	ok(r >= 1 && r <= 2, "...and Retry-After counts down (got %d)", r);
	rl_free(rl);
}

static void
test_refill_capped(void)
{
	struct ratelimit *rl = rl_new();

	ok(takes(rl, "k", 5, T0, 5) == 5, "5 of 5");
	ok(takes(rl, "k", 5, T0 + 3600 * 1000, 10) == 5,
	    "after an hour idle, the burst is still at most rate");
	ok(takes(rl, "k", 5, T0 + 3600 * 1000 + 30000, 10) == 2,
	    "half a minute later, half the rate (2 of 2.5 tokens)");
	rl_free(rl);
}

static void
test_keys_apart(void)
{
	struct ratelimit *rl = rl_new();
	char key[32];
	int i, all = 1;

	ok(takes(rl, "one", 2, T0, 5) == 2, "key one: its 2");
	ok(takes(rl, "two", 2, T0, 5) == 2,
	    "key two has its own bucket after one is empty");
	/* more keys than the first allocation holds (16) */
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "key%03d", i);
		all &= takes(rl, key, 1, T0, 2) == 1;
	}
	ok(all, "100 more keys, each with its own full bucket of 1");
	ok(takes(rl, "one", 2, T0, 1) == 0, "key one is still empty");
	ok(takes(rl, "two", 2, T0, 1) == 0, "and so is two");
	for (i = 0, all = 1; i < 100; i++) {
		snprintf(key, sizeof(key), "key%03d", i);
		all &= takes(rl, key, 1, T0, 1) == 0;
	}
	ok(all, "each of the 100 keys is found again (empty)");
	rl_free(rl);
}

static void
test_no_limit(void)
{
	struct ratelimit *rl = rl_new();
	int r = -1;

	ok(takes(rl, "k", 0, T0, 1000) == 1000, "rate 0: no limit");
	ok(takes(rl, "k", -1, T0, 1000) == 1000, "rate -1: no limit");
	ok(rl_take(rl, "k", 0, T0, &r) == 1 && r == 0,
	    "and Retry-After is 0");
	rl_free(rl);
}

static void
test_clock_back(void)
{
	struct ratelimit *rl = rl_new();
	int r = -1;

	ok(takes(rl, "k", 60, T0, 60) == 60, "60 of 60");
	ok(rl_take(rl, "k", 60, T0 - 600000, &r) == 0,
	    "a clock 10 min back gives no tokens");
	ok(r >= 1 && r <= 2, "and a sane Retry-After (got %d)", r);
	ok(rl_take(rl, "k", 60, T0 + 1000, &r) == 1,
	    "1 s after the last refill: the next token (60 a minute)");
	rl_free(rl);
}

struct hammer {
	struct ratelimit	*rl;
	int			 id, got, own;
};

/* hammer - a thread: takes from the shared key, and makes keys of its own
 * (each new key grows the table the others search) */
static void *
hammer(void *arg)
{
	struct hammer *h = arg;
	char key[32];
	int i, r;

	for (i = 0; i < 1000; i++) {
		h->got += rl_take(h->rl, "shared", 500, T0, &r);
		snprintf(key, sizeof(key), "t%d-%d", h->id, i % 250);
		h->own += rl_take(h->rl, key, 2, T0, &r);
	}
	return NULL;
}

static void
test_threads(void)
{
	struct hammer h[4];
	pthread_t t[4];
	int i, sum = 0, own = 0;

	h[0].rl = rl_new();
	for (i = 0; i < 4; i++) {
		h[i].rl = h[0].rl;
		h[i].id = i;
		h[i].got = h[i].own = 0;
		pthread_create(&t[i], NULL, hammer, &h[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		sum += h[i].got;
		own += h[i].own;
	}
	ok(sum == 500, "4 threads, 4,000 takes at one instant: exactly the "
	    "500 of the burst are allowed (got %d)", sum);
	ok(own == 2000, "while each made 250 keys of its own, 2 of 4 takes "
	    "each allowed (got %d of 2000)", own);
	rl_free(h[0].rl);
}

int
main(void)
{
	test_burst();
	test_refill_capped();
	test_keys_apart();
	test_no_limit();
	test_clock_back();
	test_threads();
	return done_testing();
}
