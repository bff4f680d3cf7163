/* xspool.c - the command-line tool's main and its job subcommands:
 * submits, inspects, lists, cancels, retries, downloads and waits for jobs
 * on the spool directly.  `xspool check` is xspool_check.c's, `xspool
 * key` xspool_keys.c's; xspool_cli.h is what they share. */
#include <sys/file.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xspool.h"
#include "xspool_cli.h"

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	HELP_OPTION,
	{ NULL, 0, NULL, 0 }
};
static const struct option help_opts[] = {
	HELP_OPTION,
	{ NULL, 0, NULL, 0 }
};

void __attribute__((noreturn))
usage(void)
{
	help_all(stderr);
	exit(EXIT_USAGE);
}

/* ctx_config - the config file: -c, else config_default() */
void
ctx_config(struct ctx *x)
{
	char e[ERRLEN];
	const char *path = x->confpath;

	if (path == NULL)
		path = config_default();
	if (config_load(&x->c, path, e, sizeof(e)) == -1)
		errx(EXIT_USAGE, "%s", e);
	x->have_conf = 1;
}

/* ctx_spool - the config, then the spool (made when missing) */
void
ctx_spool(struct ctx *x)
{
	char e[ERRLEN];

	ctx_config(x);
	if (spool_open(&x->s, x->c.dir, x->c.node, x->c.gid, x->c.sync, 1, e,
	    sizeof(e)) == -1)
		errx(EXIT_USAGE, "spool: %s", e);
	x->have_spool = 1;
}

void
ctx_free(struct ctx *x)
{
	if (x->have_spool)
		spool_close(&x->s);
	if (x->have_conf)
		config_free(&x->c);
}

/* check_id - an id from the command line, before any path is made */
static const char *
check_id(const char *id)
{
	if (!id_valid(id))
		errx(EXIT_USAGE, "%s: invalid job id", id);
	return id;
}

/* fmt_age - "45s", "3m", "2h", "5d" */
char *
fmt_age(int64_t ms, char *buf, size_t size)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, size, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(s / 86400));
	return buf;
}

/* bad_view - the status of a dropped file that went to bad/: text or
 * JSON onto b; -1 when id is not there */
static int
bad_view(struct ctx *x, const char *id, int json, struct buf *b)
{
	char name[NAME_MAX + 8], why[ERRLEN], t[32];
	struct stat sb;

	if (spool_bad_why(&x->s, id, name, sizeof(name), why, sizeof(why),
	    &sb) == -1)
		return -1;
	if (!json) {
		buf_addf(b, "%-13s %s\n%-13s BAD (not a job the daemon can "
		    "run)\n%-13s %s\n%-13s %s\n%-13s %s\n", "id:", id,
		    "state:", "reason:", why, "file:", name, "dropped:",
		    fmt_time(node_mtime_ms(&sb), t));
		return 0;
	}
	buf_adds(b, "{\"id\":");
	json_quote(b, id, strlen(id));
	buf_adds(b, ",\"status\":\"BAD\",\"reason\":");
	json_quote(b, why, strlen(why));
	buf_adds(b, ",\"file\":");
	json_quote(b, name, strlen(name));
	buf_addf(b, ",\"dropped\":\"%s\"}\n", fmt_time(node_mtime_ms(&sb), t));
	return 0;
}

/* load - the job, or a message and exit 1 (no such job; a file in bad/:
 * its reason, and "BAD" on stdout for wait) */
static enum state
load(struct ctx *x, const char *id, struct job *j, char *node)
{
	char e[ERRLEN], name[NAME_MAX + 8], why[ERRLEN];
	int st;

	job_init(j);
	if ((st = spool_load(&x->s, id, j, node, e, sizeof(e))) == -1) {
		job_free(j);
		if (errno == ENOENT && spool_bad_why(&x->s, id, name,
		    sizeof(name), why, sizeof(why), NULL) == 0) {
			ctx_free(x);
			errx(EXIT_NO, "%s is BAD (%s): %s", id, name, why);
		}
		ctx_free(x);
		errx(EXIT_NO, "%s", e);
	}
	return (enum state)st;
}

/* ---------------------------------------------------------------- submit */

