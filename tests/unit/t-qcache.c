/* t-qcache.c - qcache.c, the REST shim's index of queued/, on a temporary
 * spool: the listing (oldest first by created, then id; the file's mtime
 * when there is no created), per client, pages, counts, duplicate look-up,
 * jobs added, rewritten and removed (applied from inotify events, without
 * a new scan), and what is not a job file: unreadable, a symlink, and a
 * FIFO that must not block (an alarm fails the test if anything hangs);
 * each client's count (qcache_count, kept as the index changes) against a
 * count over the listing and the test's own tally, through random adds,
 * rewrites and removals, from events and from full rescans. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "tap.h"

static char top[64];

static const char *
P(const char *rel)
{
	static char b[4][PATH_MAX];
	static int k;
	char *p = b[k++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", top, rel);
	return p;
}

/* put - text as the file rel, mtime sec (0: now) */
static void
put(const char *rel, const char *text, time_t sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };
	FILE *f = fopen(P(rel), "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(rel);
		exit(1);
	}
	if (sec)
		utimensat(AT_FDCWD, P(rel), ts, 0);
}

/* job - a queued job's text: client (NULL: none), created (NULL: none) */
static const char *
job(const char *client, const char *created, const char *hash,
    const char *idem)
{
	static char b[512];
	int n;

	n = snprintf(b, sizeof(b), "{\"type\": \"Patients\", \"format\": "
	    "\"CSV\"");
	if (client)
		n += snprintf(b + n, sizeof(b) - n, ", \"client\": \"%s\"",
		    client);
	if (created)
		n += snprintf(b + n, sizeof(b) - n, ", \"created\": \"%s\"",
		    created);
	if (hash)
		n += snprintf(b + n, sizeof(b) - n, ", \"requestHash\": "
		    "\"%s\"", hash);
	if (idem)
		n += snprintf(b + n, sizeof(b) - n, ", \"idempotencyKey\": "
		    "\"%s\"", idem);
	snprintf(b + n, sizeof(b) - n, "}\n");
	return b;
}

struct list {
	char	 ids[4096];
	int64_t	 created;	/* of the last one */
	char	 last[ID_MAX + 1];
	char	 client[64];	/* of the last one */
};

static void
collect(const struct qitem *q, void *arg)
{
	struct list *l = arg;
	size_t n = strlen(l->ids);

	snprintf(l->ids + n, sizeof(l->ids) - n, "%s%s", n ? " " : "", q->id);
	l->created = q->created;
	snprintf(l->last, sizeof(l->last), "%s", q->id);
	snprintf(l->client, sizeof(l->client), "%s",
	    q->client ? q->client : "-");
}

/* page - what qcache_page hands out (ids space-separated in ->ids), after
 * the last item of after when not NULL; *n and *more */
static struct list *
page(struct qcache *qc, const char *client, const struct list *after,
    size_t limit, int *n, int *more)
{
	static struct list l;
	struct list prev;

	if (after)
		prev = *after;
	memset(&l, 0, sizeof(l));
	*n = qcache_page(qc, client, after ? prev.created : 0,
	    after ? prev.last : NULL, limit, collect, &l, more);
	return &l;
}

/* ---- the per-client counts */

#define NCL	5
static const char *cl[NCL] = { "erp", "crm", "a", "b", NULL };

/* cl_index - client's place in cl, NCL: another */
static int
cl_index(const char *client)
{
	int i;

	for (i = 0; i < NCL; i++)
		if (client == NULL ? cl[i] == NULL : cl[i] != NULL &&
		    strcmp(cl[i], client) == 0)
			return i;
	return NCL;
}

static void
tally(const struct qitem *q, void *arg)
{
	((int64_t *)arg)[cl_index(q->client)]++;
}

/* counts_agree - qcache_count of each client (and of one without jobs)
 * is what a walk over the listing counts, and what want says */
static int
counts_agree(struct qcache *qc, const int64_t *want, char *why, size_t len)
{
	int64_t walk[NCL + 1] = { 0 }, got;
	int i, more;

	qcache_page(qc, NULL, 0, NULL, SIZE_MAX, tally, walk, &more);
	for (i = 0; i < NCL; i++) {
		got = qcache_count(qc, cl[i]);
		if (got != walk[i] || got != want[i]) {
			snprintf(why, len, "%s: count %lld, listing %lld, "
			    "want %lld", cl[i] ? cl[i] : "(none)",
			    (long long)got, (long long)walk[i],
			    (long long)want[i]);
			return 0;
		}
	}
	if ((got = qcache_count(qc, "nobody")) != 0) {
		snprintf(why, len, "nobody: %lld", (long long)got);
		return 0;
	}
	return 1;
}

