/* api_sched.c - /metrics' scheduling gauges: queued jobs per client and
 * per type (from the queue index, qcache.c) and running jobs per client
 * and per type (the files in processing/, every node's), so that an
 * operator sees who holds the queue and the workers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* a name seen once per job; sorted and counted at the end */
struct tally {
	char		**v;
	size_t		 n, cap;
};

static void
tally_add(struct tally *t, const char *name)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = xstrdup(name ? name : "-");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* label - a Prometheus label value: '\\', '"' and newlines escaped */
static void
label(struct buf *b, const char *s)
{
	for (; *s; s++)
		if (*s == '\\' || *s == '"')
			buf_addf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
}

/* tally_out - one gauge line per name, the tally freed */
static void
tally_out(struct buf *b, const char *metric, const char *lname,
    struct tally *t, const char *help)
{
	size_t i, k;

	buf_addf(b, "# HELP %s %s\n# TYPE %s gauge\n", metric, help, metric);
	if (t->n > 1)	/* never qsort(NULL, 0): undefined */
		qsort(t->v, t->n, sizeof(*t->v), cmp_str);
	for (i = 0; i < t->n; i = k) {
		for (k = i; k < t->n && strcmp(t->v[k], t->v[i]) == 0; k++)
			;
		buf_addf(b, "%s{%s=\"", metric, lname);
		label(b, t->v[i]);
		buf_addf(b, "\"} %zu\n", k - i);
	}
	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct counts {
	struct api	*a;
	struct tally	 client, type;
};

static void
queued_one(const struct qitem *q, void *arg)
{
	struct counts *c = arg;

	tally_add(&c->client, q->client);
	tally_add(&c->type, q->type);
}

static int
running_one(const char *id, const char *node, const struct stat *st,
    void *arg)
{
	char path[4096], err[ERRLEN];
	struct counts *c = arg;
	struct job j;

	job_init(&j);
	if (spool_path(&c->a->sp, path, sizeof(path), ST_PROCESSING, node,
	    id) == 0 && spool_read(path, &j, err, sizeof(err)) == 0) {
		tally_add(&c->client, j.client);
		tally_add(&c->type, j.type);
	}
	job_free(&j);
	return 0;
}

void
metrics_sched(struct api *a, struct buf *b)
{
	struct counts c;
	int more;

	memset(&c, 0, sizeof(c));
	c.a = a;
	qcache_page(a->qc, NULL, 0, NULL, SIZE_MAX, queued_one, &c, &more);
	tally_out(b, "xspool_client_queued_jobs", "client", &c.client,
	    "Queued jobs per client (- for the jobs without one).");
	tally_out(b, "xspool_type_queued_jobs", "type", &c.type,
	    "Queued jobs per export type.");
	spool_each(&a->sp, ST_PROCESSING, running_one, &c);
	tally_out(b, "xspool_client_running_jobs", "client", &c.client,
	    "Running jobs per client, on every node.");
	tally_out(b, "xspool_type_running_jobs", "type", &c.type,
	    "Running jobs per export type, on every node.");
}
