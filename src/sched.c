/* sched.c - the order in which a node takes ready jobs, and the one rule
 * the listings show: in turn by client, each client's weight claims per
 * round (stride scheduling: a client's pass grows by STRIDE / weight at
 * each claim, the lowest pass goes next), oldest first (created, then id)
 * within a client; a type at its max_running is skipped.  Each client
 * keeps one queue per type, so a client's job of a free type is not held
 * behind its jobs of a type at its limit.  A claim costs O(log clients +
 * types), not a walk over the queued jobs (heap.c's heaps). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"

#define STRIDE		UINT64_C(1000000000000)	/* / weight, per claim */
#define NOCLIENT	"-"		/* the jobs without a client */

struct sent {
	struct sflow	*flow;
	size_t		 hidx;		/* place in flow->q */
	int64_t		 created;
	void		*data;
	const char	*name;		/* the caller's, alive as long as e */
	char		*client, *type;	/* for a rebuild (sched_config) */
};

struct sflow {
	int		 type;		/* index in types, -1: no limit */
	struct heap	 q;		/* of struct sent, oldest first */
};

struct sclient {
	char		*name;
	int		 weight;
	uint64_t	 pass;
	size_t		 hidx;		/* place in sched's heap */
	size_t		 njobs;
	struct sent	*head;		/* its oldest job, any type */
	struct sflow	*flow;
	size_t		 nflow;
	struct sclient	*next;		/* hash chain */
};

struct stype {
	char		*name;
	int		 max, running;
};

struct sched {
	int		 fair;
	struct cmap	 weights;
	struct stype	*types;
	size_t		 ntypes;
	struct sclient	**ht;
	size_t		 htsize, nclients;
	struct heap	 heap;		/* clients with jobs, by (pass, head) */
	uint64_t	 vtime;		/* the pass of the last claim */
	size_t		 n;
};

uint64_t
sched_stride(int weight)
{
	return STRIDE / (uint64_t)(weight > 0 ? weight : 1);
}

int
sched_before(int64_t ca, const char *ia, int64_t cb, const char *ib)
{
	if (ca != cb)
		return ca < cb;
	return strcmp(ia, ib) < 0;
}

static int
ent_before(const void *a, const void *b)
{
	const struct sent *x = a, *y = b;

	return sched_before(x->created, x->name, y->created, y->name);
}

/* cl_before - the clients' order: lowest pass, then oldest head */
static int
cl_before(const void *a, const void *b)
{
	const struct sclient *x = a, *y = b;

	if (x->pass != y->pass)
		return x->pass < y->pass;
	return ent_before(x->head, y->head);
}

/* chead - c's oldest job over its flows */
static void
chead(struct sclient *c)
{
	size_t i;

	c->head = NULL;
	for (i = 0; i < c->nflow; i++)
		if (c->flow[i].q.n > 0 && (c->head == NULL ||
		    ent_before(c->flow[i].q.v[0], c->head)))
			c->head = c->flow[i].q.v[0];
}

/* ---- lookups */

static size_t
name_hash(const char *s)
{
	return str_hash(s, 0);
}

static void
ht_grow(struct sched *s)
{
	struct sclient **ht, *c, *nx;
	size_t i, size = s->htsize ? s->htsize * 2 : 64, k;

	ht = xcalloc(size, sizeof(*ht));
	for (i = 0; i < s->htsize; i++)
		for (c = s->ht[i]; c; c = nx) {
			nx = c->next;
			k = name_hash(c->name) & (size - 1);
			c->next = ht[k];
			ht[k] = c;
		}
	free(s->ht);
	s->ht = ht;
	s->htsize = size;
}

/* client - the client of that name, made when new */
static struct sclient *
client(struct sched *s, const char *name)
{
	struct sclient *c;
	size_t k;

	if (!s->fair)
		name = "";		/* fifo: everyone in one queue */
	else if (name == NULL)
		name = NOCLIENT;
	if (s->htsize > 0)
		for (c = s->ht[name_hash(name) & (s->htsize - 1)]; c;
		    c = c->next)
			if (strcmp(c->name, name) == 0)
				return c;
	if (s->nclients >= s->htsize)
		ht_grow(s);
	c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	c->weight = config_client(&s->weights, name);
	c->pass = s->vtime;
	k = name_hash(name) & (s->htsize - 1);
	c->next = s->ht[k];
	s->ht[k] = c;
	s->nclients++;
	return c;
}

/* type_index - the configured type of that name, -1: none (no limit) */
static int
type_index(const struct sched *s, const char *type)
{
	size_t i;

	for (i = 0; type != NULL && i < s->ntypes; i++)
		if (strcmp(s->types[i].name, type) == 0)
			return (int)i;
	return -1;
}

