/*
 * fuzz-jobfile.c - any bytes as a whole job file dropped into queued/ of a
 * real (temporary) spool, read the ways the programs read it:
 *
 *  - the daemon's verdict, bad/ or run: the steps of daemon.c's
 *    check_drop() (static there, so repeated here: the name, the size
 *    against JOB_MAX_SIZE, read_file, json_parse, job_parse, the type,
 *    job_validate); a file refused goes to bad/ through spool_bad() and
 *    its .why must hold the reason; one accepted is claimed through
 *    spool_move() (rewritten from the job) and read back;
 *  - spool_read(), which the server's queue cache, the CLI and
 *    `xspool check` use.
 *
 * Invariants: every refusal has a reason; a NUL byte, a UTF-16/UTF-32
 * text, and nesting deeper than JSON_MAX_DEPTH are refused (depth: at a
 * '[' or '{' of the input); a file over JOB_MAX_SIZE is refused, one of
 * exactly JOB_MAX_SIZE is not for its size; trailing blanks change no
 * verdict; the daemon runs a file only if spool_read reads it; a claimed
 * job reads back as what was written, byte for byte.  Every 64th input is
 * also padded with blanks to JOB_MAX_SIZE and to one byte over.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include "fuzz.h"

#define JF_ID	"fuzzjob"

static struct spool jf_sp;
static char jf_dir[256];
static pid_t jf_pid;		/* its maker: forked replays share it */

/* jf_rm - the spool made for this process, at its exit */
static void
jf_rm(void)
{
	static const char *sub[] = { "queued", "processing/fuzz",
	    "processing", "failed", "completed", "cancelled", "out", "bad",
	    "nodes", "notify", "tmp", "" };
	char p[512];
	size_t i;

	if (getpid() != jf_pid)
		return;
	spool_close(&jf_sp);
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", jf_dir, sub[i]);
		rmdir(p);		/* the files went after each input */
	}
}

/* jf_spool - the temporary spool, made once per process */
static struct spool *
jf_spool(void)
{
	const char *tmp = getenv("TMPDIR");
	char err[ERRLEN];

	if (jf_dir[0] != '\0')
		return &jf_sp;
	if (tmp == NULL || *tmp == '\0')
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(jf_dir, sizeof(jf_dir), "%s/xspool-fuzz-jobfile.XXXXXX",
	    tmp);
	if (mkdtemp(jf_dir) == NULL ||
	    spool_open(&jf_sp, jf_dir, "fuzz", -1, 0, 1, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz-jobfile: %s: %s\n", jf_dir,
		    jf_dir[0] ? err : strerror(errno));
		abort();
	}
	jf_pid = getpid();
	atexit(jf_rm);
	return &jf_sp;
}

/* jf_drop - the bytes as queued/ID.job, written in place as a client
 * that does not use tmp/ would, plus pad blanks */
static void
jf_drop(const char *path, const uint8_t *p, size_t n, size_t pad)
{
	static const char blanks[4096] = { [0 ... 4095] = ' ' };
	size_t k;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (n > 0 && write(fd, p, n) != (ssize_t)n)) {
		perror(path);
		abort();
	}
	for (; pad > 0; pad -= k) {
		k = pad < sizeof(blanks) ? pad : sizeof(blanks);
		if (write(fd, blanks, k) != (ssize_t)k) {
			perror(path);
			abort();
		}
	}
	close(fd);
}

/*
 * jf_verdict - daemon_drop.c check_drop(), step by step, on queued/NAME.job:
 * 1 run it (j filled), 0 bad/ (reason in why).  The one difference: a
 * text that does not parse waits for drop_grace there; here it is bad at
 * once, as it is once its grace is over.
 */
static int
jf_verdict(const char *path, struct job *j, char *why, size_t whylen)
{
	const struct config *cfg = fuzz_std_config();
	char *text = NULL, err[ERRLEN];
	const char *code;
	struct jdoc doc;
	struct stat sb;
	size_t len, bom;

	job_init(j);
	fuzz_check(stat(path, &sb) == 0, "%s: %s", path, strerror(errno));
	if (sb.st_size > JOB_MAX_SIZE ||
	    read_file(path, JOB_MAX_SIZE, &text, &len) == -1) {
		fuzz_check(sb.st_size > JOB_MAX_SIZE || errno == EFBIG,
		    "read_file: %s", strerror(errno));
		snprintf(why, whylen, "the job file is over 1 MiB");
		return 0;
	}
	bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if (json_parse(&doc, text + bom, len - bom, err, sizeof(err)) == -1) {
		snprintf(why, whylen, "bad JSON: %s", err);
		free(text);
		return 0;
	}
	json_free(&doc);
	if (job_parse(j, text, len, err, sizeof(err)) == -1)
		goto bad;
	free(text);
	text = NULL;
	snprintf(j->id, sizeof(j->id), "%s", JF_ID);
	if (config_type(cfg, j->type) == NULL) {
		snprintf(err, sizeof(err), "unknown export type \"%s\"",
		    j->type);
		goto bad;
	}
	if (job_validate(cfg, j, &code, err, sizeof(err)) == -1)
		goto bad;
	return 1;
bad:
	free(text);
	job_free(j);
	snprintf(why, whylen, "%s", err);
	return 0;
}

/* jf_text - j as job_write writes it, with its password */
static char *
jf_text(const struct job *j, size_t *len)
{
	struct buf b;

	buf_init(&b);
	job_write(j, &b, 1);
	*len = b.len;
	return buf_steal(&b);
}

