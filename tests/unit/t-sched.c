/* t-sched.c - sched.c, the order a node takes ready jobs: turns by client
 * (B's one job right after A's current one, not after A's backlog),
 * weights in proportion, oldest first within a client, a type at its
 * max_running skipped and its jobs kept, a client joining late starting
 * level, fifo, sched_order giving the same sequence as sched_next, a
 * reload; and, as figures only (never a failure), the cost per claim at
 * 1,000 / 10,000 / 100,000 queued (make bench prints them: -b). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xspool.h"
#include "tap.h"

struct tj {
	char	 id[32];
	char	 client[16];
	char	 type[16];
	int64_t	 created;
};

static struct tj *jobs;

static struct tj *
mk(size_t i, const char *client, const char *type, int64_t created)
{
	struct tj *j = &jobs[i];

	snprintf(j->id, sizeof(j->id), "j%06zu", i);
	snprintf(j->client, sizeof(j->client), "%s", client ? client : "");
	snprintf(j->type, sizeof(j->type), "%s", type);
	j->created = created;
	return j;
}

static struct sent *
add(struct sched *s, struct tj *j)
{
	return sched_add(s, j->client[0] ? j->client : NULL, j->type,
	    j->created, j->id, j);
}

/* conf - a config with types T (max_running tmax) and U, weights w */
static void
conf(struct config *c, int fair, int tmax, const char *wname, int w)
{
	memset(c, 0, sizeof(*c));
	c->fair = fair;
	c->weights.dflt = 1;
	if (wname != NULL) {
		c->weights.n = 1;
		c->weights.name = malloc(sizeof(char *));
		c->weights.name[0] = strdup(wname);
		c->weights.v = malloc(sizeof(int));
		c->weights.v[0] = w;
	}
	c->types = calloc(2, sizeof(*c->types));
	c->ntypes = 2;
	c->types[0].name = strdup("T");
	c->types[0].max_running = tmax;
	c->types[1].name = strdup("U");
}

static void
unconf(struct config *c)
{
	size_t i;

	for (i = 0; i < c->weights.n; i++)
		free(c->weights.name[i]);
	free(c->weights.name);
	free(c->weights.v);
	for (i = 0; i < c->ntypes; i++)
		free(c->types[i].name);
	free(c->types);
}

/* seq - the clients of the next n jobs, as a string ("AABA...") */
static const char *
seq(struct sched *s, size_t n)
{
	static char b[256];
	struct tj *j;
	size_t k = 0;

	while (k < n && k < sizeof(b) - 1 && (j = sched_next(s)) != NULL)
		b[k++] = j->client[0] ? j->client[0] : '-';
	b[k] = '\0';
	return b;
}

static void
test_turns(void)
{
	struct sched *s = sched_new();
	struct config c;
	struct tj *j;
	size_t i;

	conf(&c, 1, 0, NULL, 1);
	sched_config(s, &c);
	for (i = 0; i < 1000; i++)
		add(s, mk(i, "A", "T", 1000 + (int64_t)i));
	is_str(seq(s, 3), "AAA", "one client alone: its jobs in turn");
	add(s, mk(1000, "B", "T", 5000));
	add(s, mk(1001, NULL, "U", 6000));
	is_str(seq(s, 4), "AB-A", "B and the jobs without a client come "
	    "next, each after one more of A's");
	j = sched_next(s);
	ok(j != NULL && strcmp(j->id, "j000005") == 0,
	    "A's jobs oldest first (got %s)", j ? j->id : "none");
	ok(sched_count(s) == 1000 - 6, "the rest still queued (%zu)",
	    sched_count(s));
	sched_free(s);
	unconf(&c);
}

static void
test_weights(void)
{
	struct sched *s = sched_new();
	struct config c;
	const char *q;
	size_t i, a = 0;

	conf(&c, 1, 0, "A", 3);
	sched_config(s, &c);
	for (i = 0; i < 300; i++) {
		add(s, mk(i, "A", "T", (int64_t)i));
		add(s, mk(300 + i, "B", "T", (int64_t)i));
	}
	q = seq(s, 200);
	for (i = 0; q[i]; i++)
		a += q[i] == 'A';
	ok(a == 150, "weight 3 against 1: 150 of the first 200 claims are "
	    "A's (got %zu)", a);
	sched_free(s);
	unconf(&c);
}