/* read_password - "-p -": the first line of stdin */
static char *
read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((n = getline(&line, &cap, stdin)) <= 0) {
		free(line);
		errx(EXIT_USAGE, "submit: no password on standard input");
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* queue - a new job j checked and written into queued/, its id printed;
 * frees j; exits on an error (cmd names the command) */
static void
queue(struct ctx *x, struct job *j, const char *cmd)
{
	char e[ERRLEN];
	const char *code;
	int r;

	if (job_validate(&x->c, j, &code, e, sizeof(e)) == -1) {
		if (strcmp(code, "UNKNOWN_EXPORT_TYPE") == 0)
			errx(EXIT_USAGE, "%s: %s", cmd, e);
		errx(EXIT_USAGE, "%s: %s: %s", cmd, j->type, e);
	}
	if ((r = config_client(&x->c.max_queued, j->client)) > 0 &&
	    spool_queued_of(&x->s, j->client) >= r)
		errx(EXIT_NO, "%s: client %s has its max_queued (%d) jobs "
		    "queued; try again once some have started", cmd,
		    j->client ? j->client : "-", r);
	if (spool_submit(&x->s, j, x->c.min_free, e, sizeof(e)) == -1) {
		r = errno == ENOSPC ? EXIT_TEMPFAIL : EXIT_NO;
		job_free(j);
		ctx_free(x);
		errx(r, "%s: %s", cmd, e);
	}
	printf("%s\n", j->id);
	job_free(j);
}

static int
cmd_submit(struct ctx *x, int argc, char **argv)
{
	char *eq;
	struct job j;
	int ch;

	job_init(&j);
	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "f:p:e:w:P:C:h", help_opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			if ((j.format = format_parse(optarg)) == FMT_NONE)
				errx(EXIT_USAGE, "submit: unknown format %s "
				    "(JSON or CSV)", optarg);
			break;
		case 'p':
			free(j.password);
			j.password = strcmp(optarg, "-") == 0 ?
			    read_password() : xstrdup(optarg);
			break;
		case 'e':
			free(j.email);
			j.email = xstrdup(optarg);
			break;
		case 'w':
			free(j.callback);
			j.callback = xstrdup(optarg);
			break;
		case 'C':
			free(j.client);
			j.client = xstrdup(optarg);
			break;
		case 'P':
			if ((eq = strchr(optarg, '=')) == NULL)
				errx(EXIT_USAGE, "submit: -P %s: want "
				    "NAME=VALUE", optarg);
			*eq = '\0';
			if (!param_name_valid(optarg))
				errx(EXIT_USAGE, "submit: -P %s: invalid "
				    "parameter name", optarg);
			job_set_param(&j, optarg, eq + 1);
			break;
		case 'h':
			help_exit("submit");
		default:
			cmd_usage("submit", NULL);
		}
	}
	want_args("submit", argc, argv, 1, "export type");
	j.type = xstrdup(argv[optind]);
	ctx_spool(x);
	queue(x, &j, "submit");
	return 0;
}

/* resubmit_copy - the request of old (type, format, params, client,
 * callback, e-mail) into a new j */
static void
resubmit_copy(struct job *j, const struct job *old)
{
	size_t i;

	job_init(j);
	j->type = xstrdup(old->type);
	j->format = old->format;
	for (i = 0; i < old->nparams; i++)
		job_set_param(j, old->params[i].name, old->params[i].value);
	j->client = old->client ? xstrdup(old->client) : NULL;
	j->callback = old->callback ? xstrdup(old->callback) : NULL;
	j->email = old->email ? xstrdup(old->email) : NULL;
	j->password = old->password ? xstrdup(old->password) : NULL;
}

static int
cmd_resubmit(struct ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password", required_argument, NULL, 'p' },
		{ "no-password", no_argument, NULL, 'N' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	char node[NODE_MAX + 1], *pw = NULL;
	const char *id;
	struct job old, j;
	enum state st;
	int ch, nopw = 0;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("resubmit");
		else if (ch == 'N')
			nopw = 1;
		else if (ch == 'p') {
			free(pw);
			pw = strcmp(optarg, "-") == 0 ? read_password() :
			    xstrdup(optarg);
		} else
			cmd_usage("resubmit", NULL);
	}
	want_args("resubmit", argc, argv, 1, "job id");
	if (pw != NULL && nopw)
		cmd_usage("resubmit", "-p and --no-password together");
	id = check_id(argv[optind]);
	ctx_spool(x);
	st = load(x, id, &old, node);
	if (st != ST_COMPLETED && st != ST_FAILED && st != ST_CANCELLED)
		errx(EXIT_NO, "resubmit: %s is %s: only a COMPLETED, FAILED "
		    "or CANCELLED job is resubmitted", id, state_name(st));
	if (old.encrypted == 1 && old.password == NULL && pw == NULL &&
	    !nopw)
		errx(EXIT_USAGE, "resubmit: %s's zip was encrypted and its "
		    "password is not kept after a job ends: give it again "
		    "with -p (or --no-password for a zip without one)", id);
	resubmit_copy(&j, &old);
	job_free(&old);
	if (pw != NULL || nopw) {
		free(j.password);
		j.password = pw;
	}
	queue(x, &j, "resubmit");
	return 0;
}

