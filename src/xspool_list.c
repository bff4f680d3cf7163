/* xspool_list.c - `xspool list`: the jobs of one or more states, read,
 * filtered (xspool_filter.c), sorted -- the queued ones in the order a
 * node takes them -- and shown as a table or JSON. */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "xspool_cli.h"

/* collect - spool_each callback: remember id, node and mtime */
int
collect(const char *id, const char *node, const struct stat *sb, void *arg)
{
	struct entries *es = arg;
	struct entry *e;

	if (es->n == es->cap) {		/* doubling: linear in the jobs */
		es->cap = es->cap ? es->cap * 2 : 64;
		es->v = xreallocarray(es->v, es->cap, sizeof(*es->v));
	}
	e = &es->v[es->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	if (node != NULL)
		snprintf(e->node, sizeof(e->node), "%s", node);
	e->st = es->st;
	e->mtime = (int64_t)sb->st_mtim.tv_sec * 1000 +
	    sb->st_mtim.tv_nsec / 1000000;
	return 0;
}

/* job_slim - keep only what the table shows (type, format, attempts)
 * and its order needs (client) */
static void
job_slim(struct job *j)
{
	struct job t;

	job_init(&t);
	t.type = j->type;
	j->type = NULL;
	t.client = j->client;
	j->client = NULL;
	t.format = j->format;
	t.attempts = j->attempts;
	job_free(j);
	*j = t;
}

/* entries_read - parse every listed job file (gone ones and those f
 * filters out are dropped); slim: keep only the table's fields (a big
 * spool lists in less memory) */
static void
entries_read(struct ctx *x, struct entries *es, int slim,
    const struct lfilter *f)
{
	char path[PATH_MAX], e[ERRLEN];
	size_t i, k = 0;

	for (i = 0; i < es->n; i++) {
		struct entry *en = &es->v[i];

		job_init(&en->j);
		en->created = en->mtime;
		if (spool_path(&x->s, path, sizeof(path), en->st,
		    en->node[0] ? en->node : NULL, en->id) == 0 &&
		    spool_read(path, &en->j, e, sizeof(e)) == 0) {
			en->ok = 1;
			if (en->j.created != 0)
				en->created = en->j.created;
		} else if (errno == ENOENT) {
			job_free(&en->j);
			continue;	/* moved on since the listing */
		}
		if (!lf_match(f, en)) {
			job_free(&en->j);
			continue;
		}
		if (en->ok && slim)
			job_slim(&en->j);
		es->v[k++] = *en;
	}
	es->n = k;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *ea = a, *eb = b;

	if (ea->created != eb->created)
		return ea->created < eb->created ? -1 : 1;
	return strcmp(ea->id, eb->id);
}

/* queued_order - queued jobs in the order a node takes them (sched.c) */
static void
queued_order(const struct config *c, struct entries *es)
{
	struct sorder *v = xcalloc(es->n, sizeof(*v));
	struct entry *out = xcalloc(es->n, sizeof(*out));
	size_t i;

	for (i = 0; i < es->n; i++) {
		v[i].client = es->v[i].ok ? es->v[i].j.client : NULL;
		v[i].created = es->v[i].created;
		v[i].id = es->v[i].id;
		v[i].data = &es->v[i];
	}
	sched_order(c, v, es->n);
	for (i = 0; i < es->n; i++)
		out[i] = *(const struct entry *)v[i].data;
	free(es->v);
	es->v = out;
	es->cap = es->n;
	free(v);
}

static void
entries_free(struct entries *es)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		job_free(&es->v[i].j);
	free(es->v);
	es->v = NULL;
	es->n = 0;
}