static void
test_limits(void)
{
	struct sched *s = sched_new();
	struct config c;
	struct tj *j;
	size_t i;

	conf(&c, 1, 2, NULL, 1);
	sched_config(s, &c);
	for (i = 0; i < 10; i++)
		add(s, mk(i, "A", "T", (int64_t)i));
	add(s, mk(10, "A", "U", 100));
	add(s, mk(11, "B", "T", 50));
	sched_running(s, "T", 2);
	j = sched_next(s);
	ok(j != NULL && strcmp(j->type, "U") == 0, "T at its limit: A's "
	    "younger job of type U goes (got %s)", j ? j->type : "none");
	ok(sched_next(s) == NULL && !sched_ready(s), "then nothing: every "
	    "ready job is of type T");
	ok(sched_count(s) == 11, "T's jobs are kept (%zu)", sched_count(s));
	sched_running(s, "T", -1);
	ok(sched_ready(s), "one T ends: ready again");
	j = sched_next(s);
	ok(j != NULL && strcmp(j->client, "B") == 0, "B's turn (A took the "
	    "last one)");
	sched_free(s);
	unconf(&c);
}

static void
test_fifo_reload(void)
{
	struct sched *s = sched_new();
	struct config c;
	struct sent *e;
	size_t i;

	conf(&c, 0, 0, NULL, 1);
	sched_config(s, &c);
	for (i = 0; i < 5; i++)
		add(s, mk(i, "A", "T", (int64_t)i));
	add(s, mk(5, "B", "T", 10));
	e = add(s, mk(6, "C", "T", 11));
	sched_remove(s, e);
	is_str(seq(s, 3), "AAA", "fifo: oldest first across clients");
	unconf(&c);
	conf(&c, 1, 0, NULL, 1);
	sched_config(s, &c);
	is_str(seq(s, 10), "ABA", "a reload to fair sorts the queued "
	    "jobs again; C's removed job is gone");
	sched_free(s);
	unconf(&c);
}

/* test_order - sched_order over a mix is the sequence sched_next gives
 * from a fresh start */
static void
test_order(void)
{
	struct sched *s = sched_new();
	struct sorder *v;
	struct config c;
	struct tj *j;
	size_t i, n = 500, same = 0;
	const char *cl[] = { "A", "B", "C", NULL };

	conf(&c, 1, 0, "A", 3);
	sched_config(s, &c);
	v = calloc(n, sizeof(*v));
	srand(7);
	for (i = 0; i < n; i++) {
		j = mk(i, cl[rand() % 4], "T", rand() % 1000);
		add(s, j);
		v[i].client = j->client[0] ? j->client : NULL;
		v[i].created = j->created;
		v[i].id = j->id;
	}
	sched_order(&c, v, n);
	for (i = 0; i < n && (j = sched_next(s)) != NULL; i++)
		same += strcmp(j->id, v[i].id) == 0;
	ok(same == n, "sched_order is the order of the claims (%zu of %zu "
	    "the same)", same, n);
	free(v);
	sched_free(s);
	unconf(&c);
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* bench - ns per claim with n queued (a claim and an add, so that the
 * queue stays at n), 100 clients (one of them holding half) */
static void
bench(size_t n)
{
	struct sched *s = sched_new();
	struct config c;
	struct tj *j;
	size_t i, k = 200000;
	double t;

	conf(&c, 1, 0, NULL, 1);
	sched_config(s, &c);
	for (i = 0; i < n; i++) {
		char cn[8];

		snprintf(cn, sizeof(cn), "c%zu", i % 2 ? i % 100 : 0);
		add(s, mk(i, cn, "T", (int64_t)i));
	}
	t = secs();
	for (i = 0; i < k; i++) {
		j = sched_next(s);
		j->created += (int64_t)n;
		add(s, j);
	}
	t = secs() - t;
	printf("# sched: %zu queued: %.0f ns per claim (and re-add)\n", n,
	    t / (double)k * 1e9);
	sched_free(s);
	unconf(&c);
}

int
main(int argc, char **argv)
{
	jobs = calloc(100000, sizeof(*jobs));
	test_turns();
	test_weights();
	test_limits();
	test_fifo_reload();
	test_order();
	if (argc > 1 && strcmp(argv[1], "-b") == 0) {
		bench(1000);
		bench(10000);
		bench(100000);
	}
	free(jobs);
	return done_testing();
}