/* jf_bad - the refused file to bad/ with its reason, as the daemon does */
static void
jf_bad(struct spool *sp, const char *why)
{
	char p[PATH_MAX], *text;
	size_t len;

	fuzz_check(why[0] != '\0', "a refusal without a reason");
	fuzz_check(spool_bad(sp, JF_ID ".job", why) == 0, "spool_bad: %s",
	    strerror(errno));
	snprintf(p, sizeof(p), "%s/bad/%s.job.why", jf_dir, JF_ID);
	fuzz_check(read_file(p, 1 << 20, &text, &len) == 0, "%s: %s", p,
	    strerror(errno));
	fuzz_check(len >= strlen(why) && memcmp(text, why, strlen(why)) == 0,
	    "bad/%s.job.why holds '%.*s', not '%s'", JF_ID, (int)len, text,
	    why);
	free(text);
	unlink(p);
	snprintf(p, sizeof(p), "%s/bad/%s.job", jf_dir, JF_ID);
	fuzz_check(unlink(p) == 0, "%s: %s", p, strerror(errno));
}

/* jf_claim - the accepted job claimed (rewritten into processing/) and
 * read back: the text written is the text read */
static void
jf_claim(struct spool *sp, const struct job *j)
{
	char p[PATH_MAX], err[ERRLEN], *t1, *t2;
	struct job j2;
	size_t n1, n2;

	fuzz_check(spool_move(sp, JF_ID, ST_QUEUED, NULL, ST_PROCESSING,
	    j) == 0, "claim: %s", strerror(errno));
	snprintf(p, sizeof(p), "%s/processing/fuzz/%s.job", jf_dir, JF_ID);
	fuzz_check(spool_read(p, &j2, err, sizeof(err)) == 0,
	    "the claimed job does not read back: %s", err);
	t1 = jf_text(j, &n1);
	t2 = jf_text(&j2, &n2);
	fuzz_check(n1 == n2 && memcmp(t1, t2, n1) == 0,
	    "the claimed job changed:\n%s---\n%s", t1, t2);
	free(t1);
	free(t2);
	job_free(&j2);
	fuzz_check(unlink(p) == 0, "%s: %s", p, strerror(errno));
}

/* jf_depth - 1 when err is a depth refusal at a bracket of the input
 * (the offset counts from after a UTF-8 BOM that job_parse skipped) */
static int
jf_depth_ok(const char *err, const uint8_t *p, size_t n)
{
	const char *s = strstr(err, "nesting deeper than");
	unsigned long off;
	size_t bom;

	if (s == NULL)
		return 1;
	if ((s = strstr(s, " at byte ")) == NULL)
		return 0;
	off = strtoul(s + 9, NULL, 10);
	bom = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	return (off < n && (p[off] == '[' || p[off] == '{')) ||
	    (off + bom < n && (p[off + bom] == '[' || p[off + bom] == '{'));
}

/* jf_one - one file of n bytes plus pad blanks: the daemon's verdict
 * and spool_read's, which must agree; returns the verdict */
static int
jf_one(const uint8_t *data, size_t n, size_t pad)
{
	struct spool *sp = jf_spool();
	char path[PATH_MAX], why[ERRLEN + 64], err[ERRLEN];
	struct job j, jr;
	int run, readable;

	snprintf(path, sizeof(path), "%s/queued/%s.job", jf_dir, JF_ID);
	jf_drop(path, data, n, pad);
	why[0] = err[0] = '\0';
	readable = spool_read(path, &jr, err, sizeof(err)) == 0;
	if (readable)
		job_free(&jr);
	else
		fuzz_check(err[0] != '\0', "spool_read refused without a "
		    "reason");
	run = jf_verdict(path, &j, why, sizeof(why));
	fuzz_check(!run || readable,
	    "the daemon runs a file spool_read refuses: %s", err);
	fuzz_check(run || !readable || (strncmp(why, "bad JSON", 8) &&
	    !strstr(why, "over 1 MiB")), "the daemon refuses for its JSON "
	    "a file spool_read reads: %s", why);
	if (n + pad > JOB_MAX_SIZE)
		fuzz_check(!run && !readable && strstr(err, "too big") &&
		    strstr(why, "over 1 MiB"), "over JOB_MAX_SIZE: %s / %s",
		    err, why);
	if (memchr(data, '\0', n) != NULL)
		fuzz_check(!run && !readable, "a NUL byte was accepted");
	if (n >= 2 && ((data[0] == 0xff && data[1] == 0xfe) ||
	    (data[0] == 0xfe && data[1] == 0xff)))
		fuzz_check(!run && !readable, "UTF-16/32 was accepted");
	fuzz_check(jf_depth_ok(err, data, n) && jf_depth_ok(why, data, n),
	    "a depth refusal not at a bracket: %s / %s", err, why);
	if (run) {
		jf_claim(sp, &j);
		job_free(&j);
	} else
		jf_bad(sp, why);
	return run;
}

int
fuzz_jobfile(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;
	size_t i;
	int run;

	run = jf_one(data, size, 0);
	for (i = 0; i < size; i++)		/* FNV-1a picks 1 in 64 */
		h = (h ^ data[i]) * 16777619u;
	if (size < JOB_MAX_SIZE && (h & 63) == 0) {
		fuzz_check(jf_one(data, size, JOB_MAX_SIZE - size) == run,
		    "blanks up to JOB_MAX_SIZE changed the verdict");
		jf_one(data, size, JOB_MAX_SIZE - size + 1);
	} else if (size + 3 <= JOB_MAX_SIZE)
		fuzz_check(jf_one(data, size, 3) == run,
		    "trailing blanks changed the verdict");
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_jobfile(data, size);
}
#endif