static void
list_table(const struct entries *es, int all, int64_t now)
{
	char age[16];
	size_t i;

	printf("%-36s %-16s %-6s %5s %8s%s\n", "ID", "TYPE", "FORMAT",
	    "AGE", "ATTEMPTS", all ? " STATE       NODE" : " NODE");
	for (i = 0; i < es->n; i++) {
		const struct entry *e = &es->v[i];

		printf("%-36s %-16s %-6s %5s %8d", e->id,
		    e->ok ? e->j.type : "(unreadable)",
		    e->ok && e->j.format ? format_name(e->j.format) : "-",
		    fmt_age(now - e->created, age, sizeof(age)),
		    e->ok ? e->j.attempts : 0);
		if (all)
			printf(" %-11s", state_name(e->st));
		if (e->st == ST_PROCESSING)
			printf(" %s", e->node);
		printf("\n");
	}
}

static void
list_json(const struct entries *es)
{
	struct buf b;
	size_t i, n = 0;

	buf_init(&b);
	fputs("[", stdout);
	for (i = 0; i < es->n; i++) {		/* one job at a time */
		if (!es->v[i].ok)
			continue;
		buf_reset(&b);
		buf_adds(&b, n++ ? ",\n" : "\n");
		job_view(&es->v[i].j, es->v[i].st, &b);
		fwrite(b.p, 1, b.len, stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
	buf_free(&b);
}

/* list_opt - one of list's options into f; exits on a bad value */
static void
list_opt(struct lfilter *f, int ch, char *arg, int64_t now)
{
	char *end;
	long long n;

	switch (ch) {
	case 's':
		if (lf_states(f, arg) == -1)
			cmd_usage("list", "--state %s: unknown state (queued, "
			    "processing, failed, completed, cancelled, all)",
			    arg);
		break;
	case 't':
		for (arg = strtok(arg, ","); arg; arg = strtok(NULL, ","))
			lf_add(&f->types, &f->ntypes, arg);
		break;
	case 'C':
		lf_add(&f->clients, &f->nclients, arg);
		break;
	case 'S':
	case 'U':
		if (lf_time(arg, now, ch == 'S' ? &f->since : &f->until) == -1)
			cmd_usage("list", "--%s %s: want an ISO 8601 time "
			    "(2026-12-01, 2026-12-01T10:00:00Z) or an age "
			    "(90s, 15m, 2h, 7d)", ch == 'S' ? "since" : "until",
			    arg);
		break;
	case 'n':
		n = strtoll(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || n < 0)
			cmd_usage("list", "--limit %s: want a number", arg);
		f->limit = (size_t)n;
		break;
	}
}

int
cmd_list(struct ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "state", required_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "client", required_argument, NULL, 'C' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "limit", required_argument, NULL, 'n' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	struct entries es = { NULL, 0, 0, ST_QUEUED };
	struct lfilter f;
	int64_t now = now_ms();
	int ch, json = 0, i, run_order;

	lf_init(&f);
	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("list");
		else if (ch == 'j')
			json = 1;
		else if (ch == '?' || ch == ':')
			cmd_usage("list", NULL);
		else
			list_opt(&f, ch, optarg, now);
	}
	if (argc - optind > 1)
		cmd_usage("list", "unexpected argument %s", argv[optind + 1]);
	if (argc - optind == 1 && lf_states(&f, argv[optind]) == -1)
		cmd_usage("list", "%s: unknown state (queued, processing, "
		    "failed, completed, cancelled, all)", argv[optind]);
	if (f.states == 0)
		f.states = 1u << ST_QUEUED;
	ctx_spool(x);
	for (i = 0; i < NSTATES; i++) {
		if (!(f.states & (1u << i)))
			continue;
		es.st = (enum state)i;
		if (spool_each(&x->s, es.st, collect, &es) == -1)
			warn("list: %s", state_dir(es.st));
	}
	entries_read(x, &es, !json, &f);
	if (es.n > 1)
		qsort(es.v, es.n, sizeof(*es.v), entry_cmp);
	/* queued alone: in the order they will run, the next ones first */
	run_order = f.states == 1u << ST_QUEUED;
	if (run_order && es.n > 1)
		queued_order(&x->c, &es);
	lf_limit(&f, &es, run_order);
	if (json)
		list_json(&es);
	else
		list_table(&es, (f.states & (f.states - 1)) != 0, now);
	entries_free(&es);
	lf_free(&f);
	return 0;
}