/* ---------------------------------------------------------------- status */

/* percent - " 42%" of records in total (none when total is unknown) */
static const char *
percent(int64_t records, int64_t total, char *buf, size_t size)
{
	if (total <= 0)
		buf[0] = '\0';
	else
		snprintf(buf, size, " (%lld%%)", (long long)(records >= total ?
		    100 : records * 100 / total));
	return buf;
}

static void
print_time(const char *label, int64_t ms)
{
	char t[32];

	if (ms != 0)
		printf("%-13s %s\n", label, fmt_time(ms, t));
}

static void
print_result(const struct result *r)
{
	char sz[32];
	size_t i;

	if (!r->present)
		return;
	printf("%-13s %s", "result:", r->success ? "success" : "failure");
	if (r->file_name != NULL)
		printf(", %s", r->file_name);
	if (r->file_size > 0)
		printf(", zip %s", fmt_size(r->file_size, sz));
	if (r->records > 0)
		printf(", %lld records", (long long)r->records);
	if (r->duration_ms > 0 && r->duration_ms < 1000)
		printf(", %lld ms", (long long)r->duration_ms);
	else if (r->duration_ms > 0)
		printf(", %.1f s", (double)r->duration_ms / 1000);
	printf("\n");
	if (r->callback_sent >= 0)
		printf("%-13s %s\n", "callback:", r->callback_sent ?
		    "sent" : "not sent");
	if (r->email_sent >= 0)
		printf("%-13s %s\n", "e-mail:", r->email_sent ?
		    "sent" : "not sent");
	for (i = 0; i < r->nerrors; i++)
		printf("%-13s %s\n", i == 0 ? "errors:" : "", r->errors[i]);
}

static void
print_status(const struct job *j, enum state st, const char *node)
{
	char sz[32], pc[16];
	size_t i;

	printf("%-13s %s\n", "id:", j->id);
	printf("%-13s %s", "state:", state_name(st));
	if (st == ST_PROCESSING && node[0] != '\0')
		printf(" (node %s)", node);
	if (st == ST_CANCELLED && j->cancelled_by != NULL)
		printf(" (by %s)", j->cancelled_by);
	printf("\n%-13s %s\n", "type:", j->type);
	if (j->format != FMT_NONE)
		printf("%-13s %s\n", "format:", format_name(j->format));
	if (j->client != NULL)
		printf("%-13s %s\n", "client:", j->client);
	for (i = 0; i < j->nparams; i++)
		printf("%-13s %s=%s\n", i == 0 ? "params:" : "",
		    j->params[i].name, j->params[i].value);
	if (j->email != NULL)
		printf("%-13s %s\n", "email:", j->email);
	if (j->callback != NULL)
		printf("%-13s %s\n", "callback URL:", j->callback);
	if (j->password != NULL)
		printf("%-13s %s\n", "password:", "(set)");
	else if (j->encrypted == 1)
		printf("%-13s %s\n", "password:", "(was set; not kept)");
	print_time("created:", j->created);
	print_time("started:", j->started);
	print_time("finished:", j->finished);
	printf("%-13s %d\n", "attempts:", j->attempts);
	if (st == ST_FAILED)
		print_time("next attempt:", j->next_attempt);
	if (j->has_progress)
		printf("%-13s %lld records%s, %s read\n", "progress:",
		    (long long)j->progress_records, percent(j->progress_records,
		    j->progress_total, pc, sizeof(pc)),
		    fmt_size(j->progress_bytes, sz));
	print_result(&j->result);
}

