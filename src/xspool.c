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
	{ NULL, 0, NULL, 0 }
};

void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: xspool [-c FILE] COMMAND [ARGS]\n"
	    "  submit TYPE [-f FORMAT] [-p PASSWORD|-] [-e EMAIL] "
	    "[-w URL] [-C CLIENT] [-P NAME=VALUE]...\n"
	    "  status ID [--json]\n"
	    "  list [STATE|all] [--json]\n"
	    "  cancel ID\n"
	    "  wait ID [-t TIMEOUT]\n"
	    "  download ID [-o FILE|-]\n"
	    "  retry ID\n"
	    "  check\n"
	    "  key add NAME [--admin] [--allow IP,...]\n"
	    "  key list\n"
	    "  key disable|enable|del KEYID\n");
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

/* load - the job, or a message and exit 1 (no such job) */
static enum state
load(struct ctx *x, const char *id, struct job *j, char *node)
{
	char e[ERRLEN];
	int st;

	job_init(j);
	if ((st = spool_load(&x->s, id, j, node, e, sizeof(e))) == -1) {
		job_free(j);
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

static int
cmd_submit(struct ctx *x, int argc, char **argv)
{
	char e[ERRLEN], *eq;
	const char *code;
	struct job j;
	int ch, r;

	job_init(&j);
	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt(argc, argv, "f:p:e:w:P:C:")) != -1) {
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
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	j.type = xstrdup(argv[optind]);
	ctx_spool(x);
	if (job_validate(&x->c, &j, &code, e, sizeof(e)) == -1)
		errx(EXIT_USAGE, "submit: %s: %s", argv[optind], e);
	if ((r = config_client(&x->c.max_queued, j.client)) > 0 &&
	    spool_queued_of(&x->s, j.client) >= r)
		errx(EXIT_NO, "submit: client %s has its max_queued (%d) jobs "
		    "queued; try again once some have started",
		    j.client ? j.client : "-", r);
	if (spool_submit(&x->s, &j, x->c.min_free, e, sizeof(e)) == -1) {
		r = errno == ENOSPC ? EXIT_TEMPFAIL : EXIT_NO;
		job_free(&j);
		ctx_free(x);
		errx(r, "submit: %s", e);
	}
	printf("%s\n", j.id);
	job_free(&j);
	return 0;
}

/* ---------------------------------------------------------------- status */

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
	char sz[32];
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
	print_time("created:", j->created);
	print_time("started:", j->started);
	print_time("finished:", j->finished);
	printf("%-13s %d\n", "attempts:", j->attempts);
	if (st == ST_FAILED)
		print_time("next attempt:", j->next_attempt);
	if (j->has_progress)
		printf("%-13s %lld records, %s read\n", "progress:",
		    (long long)j->progress_records,
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
	while ((ch = getopt_long(argc, argv, "j", json_opts, NULL)) != -1) {
		if (ch != 'j')
			usage();
		json = 1;
	}
	if (argc - optind != 1)
		usage();
	check_id(argv[optind]);
	ctx_spool(x);
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

/* entries_read - parse every listed job file (gone ones are dropped);
 * slim: keep only the table's fields (a big spool lists in less memory) */
static void
entries_read(struct ctx *x, struct entries *es, int slim)
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
			if (slim)
				job_slim(&en->j);
		} else if (errno == ENOENT) {
			job_free(&en->j);
			continue;	/* moved on since the listing */
		}
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

static int
cmd_list(struct ctx *x, int argc, char **argv)
{
	struct entries es = { NULL, 0, 0, ST_QUEUED };
	int ch, json = 0, all = 0, st = ST_QUEUED, i;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "j", json_opts, NULL)) != -1) {
		if (ch != 'j')
			usage();
		json = 1;
	}
	if (argc - optind > 1)
		usage();
	if (argc - optind == 1) {
		if (strcasecmp(argv[optind], "all") == 0)
			all = 1;
		else if ((st = state_parse(argv[optind])) == -1)
			errx(EXIT_USAGE, "list: %s: unknown state (queued, "
			    "processing, failed, completed, cancelled, all)",
			    argv[optind]);
	}
	ctx_spool(x);
	for (i = 0; i < NSTATES; i++) {
		if (!all && i != st)
			continue;
		es.st = (enum state)i;
		if (spool_each(&x->s, es.st, collect, &es) == -1)
			warn("list: %s", state_dir(es.st));
	}
	entries_read(x, &es, !json);
	if (es.n > 1)
		qsort(es.v, es.n, sizeof(*es.v), entry_cmp);
	if (!all && st == ST_QUEUED && es.n > 1)
		queued_order(&x->c, &es);
	if (json)
		list_json(&es);
	else
		list_table(&es, all, now_ms());
	entries_free(&es);
	return 0;
}