static struct sflow *
flow(struct sclient *c, int type)
{
	size_t i;

	for (i = 0; i < c->nflow; i++)
		if (c->flow[i].type == type)
			return &c->flow[i];
	/* the flows move: fix their entries' pointers */
	c->flow = xreallocarray(c->flow, c->nflow + 1, sizeof(*c->flow));
	c->flow[c->nflow].type = type;
	heap_init(&c->flow[c->nflow].q, ent_before,
	    offsetof(struct sent, hidx));
	for (i = 0; i < c->nflow; i++) {
		size_t j;

		for (j = 0; j < c->flow[i].q.n; j++)
			((struct sent *)c->flow[i].q.v[j])->flow = &c->flow[i];
	}
	return &c->flow[c->nflow++];
}

/* ---- the interface */

struct sched *
sched_new(void)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->fair = 1;
	s->weights.dflt = 1;
	heap_init(&s->heap, cl_before, offsetof(struct sclient, hidx));
	ht_grow(s);
	return s;
}

static void
cmap_copy(struct cmap *to, const struct cmap *from)
{
	size_t i;

	for (i = 0; i < to->n; i++)
		free(to->name[i]);
	free(to->name);
	free(to->v);
	to->dflt = from->dflt;
	to->n = from->n;
	to->name = xreallocarray(NULL, from->n + 1, sizeof(*to->name));
	to->v = xreallocarray(NULL, from->n + 1, sizeof(*to->v));
	for (i = 0; i < from->n; i++) {
		to->name[i] = xstrdup(from->name[i]);
		to->v[i] = from->v[i];
	}
}

/* drain - every entry out of the clients, into *v (for a rebuild) */
static size_t
drain(struct sched *s, struct sent ***v)
{
	struct sclient *c;
	size_t i, j, k, n = 0;

	*v = xreallocarray(NULL, s->n + 1, sizeof(**v));
	for (i = 0; i < s->htsize; i++)
		for (c = s->ht[i]; c; c = c->next) {
			for (j = 0; j < c->nflow; j++) {
				for (k = 0; k < c->flow[j].q.n; k++)
					(*v)[n++] = c->flow[j].q.v[k];
				heap_clear(&c->flow[j].q);
			}
			c->njobs = 0;
			c->head = NULL;
		}
	heap_clear(&s->heap);
	s->n = 0;
	return n;
}

static void
clients_free(struct sched *s)
{
	struct sclient *c, *nx;
	size_t i, j;

	for (i = 0; i < s->htsize; i++)
		for (c = s->ht[i]; c; c = nx) {
			nx = c->next;
			for (j = 0; j < c->nflow; j++)
				heap_free(&c->flow[j].q);
			free(c->flow);
			free(c->name);
			free(c);
		}
	memset(s->ht, 0, s->htsize * sizeof(*s->ht));
	s->nclients = 0;
}

/* readd - e in, under the current rules: a client that had no job
 * starts level with the lowest pass (no credit for being idle, no
 * penalty either) */
static void
readd(struct sched *s, struct sent *e)
{
	struct sclient *c = client(s, e->client), *first;
	struct sflow *f = flow(c, type_index(s, e->type));

	if (c->njobs == 0) {
		first = heap_top(&s->heap);
		if (first != NULL && first->pass > c->pass)
			c->pass = first->pass;
		else if (first == NULL && s->vtime > c->pass)
			c->pass = s->vtime;
	}
	e->flow = f;
	heap_push(&f->q, e);
	c->njobs++;
	s->n++;
	if (c->njobs == 1) {
		c->head = e;
		heap_push(&s->heap, c);
	} else if (ent_before(e, c->head)) {
		c->head = e;		/* c's key went down */
		heap_fix(&s->heap, c);
	}
}

void
sched_config(struct sched *s, const struct config *cfg)
{
	struct sent **v;
	size_t i, n;

	for (i = 0; i < s->ntypes; i++)
		free(s->types[i].name);
	free(s->types);
	s->types = xcalloc(cfg->ntypes + 1, sizeof(*s->types));
	for (i = 0; i < cfg->ntypes; i++) {
		s->types[i].name = xstrdup(cfg->types[i].name);
		s->types[i].max = cfg->types[i].max_running;
	}
	s->ntypes = cfg->ntypes;
	cmap_copy(&s->weights, &cfg->weights);
	s->fair = cfg->fair;
	/* the types' indexes, the clients and weights may have changed: the
	 * queues again (at a reload, not a claim: O(n log n) once) */
	n = drain(s, &v);
	clients_free(s);
	for (i = 0; i < n; i++)
		readd(s, v[i]);
	free(v);
}

struct sent *
sched_add(struct sched *s, const char *client_name, const char *type,
    int64_t created, const char *name, void *data)
{
	struct sent *e = xcalloc(1, sizeof(*e));

	e->created = created;
	e->name = name;
	e->data = data;
	e->client = client_name ? xstrdup(client_name) : NULL;
	e->type = type ? xstrdup(type) : NULL;
	readd(s, e);
	return e;
}