static int
cmd_status(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1];
	struct job j;
	struct buf b;
	enum state st;
	int ch, json = 0;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "jh", json_opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("status");
		if (ch != 'j')
			cmd_usage("status", NULL);
		json = 1;
	}
	want_args("status", argc, argv, 1, "job id");
	check_id(argv[optind]);
	ctx_spool(x);
	if (spool_find(&x->s, argv[optind], NULL) == -1 && errno == ENOENT) {
		buf_init(&b);
		if (bad_view(x, argv[optind], json, &b) == 0) {
			fwrite(b.p, 1, b.len, stdout);
			buf_free(&b);
			return 0;
		}
		buf_free(&b);
	}
	st = load(x, argv[optind], &j, node);
	if (json) {
		buf_init(&b);
		job_view(&j, st, &b);
		printf("%s\n", b.p);
		buf_free(&b);
	} else
		print_status(&j, st, node);
	job_free(&j);
	return 0;
}

/* ---------------------------------------------------------------- list */

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

static int
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

/* ---------------------------------------------------------------- cancel */

#define CANCEL_WAIT_MS	60000	/* cancel --running: the daemon's answer */

/* cancel_queued - ops_cancel of j, read from queued/; 0, or -1 when it
 * is no longer queued (exits on another error) */
static int
cancel_queued(struct ctx *x, struct job *j)
{
	int r;

	if ((r = ops_cancel(&x->s, j)) == -1) {
		if (errno == ENOENT)
			return -1;
		err(EXIT_NO, "cancel: %s", j->id);
	}
	if (r == 1)
		warn("cancel: %s: notification hint", j->id);
	return 0;
}

/* cancel_running - asks the daemon running j (on node) to stop it, and
 * waits for the job to leave processing/: its final state, or -1 when it
 * is still there after CANCEL_WAIT_MS (the request stays) */
static int
cancel_running(struct ctx *x, struct job *j, char *node)
{
	char e[ERRLEN], now_node[NODE_MAX + 1];
	int64_t start = mono_ms(), asked;
	struct job cur;
	int st;

	if (ops_cancel_request(&x->s, j, node) == -1)
		err(EXIT_NO, "cancel: %s: cannot write the request in "
		    "processing/%s", j->id, node);
	asked = j->started;
	for (;;) {
		nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
		job_init(&cur);
		st = spool_load(&x->s, j->id, &cur, now_node, e, sizeof(e));
		if (st == ST_PROCESSING && (cur.started != asked ||
		    strcmp(now_node, node) != 0)) {
			/* another attempt, or another node, since: ask it */
			ops_cancel_clear(&x->s, node, j->id);
			snprintf(node, NODE_MAX + 1, "%s", now_node);
			if (ops_cancel_request(&x->s, &cur, node) == 0)
				asked = cur.started;
		}
		job_free(&cur);
		if (st != ST_PROCESSING && st != -1)
			break;
		if (mono_ms() - start >= CANCEL_WAIT_MS)
			return -1;
	}
	ops_cancel_clear(&x->s, node, j->id);	/* when it ended first */
	return st;
}

static int
cmd_cancel(struct ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "running", no_argument, NULL, 'r' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	char node[NODE_MAX + 1];
	const char *id;
	struct job j;
	enum state st;
	int ch, running = 0, tries, r;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if (ch == 'h')
			help_exit("cancel");
		else if (ch == 'r')
			running = 1;
		else
			cmd_usage("cancel", NULL);
	want_args("cancel", argc, argv, 1, "job id");
	id = check_id(argv[optind]);
	ctx_spool(x);
	for (tries = 0; ; tries++) {
		st = load(x, id, &j, node);
		if (st != ST_QUEUED || cancel_queued(x, &j) == 0)
			break;
		job_free(&j);
		if (!running || tries == 3)	/* claimed meanwhile */
			errx(EXIT_NO, "cancel: %s is no longer queued", id);
	}
	if (st == ST_QUEUED) {
		job_free(&j);
		return 0;
	}
	if (st != ST_PROCESSING || !running) {
		job_free(&j);
		ctx_free(x);
		errx(EXIT_NO, "cancel: %s is %s: only a queued job can be "
		    "cancelled%s", id, state_name(st), st == ST_PROCESSING ?
		    " (--running stops a running one)" : "");
	}
	r = cancel_running(x, &j, node);
	job_free(&j);
	if (r == -1)
		errx(EXIT_NO, "cancel: %s: requested, but still PROCESSING "
		    "after %ds: is xspoold running on node %s?", id,
		    CANCEL_WAIT_MS / 1000, node);
	printf("%s\n", state_name(r));
	if (r != ST_CANCELLED)
		warnx("cancel: %s ended %s before it could be stopped", id,
		    state_name(r));
	return r == ST_CANCELLED ? 0 : EXIT_NO;
}