/* test_counts - random jobs s0..s59 (added, rewritten for another client,
 * removed, moved out); every tenth round queued/ is moved away and back
 * around the changes, which makes the index scan instead of applying
 * the events (a scan parses only names it has not seen, so those rounds
 * add and remove, never rewrite); base: the counts of the jobs already
 * there */
static void
test_counts(struct qcache *qc, const int64_t *base)
{
	char why[256] = "", rel[64], tmp[64];
	int64_t want[NCL];
	int has[60], touched[60], round, op, i, k, good = 1, events = 0;
	uint64_t scans0, scans, parsed;
	size_t cnt;
	unsigned r = 7;

	for (i = 0; i < 60; i++)
		has[i] = -1;		/* not queued; else its client */
	qcache_stats(qc, &cnt, &scans0, &parsed);
	for (round = 0; round < 60 && good; round++) {
		int moved = round % 10 == 9;

		if (moved)
			rename(P("spool/queued"), P("spool/q2"));
		memset(touched, 0, sizeof(touched));
		for (op = 0; op < 8; op++) {
			r = r * 1103515245 + 12345;
			i = (int)((r >> 8) % 60);
			k = (int)((r >> 16) % NCL);
			if (moved && touched[i]++)
				continue;
			snprintf(rel, sizeof(rel), "spool/%s/s%d.job",
			    moved ? "q2" : "queued", i);
			if (has[i] != -1 && (moved || (r >> 4) % 4 == 0)) {
				if ((r >> 12) & 1)
					unlink(P(rel));
				else {
					snprintf(tmp, sizeof(tmp),
					    "spool/cancelled/s%d.job", i);
					rename(P(rel), P(tmp));
				}
				has[i] = -1;
			} else {
				/* new, or rewritten (maybe another client) */
				snprintf(tmp, sizeof(tmp), "spool/tmp/s%d", i);
				put(tmp, job(cl[k], "2025-02-01T10:00:00Z",
				    NULL, NULL), 0);
				rename(P(tmp), P(rel));
				has[i] = k;
			}
		}
		if (moved)
			rename(P("spool/q2"), P("spool/queued"));
		else
			events++;
		memcpy(want, base, sizeof(want));
		for (i = 0; i < 60; i++)
			if (has[i] != -1)
				want[has[i]]++;
		good = counts_agree(qc, want, why, sizeof(why));
	}
	qcache_stats(qc, &cnt, &scans, &parsed);
	ok(good, "60 rounds of random adds, rewrites and removals: each "
	    "client's count is the listing's and the test's%s%s",
	    good ? "" : ": ", why);
	ok(scans - scans0 >= 6 && events > 40,
	    "the changes came both as events and through full scans (%llu "
	    "scans)", (unsigned long long)(scans - scans0));
}

/* page_all - qcache_page_all's ids after the job after (NULL: the head) */
static const char *
page_all(struct qcache *qc, const struct config *c, const char *after,
    size_t limit)
{
	static struct list l;
	int more;

	memset(&l, 0, sizeof(l));
	qcache_page_all(qc, c, after, limit, collect, &l, &more);
	return l.ids;
}

/* ---- a fair listing's cursor whose job has left the queue */
static void
test_resume(struct spool *s)
{
	char name[64], when[32], cmd[PATH_MAX + 32];
	struct config c;
	struct qcache *qc;
	int i;

	memset(&c, 0, sizeof(c));
	c.fair = 1;
	c.weights.dflt = 1;
	snprintf(cmd, sizeof(cmd), "rm -f '%s'/*", P("spool/queued"));
	if (system(cmd) != 0)
		printf("# could not empty queued/\n");
	for (i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), "spool/queued/a0%d.job", i);
		snprintf(when, sizeof(when), "2025-01-01T10:00:0%dZ", i);
		put(name, job("A", when, NULL, NULL), 0);
		if (i > 3)
			continue;
		snprintf(name, sizeof(name), "spool/queued/b0%d.job", i);
		put(name, job("B", when, NULL, NULL), 0);
	}
	qc = qcache_new(s);
	is_str(page_all(qc, &c, NULL, 100), "a01 b01 a02 b02 a03 b03 a04 a05 a06",
	    "fair order: A and B in turn, then A's rest");
	is_str(page_all(qc, &c, NULL, 3), "a01 b01 a02", "a page of 3");
	is_str(page_all(qc, &c, "a02", 3), "b02 a03 b03",
	    "the next page after its last job");
	/* a01 and a02, the cursor's job, start before the next page */
	unlink(P("spool/queued/a01.job"));
	unlink(P("spool/queued/a02.job"));
	is_str(page_all(qc, &c, NULL, 100), "b01 a03 b02 a04 b03 a05 a06",
	    "the order without them");
	is_str(page_all(qc, &c, "a02", 3), "b02 a03 b03",
	    "the cursor's job gone: the page goes on where it would stand "
	    "(b01, on the first page, is not repeated)");
	is_str(page_all(qc, &c, "zz", 2), "b01 a03",
	    "a cursor never seen: from the head");
	is_str(page_all(qc, &c, "a06", 3), "", "after the last: nothing");
	qcache_free(qc);
}