/* unlink - e out of its flow and its client, its client out of the heap
 * when e was its last job (e itself is kept) */
static void
unlink_ent(struct sched *s, struct sent *e)
{
	struct sclient *c = client(s, e->client);

	heap_remove(&e->flow->q, e);
	c->njobs--;
	s->n--;
	if (c->head == e)
		chead(c);
	if (c->njobs == 0)
		heap_remove(&s->heap, c);
	else
		heap_fix(&s->heap, c);
}

static void
ent_free(struct sent *e)
{
	free(e->client);
	free(e->type);
	free(e);
}

void
sched_remove(struct sched *s, struct sent *e)
{
	unlink_ent(s, e);
	ent_free(e);
}

/* free_flow - c's oldest job whose type is under its limit, or NULL */
static struct sflow *
free_flow(const struct sched *s, const struct sclient *c)
{
	struct sflow *f = NULL;
	size_t i;
	int t;

	for (i = 0; i < c->nflow; i++) {
		t = c->flow[i].type;
		if (c->flow[i].q.n == 0 || (t >= 0 && s->types[t].max > 0 &&
		    s->types[t].running >= s->types[t].max))
			continue;
		if (f == NULL || ent_before(c->flow[i].q.v[0], f->q.v[0]))
			f = &c->flow[i];
	}
	return f;
}

void *
sched_next(struct sched *s)
{
	struct sclient **aside = NULL, *c;
	struct sent *e = NULL;
	struct sflow *f;
	size_t naside = 0, i;
	void *data = NULL;

	/* clients whose every ready type is at its limit are set aside */
	while (e == NULL && (c = heap_top(&s->heap)) != NULL) {
		if ((f = free_flow(s, c)) == NULL) {
			aside = xreallocarray(aside, naside + 1,
			    sizeof(*aside));
			aside[naside++] = c;
			heap_remove(&s->heap, c);
			continue;
		}
		e = f->q.v[0];
		s->vtime = c->pass;
		c->pass += sched_stride(c->weight);
		unlink_ent(s, e);
	}
	for (i = 0; i < naside; i++)
		heap_push(&s->heap, aside[i]);
	free(aside);
	if (e != NULL) {
		data = e->data;
		ent_free(e);
	}
	return data;
}

int
sched_ready(const struct sched *s)
{
	size_t i;

	for (i = 0; i < s->heap.n; i++)
		if (free_flow(s, s->heap.v[i]) != NULL)
			return 1;
	return 0;
}

void
sched_running(struct sched *s, const char *type, int delta)
{
	int t = type_index(s, type);

	if (t >= 0)
		s->types[t].running += delta;
}

void
sched_clear_running(struct sched *s)
{
	size_t i;

	for (i = 0; i < s->ntypes; i++)
		s->types[i].running = 0;
}

size_t
sched_count(const struct sched *s)
{
	return s->n;
}

void
sched_free(struct sched *s)
{
	struct sent **v;
	size_t i, n;

	if (s == NULL)
		return;
	n = drain(s, &v);
	for (i = 0; i < n; i++)
		ent_free(v[i]);
	free(v);
	clients_free(s);
	free(s->ht);
	heap_free(&s->heap);
	for (i = 0; i < s->ntypes; i++)
		free(s->types[i].name);
	free(s->types);
	for (i = 0; i < s->weights.n; i++)
		free(s->weights.name[i]);
	free(s->weights.name);
	free(s->weights.v);
	free(s);
}

/* ---- the order of a listing: what a node starting now would do */

static int
by_client_name(const struct sorder *x, const struct sorder *y)
{
	return strcmp(x->client ? x->client : NOCLIENT,
	    y->client ? y->client : NOCLIENT);
}

static int
by_client(const void *a, const void *b)
{
	const struct sorder *x = a, *y = b;
	int c = by_client_name(x, y);

	if (c != 0)
		return c;
	return sched_before(x->created, x->id, y->created, y->id) ? -1 :
	    sched_before(y->created, y->id, x->created, x->id);
}

static int
by_tag(const void *a, const void *b)
{
	const struct sorder *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return sched_before(x->created, x->id, y->created, y->id) ? -1 :
	    sched_before(y->created, y->id, x->created, x->id);
}

void
sched_order(const struct config *cfg, struct sorder *v, size_t n)
{
	size_t i, k = 0;
	uint64_t stride = 0;

	if (n < 2)
		return;		/* nothing to order; never qsort(NULL, 0) */
	if (cfg->fair) {
		qsort(v, n, sizeof(*v), by_client);
		for (i = 0; i < n; i++) {
			if (i == 0 || by_client_name(&v[i - 1], &v[i]) != 0) {
				k = 0;
				stride = sched_stride(config_client(
				    &cfg->weights, v[i].client));
			}
			v[i].tag = k++ * stride;
		}
	} else
		for (i = 0; i < n; i++)
			v[i].tag = 0;
	qsort(v, n, sizeof(*v), by_tag);
}