/* ---------------------------------------------------------------- retry */

static int
cmd_retry(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1];
	const char *id;
	struct job j;
	enum state st;
	int e, ch;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "h", help_opts, NULL)) != -1)
		if (ch == 'h')
			help_exit("retry");
		else
			cmd_usage("retry", NULL);
	want_args("retry", argc, argv, 1, "job id");
	id = check_id(argv[optind]);
	ctx_spool(x);
	st = load(x, id, &j, node);
	if (st != ST_CANCELLED && st != ST_FAILED) {
		job_free(&j);
		ctx_free(x);
		errx(EXIT_NO, "retry: %s is %s: only a cancelled or failed "
		    "job can be retried", id, state_name(st));
	}
	if (j.encrypted == 1 && j.password == NULL)	/* never unencrypted */
		errx(EXIT_NO, "retry: %s's zip was to be encrypted and its "
		    "password is not kept: xspool resubmit %s -p PASSWORD "
		    "makes a new job", id, id);
	if (ops_retry(&x->s, &j, st) == -1) {
		e = errno;
		job_free(&j);
		ctx_free(x);
		if (e == ENOENT)
			errx(EXIT_NO, "retry: %s moved meanwhile", id);
		errno = e;
		err(EXIT_NO, "retry: %s", id);
	}
	job_free(&j);
	return 0;
}

/* ---------------------------------------------------------------- download */