int
main(void)
{
	char err[ERRLEN], id[ID_MAX + 1], cmd[128];
	struct qcache *qc;
	struct spool s;
	struct list l;
	uint64_t scans, parsed;
	size_t cnt;
	int64_t t0;
	int n, more;

	alarm(20);	/* a hang (a blocking open) fails the test */
	snprintf(top, sizeof(top), "/tmp/t-qcache.XXXXXX");
	if (mkdtemp(top) == NULL || spool_open(&s, P("spool"), "n1", -1, 0, 1,
	    err, sizeof(err)) == -1) {
		printf("Bail out! a temporary spool: %s\n", strerror(errno));
		return 1;
	}
	/* created out of name order; j4 has none (its mtime counts, which
	 * ties with j2's created); j5 ties with j1 (then the id decides) */
	put("spool/queued/j3.job", job("erp", "2025-01-01T10:00:03Z", "h3",
	    NULL), 0);
	put("spool/queued/j1.job", job("erp", "2025-01-01T10:00:01Z", "h1",
	    "k1"), 0);
	put("spool/queued/j2.job", job("crm", "2025-01-01T10:00:02Z", "h1",
	    NULL), 0);
	put("spool/queued/j4.job", job(NULL, NULL, NULL, NULL), 1735725602);
	put("spool/queued/j5.job", job("erp", "2025-01-01T10:00:01Z", NULL,
	    NULL), 0);
	/* not listed: unreadable, a bad id, not a job name, a symlink to a
	 * good job, a FIFO (whose open would block without O_NONBLOCK) */
	put("spool/queued/broken.job", "{\"type\": ", 0);
	put("spool/queued/bad id.job", job("erp", NULL, NULL, NULL), 0);
	put("spool/queued/notes.txt", job("erp", NULL, NULL, NULL), 0);
	put("elsewhere.job", job("erp", "2025-01-01T09:00:00Z", NULL, NULL),
	    0);
	symlink(P("elsewhere.job"), P("spool/queued/link.job"));
	mkfifo(P("spool/queued/fifo.job"), 0600);

	qc = qcache_new(&s);
	t0 = mono_ms();
	is_str(page(qc, NULL, NULL, 100, &n, &more)->ids, "j1 j5 j2 j4 j3",
	    "every queued job, oldest first (created, else mtime; then id); "
	    "no broken file, bad id, other name, symlink or FIFO");
	ok(n == 5 && more == 0, "5, no more");
	qcache_stats(qc, &cnt, &scans, &parsed);
	ok(cnt == 5 && scans == 1 && parsed == 5,
	    "one scan parsed the 5 jobs (n %zu, scans %llu, parsed %llu)",
	    cnt, (unsigned long long)scans, (unsigned long long)parsed);
	is_str(page(qc, "erp", NULL, 100, &n, &more)->ids, "j1 j5 j3",
	    "one client's jobs");
	is_str(page(qc, "nobody", NULL, 100, &n, &more)->ids, "",
	    "a client without jobs: none");
	ok(n == 0 && more == 0, "0, no more");
	ok(qcache_count(qc, "erp") == 3 && qcache_count(qc, "crm") == 1 &&
	    qcache_count(qc, NULL) == 1 && qcache_count(qc, "nobody") == 0,
	    "counts: erp 3, crm 1, none 1, nobody 0");

	/* pages of 2 */
	l = *page(qc, NULL, NULL, 2, &n, &more);
	is_str(l.ids, "j1 j5", "first page of 2");
	ok(n == 2 && more == 1, "2, more");
	l = *page(qc, NULL, &l, 2, &n, &more);
	is_str(l.ids, "j2 j4", "second page: after the tie of j1 and j5");
	ok(more == 1, "more");
	l = *page(qc, NULL, &l, 2, &n, &more);
	is_str(l.ids, "j3", "last page");
	ok(n == 1 && more == 0, "1, no more");
	l = *page(qc, "erp", NULL, 1, &n, &more);
	is_str(page(qc, "erp", &l, 5, &n, &more)->ids, "j5 j3",
	    "a client's second page");

	/* duplicates */
	ok(qcache_find(qc, "erp", "h1", NULL, id) == 1 &&
	    strcmp(id, "j1") == 0, "by request hash, of the client");
	ok(qcache_find(qc, "crm", "h1", NULL, id) == 1 &&
	    strcmp(id, "j2") == 0, "the same hash of another client is its own");
	ok(qcache_find(qc, "erp", NULL, "k1", id) == 1 &&
	    strcmp(id, "j1") == 0, "by idempotency key");
	ok(qcache_find(qc, "crm", NULL, "k1", id) == 0,
	    "another client's idempotency key is not found");
	ok(qcache_find(qc, "erp", "h9", "k9", id) == 0, "none");

	/* changes, applied from events without a new scan */
	put("spool/tmp/x", job("erp", "2025-01-01T10:00:00Z", "h6", NULL), 0);
	rename(P("spool/tmp/x"), P("spool/queued/j6.job"));
	put("spool/queued/j7.job", job("crm", "2025-01-01T11:00:00Z", NULL,
	    NULL), 0);
	unlink(P("spool/queued/j3.job"));
	rename(P("spool/queued/j2.job"), P("spool/cancelled/j2.job"));
	put("spool/tmp/y", job("crm", "2025-01-01T10:00:01Z", NULL, NULL), 0);
	rename(P("spool/tmp/y"), P("spool/queued/j5.job"));	/* rewritten */
	mkfifo(P("spool/tmp/p"), 0600);
	rename(P("spool/tmp/p"), P("spool/queued/fifo2.job"));
	symlink(P("elsewhere.job"), P("spool/tmp/l"));
	rename(P("spool/tmp/l"), P("spool/queued/link2.job"));
	is_str(page(qc, NULL, NULL, 100, &n, &more)->ids, "j6 j1 j5 j4 j7",
	    "a job moved in and one written in are listed in order, the "
	    "removed and moved-out ones are gone, no FIFO or symlink moved in");
	is_str(page(qc, "crm", NULL, 100, &n, &more)->ids, "j5 j7",
	    "a rewritten job is listed as it is now (its new client)");
	ok(qcache_find(qc, "crm", "h1", NULL, id) == 0,
	    "a job that left queued/ is no duplicate");
	ok(qcache_find(qc, "erp", "h6", NULL, id) == 1 &&
	    strcmp(id, "j6") == 0, "a new job is one");
	ok(qcache_count(qc, "erp") == 2 && qcache_count(qc, "crm") == 2 &&
	    qcache_count(qc, NULL) == 1,
	    "counts after the events: erp 2 (one gone, one rewritten for "
	    "crm), crm 2, none 1");
	qcache_stats(qc, &cnt, &scans, &parsed);
	/* a full rescan comes 10 s after the last: only a machine stalled
	 * that long sees a second one, which parses nothing new */
	ok(cnt == 5 && (scans == 1 || mono_ms() - t0 > 9000) && parsed == 8,
	    "from events, no new scan: 3 parsed (n %zu, scans %llu, parsed "
	    "%llu)", cnt, (unsigned long long)scans,
	    (unsigned long long)parsed);
	qcache_free(qc);

	/* a fresh index of the same directory agrees */
	qc = qcache_new(&s);
	is_str(page(qc, NULL, NULL, 100, &n, &more)->ids, "j6 j1 j5 j4 j7",
	    "a new scan lists the same");
	ok(qcache_count(qc, "erp") == 2 && qcache_count(qc, "crm") == 2 &&
	    qcache_count(qc, NULL) == 1, "and counts the same");
	{
		const int64_t base[NCL] = { 2, 2, 0, 0, 1 };

		test_counts(qc, base);
	}
	qcache_free(qc);

	test_resume(&s);
	spool_close(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", top);
	return done_testing();
}
