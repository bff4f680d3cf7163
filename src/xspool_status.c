/* xspool_status.c - `xspool status` and `xspool wait`: one job's state,
 * printed once (text or JSON; a dropped file that went to bad/, its
 * reason) or polled until it ends, with a progress line on a terminal. */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xspool.h"
#include "xspool_cli.h"

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	HELP_OPTION,
	{ NULL, 0, NULL, 0 }
};

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

int
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
	st = ctx_load(x, argv[optind], &j, node);
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

int
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
		st = ctx_load(x, id, &j, node);
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