/* copy_fd - all of in to out */
static int
copy_fd(int in, int out)
{
	char b[65536];
	ssize_t n;

	while ((n = read(in, b, sizeof(b))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (write_all(out, b, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

static int
cmd_download(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1], zip[PATH_MAX], *name = NULL;
	const char *id, *out = NULL;
	struct job j;
	enum state st;
	int ch, in, fd;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "o:h", help_opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("download");
		if (ch != 'o')
			cmd_usage("download", NULL);
		out = optarg;
	}
	want_args("download", argc, argv, 1, "job id");
	id = check_id(argv[optind]);
	ctx_spool(x);
	st = load(x, id, &j, node);
	if (st != ST_COMPLETED)
		errx(EXIT_NO, "download: %s is %s, not COMPLETED", id,
		    state_name(st));
	if (spool_zip_path(&x->s, zip, sizeof(zip), id) == -1 ||
	    (in = open(zip, O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_NO, "download: %s", zip);
	if (out == NULL)
		xasprintf(&name, "%s-%s.zip", j.type, id);
	if (out != NULL && strcmp(out, "-") == 0)
		fd = STDOUT_FILENO;
	else if ((fd = open(out ? out : name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) == -1)
		err(EXIT_NO, "download: %s", out ? out : name);
	if (copy_fd(in, fd) == -1)
		err(EXIT_NO, "download: %s", out ? out : name);
	if (fd != STDOUT_FILENO) {
		if (close(fd) == -1)
			err(EXIT_NO, "download: %s", out ? out : name);
		if (out == NULL)
			printf("%s\n", name);
	}
	close(in);
	free(name);
	job_free(&j);
	return 0;
}

/* ---------------------------------------------------------------- wait */

/* show_progress - one line on a terminal: a bar (moving, or filled to
 * the percentage when the exporter announced a total) and the counts
 * read so far; once the job has a result, its records and zip size */
static void
show_progress(const struct job *j, enum state st, int64_t total,
    int64_t elapsed, int tick)
{
	char bar[21], sz[32], pc[16];
	int i, pos = tick % 34, done = j->result.present && st != ST_PROCESSING;
	int64_t recs = done ? j->result.records : j->progress_records;

	if (pos > 17)
		pos = 34 - pos;
	for (i = 0; i < 20; i++)
		bar[i] = total > 0 ? (recs * 20 >= (i + 1) * total ? '=' :
		    ' ') : (i >= pos && i < pos + 3) ? '=' : ' ';
	bar[20] = '\0';
	if (st != ST_PROCESSING)
		memset(bar, st == ST_COMPLETED ? '=' : ' ', 20);
	if (done)
		fprintf(stderr, "\r[%s] %-10s %lld records%s, zip %s %5llds"
		    "\033[K", bar, state_name(st), (long long)recs,
		    percent(recs, total, pc, sizeof(pc)),
		    fmt_size(j->result.file_size, sz),
		    (long long)(elapsed / 1000));
	else
		fprintf(stderr, "\r[%s] %-10s %lld records%s %10s %5llds"
		    "\033[K", bar, state_name(st), (long long)recs,
		    percent(recs, total, pc, sizeof(pc)),
		    fmt_size(j->progress_bytes, sz),
		    (long long)(elapsed / 1000));
	fflush(stderr);
}

/* wait_bad - wait's job went to bad/: "BAD" and why; 1 when it did */
static int
wait_bad(struct ctx *x, const char *id, int tty)
{
	char name[NAME_MAX + 8], why[ERRLEN];

	if (spool_find(&x->s, id, NULL) != -1 || errno != ENOENT ||
	    spool_bad_why(&x->s, id, name, sizeof(name), why,
	    sizeof(why), NULL) == -1)
		return 0;
	if (tty)
		fprintf(stderr, "\n");
	printf("BAD\n");
	warnx("wait: %s is BAD (%s): %s", id, name, why);
	return 1;
}

static int
cmd_wait(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1];
	int64_t timeout = -1, start, total = 0;
	const char *id;
	struct job j;
	enum state st;
	int ch, tty, tick = 0;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "t:h", help_opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("wait");
		if (ch != 't')
			cmd_usage("wait", NULL);
		if (parse_duration(optarg, &timeout) == -1)
			cmd_usage("wait", "-t %s: not a duration (30s, 5m, "
			    "...)", optarg);
	}
	want_args("wait", argc, argv, 1, "job id");
	id = check_id(argv[optind]);
	ctx_spool(x);
	tty = isatty(STDERR_FILENO);
	start = mono_ms();
	for (;;) {
		if (wait_bad(x, id, tty))
			return EXIT_NO;
		st = load(x, id, &j, node);
		if (j.has_progress && j.progress_total > 0)
			total = j.progress_total;	/* gone at the end */
		if (tty)
			show_progress(&j, st, total, mono_ms() - start,
			    tick++);
		job_free(&j);
		if (st == ST_COMPLETED || st == ST_CANCELLED)
			break;
		if (timeout >= 0 && mono_ms() - start >= timeout) {
			if (tty)
				fprintf(stderr, "\n");
			ctx_free(x);
			errx(EXIT_NO, "wait: %s: timed out (%s)", id,
			    state_name(st));
		}
		nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	}
	if (tty)
		fprintf(stderr, "\n");
	printf("%s\n", state_name(st));
	return st == ST_COMPLETED ? 0 : EXIT_NO;
}

/* ---------------------------------------------------------------- main */

static const struct command {
	const char	*name;
	int		(*fn)(struct ctx *, int, char **);
} commands[] = {
	{ "submit", cmd_submit },
	{ "status", cmd_status },
	{ "list", cmd_list },
	{ "cancel", cmd_cancel },
	{ "wait", cmd_wait },
	{ "download", cmd_download },
	{ "retry", cmd_retry },
	{ "check", cmd_check },
	{ "key", cmd_key },
	{ "resubmit", cmd_resubmit },
	{ "types", cmd_types },
	{ "help", cmd_help },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	struct ctx x;
	size_t i;
	int ch, r;

	memset(&x, 0, sizeof(x));
	while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			x.confpath = optarg;
			break;
		case 'V':
			printf("xspool %s\n", XSPOOL_VERSION);
			return 0;
		case 'h':
			help_all(stdout);
			return fflush(stdout) == EOF ? EXIT_NO : 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		warnx("missing command");
		usage();
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		warnx("%s: unknown command", argv[0]);
		usage();
	}
	/* "xspool CMD -h": whatever CMD's own options are */
	if (argc >= 2 && is_help(argv[1]))
		help_exit(argv[0]);
	r = commands[i].fn(&x, argc, argv);
	ctx_free(&x);
	if (fflush(stdout) == EOF)
		err(EXIT_NO, "stdout");
	return r;
}
