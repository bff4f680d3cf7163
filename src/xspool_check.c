/* xspool_check.c - `xspool check`: the spool's consistency -- a job in
 * two states, zips without a job, jobs without their zip, stale leases,
 * bad/ files and their reasons, unreadable files, stale nodes. */
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

struct checker {
	struct ctx	*x;
	struct entries	 jobs;		/* every job in every state */
	int64_t		 now;		/* the file server's clock */
	uid_t		 owner;
	int		 findings;
};

static void
finding(struct checker *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* finding - one line per problem on stdout */
static void
finding(struct checker *ck, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	ck->findings++;
}

static int
id_cmp(const void *a, const void *b)
{
	const struct entry *ea = a, *eb = b;

	return strcmp(ea->id, eb->id);
}

/* job_states - a state as a place: "queued", "processing/NODE" */
static const char *
place(const struct entry *e, char *buf, size_t size)
{
	if (e->st == ST_PROCESSING)
		snprintf(buf, size, "processing/%s", e->node);
	else
		snprintf(buf, size, "%s", state_dir(e->st));
	return buf;
}

/* check_twice - the same id in two places */
static void
check_twice(struct checker *ck)
{
	char a[NODE_MAX + 16], b[NODE_MAX + 16];
	struct entries *es = &ck->jobs;
	size_t i;

	for (i = 1; i < es->n; i++)
		if (strcmp(es->v[i - 1].id, es->v[i].id) == 0)
			finding(ck, "two states: %s in %s and %s", es->v[i].id,
			    place(&es->v[i - 1], a, sizeof(a)),
			    place(&es->v[i], b, sizeof(b)));
}

/* job_in - is there a job id in state st? */
static int
job_in(struct checker *ck, const char *id, enum state st)
{
	struct entry key, *e;
	size_t i;

	if (ck->jobs.n == 0)
		return 0;
	snprintf(key.id, sizeof(key.id), "%s", id);
	e = bsearch(&key, ck->jobs.v, ck->jobs.n, sizeof(key), id_cmp);
	if (e == NULL)
		return 0;
	/* back to the first of equal ids */
	i = (size_t)(e - ck->jobs.v);
	while (i > 0 && strcmp(ck->jobs.v[i - 1].id, id) == 0)
		i--;
	for (; i < ck->jobs.n && strcmp(ck->jobs.v[i].id, id) == 0; i++)
		if (ck->jobs.v[i].st == st)
			return 1;
	return 0;
}

/* check_out - zips with no completed (or running) job */
static void
check_out(struct checker *ck)
{
	char path[PATH_MAX], id[ID_MAX + 1], age[16];
	struct dirent *de;
	struct stat sb;
	size_t n;
	DIR *d;

	if (spool_sub(&ck->x->s, path, sizeof(path), SD_OUT, NULL,
	    NULL) == -1 || (d = opendir(path)) == NULL) {
		finding(ck, "out/: %s", strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &sb, 0) == -1)
			continue;
		n = strlen(de->d_name);
		if (n > 4 && n - 4 <= ID_MAX &&
		    strcmp(de->d_name + n - 4, ".zip") == 0) {
			memcpy(id, de->d_name, n - 4);
			id[n - 4] = '\0';
			if (id_valid(id) && (job_in(ck, id, ST_COMPLETED) ||
			    job_in(ck, id, ST_PROCESSING)))
				continue;
			finding(ck, "orphan zip: out/%s has no completed job",
			    de->d_name);
		} else if (ck->now - node_mtime_ms(&sb) > HOUR_MS)
			finding(ck, "stray file: out/%s (%s old)", de->d_name,
			    fmt_age(ck->now - node_mtime_ms(&sb), age,
			    sizeof(age)));
	}
	closedir(d);
}

/* check_leases - node directories holding jobs without a live heartbeat
 * (node.c's rule, on the server's clock) */
static void
check_leases(struct checker *ck)
{
	char age[16], last[NODE_MAX + 1] = "";
	struct entries *es = &ck->jobs;
	struct nodeid id;
	size_t i, k, held;

	for (i = 0; i < es->n; i++) {
		if (es->v[i].st != ST_PROCESSING ||
		    strcmp(es->v[i].node, last) == 0)
			continue;
		snprintf(last, sizeof(last), "%s", es->v[i].node);
		for (held = 0, k = 0; k < es->n; k++)
			if (es->v[k].st == ST_PROCESSING &&
			    strcmp(es->v[k].node, last) == 0)
				held++;
		if (node_read(&ck->x->s, last, &id) == -1)
			finding(ck, "stale lease: processing/%s holds %zu "
			    "job(s), no heartbeat nodes/%s", last, held, last);
		else if (node_expired(&id, ck->now, ck->x->c.lease_ms))
			finding(ck, "stale lease: processing/%s holds %zu "
			    "job(s), heartbeat %s old", last, held,
			    fmt_age(ck->now - id.mtime, age, sizeof(age)));
	}
}

/* why_of - the first line of bad/NAME.why */
static void
why_of(struct checker *ck, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX], why[NAME_MAX + 1], *text = NULL, *nl;
	size_t len;

	snprintf(buf, size, "no .why file");
	if (snprintf(why, sizeof(why), "%s.why", name) >= (int)sizeof(why) ||
	    spool_sub(&ck->x->s, path, sizeof(path), SD_BAD, why,
	    NULL) == -1 || read_spool_file(path, 65536, &text, &len) == -1)
		return;
	if ((nl = strchr(text, '\n')) != NULL)
		*nl = '\0';
	snprintf(buf, size, "%s", text);
	free(text);
}