/* ---------------------------------------------------------------- cancel */

static int
cmd_cancel(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1];
	const char *id;
	struct job j;
	enum state st;
	int r;

	if (argc != 2)
		usage();
	id = check_id(argv[1]);
	ctx_spool(x);
	st = load(x, id, &j, node);
	if (st != ST_QUEUED) {
		job_free(&j);
		ctx_free(x);
		errx(EXIT_NO, "cancel: %s is %s: only a queued job can be "
		    "cancelled", id, state_name(st));
	}
	if ((r = ops_cancel(&x->s, &j)) == -1) {
		int e = errno;

		job_free(&j);
		ctx_free(x);
		if (e == ENOENT)
			errx(EXIT_NO, "cancel: %s is no longer queued", id);
		errno = e;
		err(EXIT_NO, "cancel: %s", id);
	}
	if (r == 1)
		warn("cancel: %s: notification hint", id);
	job_free(&j);
	return 0;
}

/* ---------------------------------------------------------------- retry */

static int
cmd_retry(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1];
	const char *id;
	struct job j;
	enum state st;
	int e;

	if (argc != 2)
		usage();
	id = check_id(argv[1]);
	ctx_spool(x);
	st = load(x, id, &j, node);
	if (st != ST_CANCELLED && st != ST_FAILED) {
		job_free(&j);
		ctx_free(x);
		errx(EXIT_NO, "retry: %s is %s: only a cancelled or failed "
		    "job can be retried", id, state_name(st));
	}
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
	while ((ch = getopt(argc, argv, "o:")) != -1) {
		if (ch != 'o')
			usage();
		out = optarg;
	}
	if (argc - optind != 1)
		usage();
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

/* show_progress - one line on a terminal: a moving bar and the counts */
static void
show_progress(const struct job *j, enum state st, int64_t elapsed, int tick)
{
	char bar[21], sz[32];
	int i, pos = tick % 34;

	if (pos > 17)
		pos = 34 - pos;
	for (i = 0; i < 20; i++)
		bar[i] = (i >= pos && i < pos + 3) ? '=' : ' ';
	bar[20] = '\0';
	if (st != ST_PROCESSING)
		memset(bar, st == ST_COMPLETED ? '=' : ' ', 20);
	fprintf(stderr, "\r[%s] %-10s %lld records %10s %5llds\033[K",
	    bar, state_name(st), (long long)j->progress_records,
	    fmt_size(j->progress_bytes, sz), (long long)(elapsed / 1000));
	fflush(stderr);
}

static int
cmd_wait(struct ctx *x, int argc, char **argv)
{
	char node[NODE_MAX + 1];
	int64_t timeout = -1, start;
	const char *id;
	struct job j;
	enum state st;
	int ch, tty, tick = 0;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt(argc, argv, "t:")) != -1) {
		if (ch != 't' || parse_duration(optarg, &timeout) == -1)
			usage();
	}
	if (argc - optind != 1)
		usage();
	id = check_id(argv[optind]);
	ctx_spool(x);
	tty = isatty(STDERR_FILENO);
	start = mono_ms();
	for (;;) {
		st = load(x, id, &j, node);
		if (tty)
			show_progress(&j, st, mono_ms() - start, tick++);
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
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
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
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		warnx("%s: unknown command", argv[0]);
		usage();
	}
	r = commands[i].fn(&x, argc, argv);
	ctx_free(&x);
	if (fflush(stdout) == EOF)
		err(EXIT_NO, "stdout");
	return r;
}