/* check_dir - one directory: bad files, old tmp files, owners */
static void
check_dir(struct checker *ck, const char *rel)
{
	char path[PATH_MAX], why[256], age[16];
	struct dirent *de;
	struct stat sb;
	size_t n;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", ck->x->s.dir, rel);
	if ((d = opendir(path)) == NULL) {
		finding(ck, "%s/: %s", rel, strerror(errno));
		return;
	}
	if (fstat(dirfd(d), &sb) == 0 && sb.st_uid != ck->owner)
		finding(ck, "wrong owner: %s/ (uid %u, spool uid %u)", rel,
		    (unsigned)sb.st_uid, (unsigned)ck->owner);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;
		if (sb.st_uid != ck->owner)
			finding(ck, "wrong owner: %s/%s (uid %u, spool uid %u)",
			    rel, de->d_name, (unsigned)sb.st_uid,
			    (unsigned)ck->owner);
		n = strlen(de->d_name);
		if (strcmp(rel, "bad") == 0 && !(n > 4 &&
		    strcmp(de->d_name + n - 4, ".why") == 0)) {
			why_of(ck, de->d_name, why, sizeof(why));
			finding(ck, "bad file: bad/%s: %s", de->d_name, why);
		}
		if (n > 4 && strcmp(de->d_name + n - 4, ".job") == 0 &&
		    !S_ISREG(sb.st_mode) && state_parse(rel) != -1)
			finding(ck, "not a job: %s/%s is %s, not a regular "
			    "file (never followed or read)", rel, de->d_name,
			    S_ISLNK(sb.st_mode) ? "a symbolic link" :
			    S_ISFIFO(sb.st_mode) ? "a FIFO" : "special");
		if (strcmp(rel, "tmp") == 0 &&
		    ck->now - node_mtime_ms(&sb) > HOUR_MS)
			finding(ck, "old tmp file: tmp/%s (%s old)",
			    de->d_name, fmt_age(ck->now - node_mtime_ms(&sb), age,
			    sizeof(age)));
	}
	closedir(d);
}

/* check_readable - job files that do not parse (a fresh drop in queued/
 * may still be being written: drop_grace) */
static void
check_readable(struct checker *ck)
{
	char path[PATH_MAX], e[ERRLEN], where[NODE_MAX + 16];
	struct entry *en;
	struct job j;
	size_t i;

	for (i = 0; i < ck->jobs.n; i++) {
		en = &ck->jobs.v[i];
		if (en->st == ST_QUEUED &&
		    ck->now - en->mtime < ck->x->c.drop_grace_ms)
			continue;
		if (spool_path(&ck->x->s, path, sizeof(path), en->st,
		    en->node[0] ? en->node : NULL, en->id) == -1)
			continue;
		job_init(&j);
		if (spool_read(path, &j, e, sizeof(e)) == -1 &&
		    errno != ENOENT)
			finding(ck, "unreadable job: %s/%s.job: %s",
			    place(en, where, sizeof(where)), en->id, e);
		job_free(&j);
	}
}

/* server_now - the spool file server's clock (node.c) */
static int64_t
server_now(struct ctx *x)
{
	int64_t t;

	return node_clock(&x->s, &t) == 0 ? t : now_ms();
}

/* check_nodes - check_dir for every node directory in processing/, each
 * once, with jobs or without */
static void
check_nodes(struct checker *ck)
{
	char path[PATH_MAX], rel[NODE_MAX + 16];
	struct dirent *de;
	DIR *d;

	if (spool_sub(&ck->x->s, path, sizeof(path), SD_PROCESSING, NULL,
	    NULL) == -1 || (d = opendir(path)) == NULL)
		return;		/* check_dir("processing") said why */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) > NODE_MAX)
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		snprintf(rel, sizeof(rel), "processing/%s", de->d_name);
		check_dir(ck, rel);
	}
	closedir(d);
}

int
cmd_check(struct ctx *x, int argc, char **argv)
{
	struct checker ck;
	struct stat sb;
	size_t i;
	int st;

	if (argc != 1)
		cmd_usage("check", "unexpected argument %s", argv[1]);
	ctx_spool(x);
	memset(&ck, 0, sizeof(ck));
	ck.x = x;
	if (fstat(x->s.dirfd, &sb) == -1)
		err(EXIT_NO, "check: %s", x->s.dir);
	ck.owner = sb.st_uid;
	ck.now = server_now(x);
	for (st = 0; st < NSTATES; st++) {
		ck.jobs.st = (enum state)st;
		if (spool_each(&x->s, ck.jobs.st, collect, &ck.jobs) == -1)
			finding(&ck, "%s/: %s", state_dir(ck.jobs.st),
			    strerror(errno));
	}
	if (ck.jobs.n > 1)
		qsort(ck.jobs.v, ck.jobs.n, sizeof(*ck.jobs.v), id_cmp);
	check_twice(&ck);
	check_readable(&ck);
	check_out(&ck);
	check_leases(&ck);
	for (i = 0; i < NSDIRS; i++)
		check_dir(&ck, spool_dirname(i));
	check_nodes(&ck);
	free(ck.jobs.v);
	if (ck.findings == 0)
		printf("spool %s is consistent\n", x->s.dir);
	return ck.findings ? EXIT_NO : 0;
}

