/*
 * xspool.h - the contracts between xspool's parts.
 *
 * One section per source file, as OpenBSD httpd's httpd.h does.  Library
 * functions report (return -1 or NULL, with errno and/or a message in a
 * caller's buffer) and never exit; only main() decides.  Every program links
 * the same objects; see the Makefile.
 */
#ifndef XSPOOL_H
#define XSPOOL_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>

#ifndef JSMN_IMPL
#define JSMN_HEADER
#endif
#include <jsmn.h>		/* built with JSMN_PARENT_LINKS and JSMN_STRICT */

#define XSPOOL_VERSION	"0.1.0"
#define ID_MAX		128	/* [A-Za-z0-9][A-Za-z0-9._-]{0,127} */
#define TYPE_MAX	64	/* export type names: [A-Za-z][A-Za-z0-9_-]{0,63} */
#define JOB_MAX_SIZE	(1024 * 1024)	/* a bigger job file is bad */
#define ERRLEN		512	/* size of the err buffers below */

/* exit statuses shared by the programs */
#define EXIT_NO		1	/* the answer is "no": not found, not cancellable */
#define EXIT_USAGE	2	/* usage, input or config error */
#define EXIT_TEMPFAIL	75	/* spool full (EX_TEMPFAIL) */

/* ---------------------------------------------------------------- xmalloc.c */
/* Allocation that cannot return NULL: on failure they print and abort(). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------- buf.c */
/* A growable byte buffer, always NUL-terminated after len. */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same with a va_list; the length added, or -1 (bad format). */
int	 buf_vaddf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	 buf_consume(struct buf *, size_t);	/* drop the first n bytes */
char	*buf_steal(struct buf *);		/* hand p to the caller */
/* Room for n more bytes and the NUL; returns p + len, where the caller
 * writes before adding what it wrote to len (and setting the NUL). */
char	*buf_reserve(struct buf *, size_t n);

/* ---------------------------------------------------------------- heap.c */
/* A binary min-heap of the caller's elements (pointers; the elements stay
 * the caller's).  Each element holds its place in the heap, a size_t at
 * offset idx (offsetof), kept up to date by every call, so that any element
 * leaves or is moved after a key change in O(log n).  before(a, b) is 1
 * when a goes before b.  The caller may read n and v[0..n-1] (v[0] first,
 * the rest in heap order), never write them. */
struct heap {
	void	**v;
	size_t	 n, cap;
	size_t	 idx;		/* offsetof the element's place */
	int	(*before)(const void *a, const void *b);
};
/* An empty heap (nothing allocated yet). */
void	 heap_init(struct heap *, int (*before)(const void *, const void *),
	    size_t idx);
void	 heap_free(struct heap *);	/* the array, not the elements */
void	 heap_clear(struct heap *);	/* n = 0, keeps the array */
/* Adds e (not in the heap): O(log n); allocation cannot fail. */
void	 heap_push(struct heap *, void *e);
/* Takes e (in the heap) out: O(log n). */
void	 heap_remove(struct heap *, void *e);
/* e (in the heap) had its key changed: its place again, O(log n). */
void	 heap_fix(struct heap *, void *e);
/* The first element, or NULL when the heap is empty. */
void	*heap_top(const struct heap *);
/* Takes out the first element: it, or NULL when the heap is empty. */
void	*heap_pop(struct heap *);

/* ---------------------------------------------------------------- log.c */
/*
 * Daemon diagnostics: stderr in the foreground, syslog otherwise.
 * log_warn appends strerror(errno); log_warnx does not.  fatal/fatalx exit 1.
 */
void	 log_init(const char *progname, int foreground);
void	 log_setdebug(int);
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* an error the caller then stops on (LOG_ERR, <3> in the journal) */
void	 log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* ---------------------------------------------------------------- util.c */
/* Time is int64 milliseconds since the epoch throughout. */
int64_t	 now_ms(void);				/* CLOCK_REALTIME */
int64_t	 mono_ms(void);				/* CLOCK_MONOTONIC */
/* "2026-11-30T10:00:00Z", or with ".250" before the Z when ms % 1000 != 0;
 * buf must hold 32 bytes.  Returns buf. */
char	*fmt_time(int64_t ms, char *buf);
/* Parses what fmt_time writes (and an offset-less "...Z" with 0-9 fraction
 * digits).  Returns 0 or -1. */
int	 parse_time(const char *, size_t len, int64_t *ms);
/* Durations: "250ms", "30s", "10m", "2h", "7d", a bare number is seconds.
 * Sizes: "512", "512K", "10M", "10G", "1T" (powers of 1024).
 * Both return 0, or -1 for a malformed, negative or overflowing value. */
int	 parse_duration(const char *, int64_t *ms);
int	 parse_size(const char *, int64_t *bytes);
/* "1.5 MiB" style, for people; buf holds 32 bytes. */
char	*fmt_size(int64_t bytes, char *buf);
/* FNV-1a of s, starting from the offset basis xor seed (0: plain FNV-1a),
 * for the hash tables of names and ids. */
size_t	 str_hash(const char *s, uint64_t seed);
/* UTF-8 well-formedness (no overlongs, no surrogates, <= U+10FFFF). */
int	 utf8_valid(const char *, size_t);
/* Write all / read all, retrying EINTR and short transfers; 0 or -1. */
int	 write_all(int fd, const void *, size_t);
/* Reads a whole file of at most max bytes into *out (NUL-terminated).
 * The open never blocks (O_NONBLOCK: a FIFO is refused, not waited on)
 * and only a regular file is read.  -1 with errno (EFBIG when larger
 * than max, EINVAL when not a regular file). */
int	 read_file(const char *path, size_t max, char **out, size_t *len);
/* The same from an open fd, which it closes. */
int	 read_fd(int fd, size_t max, char **out, size_t *len);
/* The same for files in the spool, which are never followed through a
 * symbolic link (O_NOFOLLOW: ELOOP). */
int	 read_spool_file(const char *path, size_t max, char **out,
	    size_t *len);
/* Open a directory read-only and fsync it; 0 or -1 with errno. */
int	 fsync_dir(const char *path);
/* Open a file and fsync it; 0 or -1 with errno. */
int	 fsync_file(const char *path);
/* Retry delay: base * 2^(n-1), at most max, varied by up to 20% either way
 * (random from getrandom) so that many retries do not fire at once. */
int64_t	 backoff_ms(int64_t base, int64_t max, int n);
/* The value of one hex digit, or -1. */
int	 hex_digit(int c);
/* Joins into buf; -1 with errno ENAMETOOLONG if it does not fit. */
int	 path_join(char *buf, size_t size, const char *a, const char *b);
/* A message into err (ignored when err is NULL or errlen 0); errno is
 * kept.  For library functions that report through a caller's buffer. */
void	 seterr(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- atomic.c */
/*
 * One atomic write, one call per step: a temporary file, its text, fsync
 * and close, the rename into place, the directory's fsync.  A failing step
 * removes the temporary file; each returns 0, or -1 with errno.  Where
 * the rename must not replace (the spool's moves), the caller makes that
 * step itself and uses the others.
 */
struct atomic {
	char	 tmp[PATH_MAX];	/* the temporary file, "" when none */
	int	 fd;		/* -1 once closed */
	int	 sync;		/* fsync the file, and the directory */
};
/* A new file "PATH.tmp.PID.RND" beside path, created with mode. */
int	 atomic_open(struct atomic *, const char *path, mode_t mode, int sync);
/* Takes fd, a new file at tmp the caller made (spool_tmpfile). */
void	 atomic_adopt(struct atomic *, int fd, const char *tmp, int sync);
int	 atomic_write(struct atomic *, const void *, size_t);
/* fsync (with sync) and close. */
int	 atomic_close(struct atomic *);
/* Closes, renames into path, fsyncs path's directory (with sync). */
int	 atomic_commit(struct atomic *, const char *path);
/* Closes and removes the temporary file; errno is kept. */
void	 atomic_abort(struct atomic *);
/* fsync of the directory that holds path. */
int	 atomic_sync_dir(const char *path);
/* All the steps: path's text becomes p. */
int	 atomic_write_file(const char *path, const void *p, size_t n,
	    mode_t mode, int sync);

/* ---------------------------------------------------------------- id.c */
/* A new UUIDv4 from getrandom(2), "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
 * out holds 37 bytes.  Returns 0, or -1 with errno. */
int	 id_new(char *out);
int	 id_valid(const char *);		/* 1 when a legal job id */
int	 type_valid(const char *);		/* 1 when a legal type name */
/* Parameter names: [A-Za-z][A-Za-z0-9_]{0,63} */
int	 param_name_valid(const char *);
/* Random bytes as lowercase hex (2*n chars + NUL in out); 0 or -1. */
int	 random_hex(char *out, size_t nbytes);

/* ---------------------------------------------- config.c, config_type.c */
enum emits	{ EMITS_CSV = 1, EMITS_JSONL };
enum format	{ FMT_NONE = 0, FMT_JSON = 1, FMT_CSV = 2 };
enum coltype	{ COL_STRING = 0, COL_INT, COL_NUMBER, COL_BOOL };

struct column {
	char		*name;
	enum coltype	 type;
};

/* A request parameter's declared type ([type] params = from:date, n:int?) */
enum ptype	{ PT_STRING = 0, PT_INT, PT_NUMBER, PT_BOOL, PT_DATE,
		  PT_TIMESTAMP };

struct tparam {
	char		*name;
	enum ptype	 type;
	int		 optional;	/* "name:type?" */
};

struct xtype {
	char		*name;
	char		*command;	/* absolute path once loaded */
	char		**argv;		/* command split on blanks, NULL-ended */
	enum emits	 emits;
	unsigned	 formats;	/* FMT_JSON | FMT_CSV bits */
	int64_t		 timeout_ms;	/* default 10m */
	int64_t		 max_bytes;	/* default 10G */
	struct column	*columns;	/* CSV -> JSON typing, may be NULL */
	size_t		 ncolumns;
	int		 level;		/* zip level 0-9, -1: [spool] zip_level */
	int		 line;		/* where its section starts */
	struct tparam	*params;	/* declared request parameters */
	size_t		 nparams;
	int		 has_params;	/* a params line: only those are taken */
	/* a SQL type: command is xspool-sql next to this program, run as
	 * "xspool-sql -c CONFIG -t TYPE" (no credential on its command
	 * line); it reads database and query from the config itself */
	char		*database;	/* "postgresql://..." or "sqlite:/abs" */
	char		*query;		/* query, or query_file's text */
	int		 max_running;	/* on one node at once, 0: no limit */
};

/* a value per client ("weights = 1, erp:3"): dflt for the others; the
 * jobs without a client are the client "-" */
struct cmap {
	int		 dflt;
	size_t		 n;
	char		**name;
	int		*v;
};

struct config {
	char		*path;
	/* [spool] */
	char		*dir;		/* absolute */
	char		*node;		/* default: host name */
	int		 workers;	/* default 2 */
	int		 max_attempts;	/* default 3 */
	int64_t		 retry_base_ms;	/* default 30s */
	int64_t		 retry_max_ms;	/* default 1h */
	int64_t		 lease_ms;	/* default 2m */
	int64_t		 rescan_ms;	/* default 30s */
	int64_t		 retention_ms;	/* default 7d */
	int64_t		 drop_grace_ms;	/* default 60s */
	int64_t		 min_free;	/* bytes, default 64M; inodes: min_free/64K */
	int64_t		 kill_grace_ms;	/* SIGTERM -> SIGKILL, default 5s */
	int		 sync;		/* fsync files and dirs, default 1 */
	int		 zip_level;	/* default 6 */
	int		 fair;		/* schedule = fair (1, default) or fifo */
	struct cmap	 weights;	/* claims per round, default 1 */
	struct cmap	 max_queued;	/* queued jobs per client, 0: no cap */
	char		*group;		/* NAME or GID: spool shared with it */
	long		 gid;		/* group resolved, -1: none */
	/* [http] */
	char		*listen;	/* "127.0.0.1:8080", comma-separated list */
	char		*keys;		/* keys file, absolute */
	int		 max_connections;	/* default 1024 */
	int		 max_per_ip;	/* per peer address; 0: max_connections/16 */
	int64_t		 max_header;	/* bytes, default 8K */
	int64_t		 header_timeout_ms;	/* whole header by then, default 5s */
	int64_t		 request_timeout_ms;	/* default 30s */
	int		 rate;		/* requests per minute per key, 0 = none */
	int		 threads;	/* default 2 */
	char		*tls_cert, *tls_key;	/* both or neither */
	char		*access_log;	/* file, "-" for stderr, NULL: none */
	/* [notify] */
	char		*smtp;		/* smtp://host:port or smtps:// */
	char		*smtp_user, *smtp_password;
	char		*from;
	char		*webhook_secret;	/* "whsec_BASE64" */
	int64_t		 webhook_timeout_ms;	/* default 10s */
	int		 webhook_attempts;	/* default 5 */
	int64_t		 webhook_retry_base_ms;	/* default 10s */
	char		*callback_allow;	/* host patterns, comma-separated */
	int		 notify_each_failure;	/* default 0 */
	char		*base_url;	/* for links in mails, may be NULL */
	char		*ca_file;	/* PEM CAs for https, smtps; NULL: system store */
	/* [type NAME] */
	struct xtype	*types;
	size_t		 ntypes;
};

/*
 * config_load - read an INI file into c (which it zeroes first).
 * Relative paths (dir, command, keys, ...) are made absolute against the
 * current directory.  On failure returns -1 with "FILE:LINE: reason" in err.
 */
int	 config_load(struct config *c, const char *path, char *err, size_t);
/* The config file when no -c is given: $XSPOOL_CONF, else etc/xspool.conf
 * when it exists (a source tree), else the first of
 * /usr/local/etc/xspool/xspool.conf and /etc/xspool/xspool.conf that
 * exists, else etc/xspool.conf (whose absence config_load reports). */
const char *config_default(void);
void	 config_free(struct config *);
/* The webhook secret's format is the config's rule: the HMAC key is the
 * base64 after an optional "whsec_", at most SECRET_MAX bytes decoded.
 * Into key (SECRET_MAX + 3 bytes), its length into *keylen; -1 with a
 * reason in err when the secret is empty, too long or not base64. */
#define SECRET_MAX	256
int	 config_secret_key(const char *secret, unsigned char *key,
	    size_t *keylen, char *err, size_t errlen);
/* The value of client (NULL: the jobs without one, "-") in m. */
int	 config_client(const struct cmap *m, const char *client);

/* config_type.c: the types of a loaded config */
/* The type called name (NULL: none), NULL when there is none. */
const struct xtype *config_type(const struct config *, const char *name);
/* "JSON"/"json" -> FMT_JSON etc; FMT_NONE when unknown. */
enum format format_parse(const char *);
const char *format_name(enum format);	/* "JSON", "CSV" */
const char *format_ext(enum format);	/* "json", "csv" */
const char *ptype_name(enum ptype);	/* "date", ... */
/* A [type]'s database string for people: a password in it (user:PASS@
 * or password=PASS) shown as "***", onto out. */
void	 config_db_shown(const char *db, struct buf *out);
/* The installed name of the SQL exporter, looked for next to the running
 * program (bin/, bin/asan/, SBINDIR). */
#define SQL_EXPORTER	"xspool-sql"

/* ---------------------------------------------------------------- json.c */
/*
 * A tokenized, validated JSON document (jsmn with parent links, plus the
 * checks jsmn does not make: primitives, strings, UTF-8, a single value).
 */
#define JSON_MAX_DEPTH	256	/* deeper nesting is refused */
struct jdoc {
	const char	*text;
	size_t		 len;
	jsmntok_t	*tok;
	int		 ntok;
	int		 tokcap;	/* tokens allocated for jsmn; 0 when it
					 * never ran (kept by json_free) */
};
/* Tokenizes text; -1 with a reason in err (it names the byte offset).
 * Work and memory are linear in len: one pass first refuses a NUL byte
 * and nesting deeper than JSON_MAX_DEPTH, and counts the tokens, before
 * jsmn runs once over an array of exactly that many. */
int	 json_parse(struct jdoc *, const char *text, size_t len,
	    char *err, size_t errlen);
void	 json_free(struct jdoc *);
/* Index of the token after tok i and all its children. */
int	 json_skip(const struct jdoc *, int i);
/* In object token obj, the value token of key, or -1. */
int	 json_get(const struct jdoc *, int obj, const char *key);
/* 1 when string token i equals s (after unescaping). */
int	 json_eq(const struct jdoc *, int i, const char *s);
/* Unescapes string token i into a new NUL-terminated string (length in
 * *len if not NULL); NULL with err set if it holds \u0000 or a bad escape. */
char	*json_str(const struct jdoc *, int i, size_t *len);
/* Unescape s[0..n) (the inside of a JSON string) onto out; 0 or -1 for a
 * bad escape or lone surrogate (what was appended stays).  \u0000 gives a
 * NUL byte.  Raw bytes are copied unchecked (json_parse checked them). */
int	 json_unescape(struct buf *out, const char *s, size_t n);
/* Integer value of primitive token i; 0 or -1 when not an integer. */
int	 json_int(const struct jdoc *, int i, int64_t *);
/* 1 for true, 0 for false, -1 otherwise. */
int	 json_bool(const struct jdoc *, int i);
/* Appends s as a quoted JSON string, escaping '"', '\\' and every control
 * character; UTF-8 is kept as is (the caller validated it). */
void	 json_quote(struct buf *, const char *s, size_t n);
/* The same without the quotes: the inside of a JSON string. */
void	 json_escape(struct buf *, const char *s, size_t n);
/* json_quote for text from outside (an exporter's stderr, say): each byte
 * that is not part of well-formed UTF-8 becomes U+FFFD. */
void	 json_quote_lossy(struct buf *, const char *s, size_t n);
/* Checks one JSON number / literal primitive strictly (RFC 8259). */
int	 json_primitive_valid(const char *s, size_t n);
/* 1 when s[0..n) is the inside of a JSON string json_parse accepts (its
 * escapes, no raw control character, well-formed UTF-8), else 0. */
int	 json_string_valid(const char *s, size_t n);

/* ---------------------------------------------------------------- job.c */
enum state {
	ST_QUEUED = 0, ST_PROCESSING, ST_FAILED, ST_COMPLETED, ST_CANCELLED,
	NSTATES
};

struct param {
	char	*name;
	char	*value;
};

/* A field this version does not know, kept verbatim and written back. */
struct extra {
	char	*name;
	char	*json;		/* the raw JSON value */
};

enum notify_state { NS_NONE = 0, NS_PENDING, NS_SENT, NS_FAILED };

struct notify_track {
	enum notify_state state;
	char		*msg_id;	/* webhook-id, the same on every try */
	int		 tries;
	int64_t		 next_ms;	/* next try, 0 = now */
	char		*error;		/* last failure */
};

struct result {
	int		 present;
	int		 success;
	char		**errors;
	size_t		 nerrors;
	int64_t		 duration_ms;
	char		*file_name;	/* "Invoices.csv" */
	int64_t		 file_size;	/* the zip's size */
	int64_t		 records;
	int		 callback_sent;	/* -1: not asked for, 0, 1 */
	int		 email_sent;	/* -1: not asked for, 0, 1 */
};

struct job {
	char		 id[ID_MAX + 1];
	char		*type;
	enum format	 format;	/* FMT_NONE until filled in */
	char		*password;
	int		 encrypted;	/* 1: asked with a password (kept once
					 * the password is dropped); -1: not */
	char		*email;
	char		*callback;
	char		*client;
	char		*idempotency_key;
	char		*request_hash;	/* for EXPORT_DUPLICATE */
	struct param	*params;
	size_t		 nparams;
	int64_t		 created, started, finished, next_attempt; /* 0: unset */
	int		 attempts;
	char		*node;
	int		 has_progress;
	int64_t		 progress_records, progress_bytes;
	int64_t		 progress_total;	/* records the exporter
						 * announced, 0: unknown */
	char		*cancelled_by;	/* "user", "attempts", NULL */
	struct result	 result;
	struct notify_track webhook, mail;	/* "notify" object */
	struct extra	*extras;
	size_t		 nextras;
};

void	 job_init(struct job *);	/* zero, callback_sent = -1, ... */
void	 job_free(struct job *);
/*
 * job_parse - a job file's text into j.  Needs "type"; every known field
 * must have its type; a duplicate key, invalid UTF-8, trailing data or a
 * non-object are refused with a reason in err.  The id is not taken from
 * the text when the file name gives it (the caller sets j->id after).
 * j is initialized first (not freed: job_free a used one); on failure it
 * is left empty.  A leading UTF-8 BOM is skipped.  null counts as
 * absent; unknown top-level fields go to
 * extras, unknown ones inside known objects ("result", ...) are dropped.
 */
int	 job_parse(struct job *j, const char *text, size_t len,
	    char *err, size_t errlen);
/* Whole file text, "\n"-terminated, onto out.  with_password 0 omits it
 * (for status answers and listings). */
void	 job_write(const struct job *, struct buf *out, int with_password);
/* Marks j as asked with a password ("encrypted": true), which stays
 * after the password itself is dropped; spool_submit and the daemon's
 * claim of a dropped file call it. */
void	 job_mark_encrypted(struct job *);
/* A job's JSON view (the CLI's --json): its file without the password,
 * plus "status": the state's name; no final newline. */
void	 job_view(const struct job *, enum state, struct buf *out);
/* Adds an error line to j->result (copies s). */
void	 job_add_error(struct job *, const char *s);
void	 job_set_param(struct job *, const char *name, const char *value);
/* A user's cancel of a queued job: cancelledBy "user", finished = now, a
 * failed result "cancelled by user", no password (ops_cancel's first step). */
void	 job_cancel_user(struct job *, int64_t now);
/* Forgets an earlier run: result, notifications, cancelledBy, node,
 * progress, started/finished/nextAttempt (ops_retry of a cancelled job). */
void	 job_forget_run(struct job *);
const char *state_name(enum state);	/* "QUEUED", ... */
const char *state_dir(enum state);	/* "queued", ... */
int	 state_parse(const char *);	/* "queued"/"QUEUED" -> state, or -1 */

/* ------------------------------------------------ spool.c, spool_read.c */
/* The spool's directories: spool.c holds the one table of their names. */
enum sdir {
	SD_TMP = 0, SD_QUEUED, SD_PROCESSING, SD_FAILED, SD_COMPLETED,
	SD_CANCELLED, SD_OUT, SD_BAD, SD_NODES, SD_NOTIFY, NSDIRS
};
/* how a no-replace move is made on this file system */
enum noreplace { NR_UNKNOWN = 0, NR_RENAMEAT2, NR_LINK, NR_NONE };

struct spool {
	char	*dir;
	char	*node;
	int	 sync;
	int	 dirfd;		/* the spool's root */
	long	 gid;		/* [spool] group, -1: none */
	mode_t	 fmode;		/* of files written: 0600, 0640 with gid */
	int	 nfs;		/* the spool is on NFS (look-ups revalidate) */
	enum noreplace noreplace;	/* learnt on first use, or probed */
};

/*
 * Opens (and with create, makes) the layout under dir; -1 with err.  gid
 * is the config's [spool] group (-1: none): with it directories made are
 * 2770 of that group and the job and zip files written 0640; existing
 * directories are checked (a warning when the group could not use them).
 */
int	 spool_open(struct spool *, const char *dir, const char *node,
	    long gid, int sync, int create, char *err, size_t errlen);
void	 spool_close(struct spool *);
/* "DIR/queued/ID.job", "DIR/processing/NODE/ID.job" (node NULL: own). */
int	 spool_path(const struct spool *, char *buf, size_t, enum state,
	    const char *node, const char *id);
int	 spool_zip_path(const struct spool *, char *buf, size_t, const char *id);
/* "tmp", "queued", ... "notify": the name of one of the spool's
 * directories; NULL when d is out of range. */
const char *spool_dirname(enum sdir d);
/* "DIR/SUB", "DIR/SUB/A" or "DIR/SUB/A/B" (a and b single components,
 * not starting with '.'; b only with a).  -1 with errno EINVAL or
 * ENAMETOOLONG.  Every path into the spool other than a job's or a zip's
 * is built here. */
int	 spool_sub(const struct spool *, char *buf, size_t, enum sdir,
	    const char *a, const char *b);
/* How no-replace moves are made here (probed in tmp/ on first call), for
 * the daemon's start-up line. */
const char *spool_noreplace_method(struct spool *);
/* On NFS: opens the state directories, which revalidates their cached
 * attributes (close-to-open), so that look-ups by name that follow see
 * other clients' moves.  Nothing elsewhere. */
void	 spool_refresh(const struct spool *);
/* stat by opening (NFS close-to-open: the server's attributes), never
 * following a link; and a directory opened and closed, which on NFS
 * revalidates it and drops the names cached from it when it changed */
int	 fresh_stat(const char *path, struct stat *sb);
void	 revalidate_dir(const char *dir);
/* Creates an exclusive file in tmp/ named time.host.pid.random[.suffix];
 * returns the fd, the path in buf. */
int	 spool_tmpfile(const struct spool *, char *buf, size_t,
	    const char *suffix);
/*
 * spool_submit - write j (giving it an id, created, format default when
 * unset) through tmp/ into queued/.  Refuses with EXIT_TEMPFAIL-worthy
 * errno ENOSPC when the file system has less than min_free.
 */
int	 spool_submit(struct spool *, struct job *j, int64_t min_free,
	    char *err, size_t errlen);
/*
 * spool_move - the only function that renames job files: from state
 * (node for PROCESSING) to state.  When j is not NULL the job file is
 * first rewritten from j in place (tmp/ + rename), then moved; fsync as
 * the spool's sync says.  Exception: from a directory others claim from
 * (queued/, failed/, another node's processing/) to one they do not
 * (cancelled/, completed/, our processing/), the rename goes first and
 * the rewrite follows in the target, so a concurrent claim can never
 * carry off the rewritten text (a cancel's "cancelledBy" on a job that
 * then runs).  A rewrite never recreates a file that moved away.  Returns 0, or -1 with errno (ENOENT: it was not
 * there: lost the race, or already moved).  For a claim into PROCESSING on
 * NFS, an ENOENT after which the file is in our node directory is success.
 */
int	 spool_move(struct spool *, const char *id, enum state from,
	    const char *from_node, enum state to, const struct job *j);
/* Rewrite the job file where it is (tmp/ + same-dir rename). */
int	 spool_rewrite(struct spool *, enum state, const char *node,
	    const struct job *);
/*
 * spool_find - where is job id?  One stat per state directory and per
 * node directory; retries when the file moves during the look-up.
 * Returns the state (node name copied to node when PROCESSING, if node is
 * not NULL, size NODE_MAX+1) or -1 with errno ENOENT.
 */
#define NODE_MAX 64
int	 spool_find(struct spool *, const char *id, char *node);
/* spool_find, then read and parse it into j.  Returns the state or -1,
 * err set (ENOENT -> "no such job"). */
int	 spool_load(struct spool *, const char *id, struct job *j, char *node,
	    char *err, size_t errlen);
/* spool_load, and into sb (may be NULL) the job file's stat from the
 * look-up that found it, made just before the read. */
int	 spool_load_st(struct spool *, const char *id, struct job *j,
	    char *node, struct stat *sb, char *err, size_t errlen);
/* A dropped file of job id that went to bad/ (bad/ID.job, or the latest
 * of ID.job.N): its name ("bad/ID.job") into name, the first line of
 * its .why into why, its lstat into sb (may be NULL).  0, or -1 with
 * errno ENOENT when there is none (EINVAL: not an id). */
int	 spool_bad_why(struct spool *, const char *id, char *name,
	    size_t namelen, char *why, size_t whylen, struct stat *sb);
/* Reads the job file at path (parse + id from its name). */
int	 spool_read(const char *path, struct job *, char *err, size_t errlen);
/* Calls fn for every "*.job" in state's directory (all node directories
 * for PROCESSING); fn returns 0 to go on. ids only, no parsing. */
typedef int (*spool_each_fn)(const char *id, const char *node,
	    const struct stat *, void *arg);
int	 spool_each(struct spool *, enum state, spool_each_fn, void *arg);
/* How many queued jobs client (NULL: those without one) has, reading
 * every queued file (the CLI's max_queued check; xspool-httpd counts in
 * its qcache); -1 with errno. */
int64_t	 spool_queued_of(struct spool *, const char *client);
/* Puts a dropped file queued/NAME into bad/NAME with bad/NAME.why. */
/* An earlier bad/NAME is kept: the new one becomes NAME.1, NAME.2, ... */
int	 spool_bad(struct spool *, const char *name, const char *why);
/*
 * spool_put_zip - the finished zip at zip (in tmp/) becomes out/ID.zip:
 * mode fmode, synced, moved without ever replacing an existing result
 * (renameat2 RENAME_NOREPLACE, or link(2) and unlink(2) on NFS), out/
 * synced.  -1 with a reason in err (EEXIST: a result is there already).
 */
int	 spool_put_zip(struct spool *, const char *zip, const char *id,
	    char *err, size_t errlen);
/* from to to, never over an existing to (renameat2, else link(2) and
 * unlink(2)), for a from that only the caller moves.  0 or -1 (EEXIST). */
int	 spool_move_noreplace(struct spool *, const char *from, const char *to);
/* tmp/NODE.ID.zip, where a worker of node (NULL: "-") has libzip write
 * the zip of id; and the removal of it and of libzip's temporaries
 * (NAME.XXXXXX) that a killed worker leaves. */
int	 spool_tmpzip_path(const struct spool *, char *buf, size_t,
	    const char *node, const char *id);
void	 spool_drop_tmpzip(const struct spool *, const char *node,
	    const char *id);
/* 1 when our processing/NODE/ still holds id (looked up by open: NFS's
 * close-to-open), else 0: the check a worker makes before it puts a
 * result in place. */
int	 spool_holds(const struct spool *, const char *id);
/* id's state other than here (a job file of that id elsewhere, not the
 * file mine, which another node may have just moved on), or -1 with errno
 * ENOENT: an id in use is never taken again. */
int	 spool_elsewhere(struct spool *, const char *id, enum state here,
	    const struct stat *mine);
/* An interrupted link-and-unlink move of id (one file, two names) is
 * finished: 1 when it was, 0 when there was none, -1 with errno. */
int	 spool_finish_link(struct spool *, const char *id);
/* 1 when the file system has at least min_free bytes (and min_free/64K
 * inodes) free, 0 when not, -1 on error. */
int	 spool_has_room(struct spool *, int64_t min_free);

/* ---------------------------------------------------------------- node.c */
/*
 * A daemon's node: nodes/NODE holds its identity (pid, host, boot id, a
 * random token) and is rewritten every lease/4.  Its mtime, set by the
 * file server and read back, is the server's clock, which every time
 * compared between nodes follows.  Another node is lost when its
 * heartbeat is older than lease by that clock (the lease the heartbeat
 * states, its holder's; ours when it states none), or has been missing
 * for a whole lease.  Our own lease is current while the last good beat is less
 * than 3/4 lease old (fencing): past that, the daemon claims nothing and
 * abandons its jobs, and its workers put no result in place.
 */
enum { NODE_OK = 0, NODE_FAIL = -1, NODE_TAKEN = 1 };
struct nodeid {
	char		 host[256], boot[64], pid[24], token[40];
	int64_t		 lease_ms;	/* the holder's lease, 0: not stated */
	int64_t		 mtime;		/* the server's time of the last beat */
	struct stat	 sb;
};
struct nodeshare;		/* our lease, shared with the workers */
struct node {
	struct spool	*sp;
	char		 name[NODE_MAX + 1];
	char		 path[PATH_MAX];
	char		 host[256], boot[64], token[40];
	int		 fd;
	int64_t		 lease_ms;
	int64_t		 server_ms;	/* the server's time at the last beat */
	int64_t		 beat_mono;	/* mono_ms() of it, 0: none yet */
	struct nodeshare *share;
	struct {
		char	 name[NODE_MAX + 1];
		int64_t	 since;		/* server ms */
	}		*missing;	/* heartbeats seen missing */
	size_t		 nmissing;
};
/* Takes name in spool s: refuses (EEXIST, the holder named in err) when
 * nodes/NAME is a live heartbeat of another process, here or on another
 * host; else writes ours and beats once.  -1 with err. */
int	 node_open(struct node *, struct spool *s, const char *name,
	    int64_t lease_ms, char *err, size_t errlen);
/* clean: remove the heartbeat if it is still ours (a clean stop). */
void	 node_close(struct node *, int clean);
/* Reads our heartbeat back (recreating it when missing), checks it is
 * still ours, and touches it.  NODE_OK, NODE_FAIL (errno; the lease runs
 * on), NODE_TAKEN (another process holds the name now: stop). */
int	 node_beat(struct node *);
/* The file server's time now: the last beat's plus the monotonic time
 * since (now_ms() before the first beat or with a NULL node). */
int64_t	 node_now(const struct node *);
/* 1 while our lease is current (fencing); the workers ask their share. */
int	 node_current(const struct node *);
const struct nodeshare *node_share(const struct node *);
int	 node_share_current(const struct nodeshare *);	/* NULL: 1 */
/* 1 when node other is lost by the lease rule (never ourselves; 0 when
 * its heartbeat cannot be read for another reason than its absence). */
int	 node_lost(struct node *, const char *other);
/* One-shot judges, for the CLI's check and programs without a node:
 * nodes/NAME's identity and server mtime (by open and fstat), -1 with
 * errno ENOENT when there is none; the server's time now (a new tmp/
 * file's mtime); and the rule itself. */
int	 node_read(struct spool *, const char *name, struct nodeid *);
int	 node_clock(struct spool *, int64_t *ms);
int	 node_expired(const struct nodeid *, int64_t server_now,
	    int64_t lease_ms);
/* The nodes whose heartbeat is live by the rule above, on the server's
 * clock (node_clock: which also proves tmp/ writable): fn(name, arg) for
 * each (fn may be NULL); their number, or -1 with errno when the clock
 * cannot be read or nodes/ listed.  For /healthz and /metrics. */
typedef void (*node_live_fn)(const char *name, void *arg);
int	 node_live(struct spool *, int64_t lease_ms, node_live_fn, void *arg);
int64_t	 node_mtime_ms(const struct stat *);
/* The mount that holds dir, from /proc/self/mountinfo, described in desc;
 * on NFS (1), a warning in warn when lease is shorter than twice the
 * mount's attribute cache time (acregmax, acdirmax) or the mount is
 * nocto; 0 elsewhere; -1 when it cannot tell. */
int	 node_mount_check(const char *dir, int64_t lease_ms, char *desc,
	    size_t desclen, char *warn, size_t warnlen);

/* ---------------------------------------------------------------- sqlq.c */
/*
 * sqlq_scan - calls fn(name, len, off, arg) for each ":name" placeholder
 * of query q (off: where its ':' is), skipping quoted strings and
 * identifiers, comments, "::" casts and, for PostgreSQL (pg = 1),
 * E'...' strings and $tag$...$tag$ bodies.  Returns 0, or the first
 * non-zero value fn returned.
 */
typedef int (*sqlq_fn)(const char *name, size_t len, size_t off, void *arg);
int	 sqlq_scan(const char *q, int pg, sqlq_fn fn, void *arg);

/* ---------------------------------------------------------------- submit.c */
/*
 * Checks a request before it is queued, for the CLI and the REST shim
 * alike: the type exists, the format (default JSON) is one it supports,
 * the e-mail address and callback URL are well-formed (and the callback
 * within callback_allow), parameter names and values are legal.  Fills in
 * j->format and j->request_hash.  Returns 0, or -1 with a reason in err
 * and *code set to an API code ("UNKNOWN_EXPORT_TYPE", "UNSUPPORTED_FORMAT",
 * "INVALID_PARAMETER").
 */
int	 job_validate(const struct config *, struct job *j, const char **code,
	    char *err, size_t errlen);
/* What a front end (the CLI, the REST shim) accepts: job_validate, then
 * notify_deliverable (a notification that can never be sent is refused,
 * *code "INVALID_PARAMETER").  Dropped files are judged by job_validate
 * only: their notifications fail at delivery, with the reason recorded. */
int	 job_accept(const struct config *, struct job *j, const char **code,
	    char *err, size_t errlen);
/* "unknown export type NAME (known: A, B, ...)" into err: the message of
 * UNKNOWN_EXPORT_TYPE (the name left out when it is not a legal one). */
void	 type_unknown(const struct config *, const char *name, char *err,
	    size_t errlen);
/* param_value_ok - 1 when value is well-formed for type t: int a
 * decimal int64, number a JSON number, bool true/false/1/0, date
 * YYYY-MM-DD (a real day), timestamp YYYY-MM-DD[T ]HH:MM[:SS[.f]] with an
 * optional Z or +HH:MM, string any clean text. */
int	 param_value_ok(enum ptype t, const char *value);
/* The submission rule for a callback: net_callback_url with the config's
 * callback_allow.  0 or -1 with a reason. */
int	 callback_valid(const struct config *, const char *url, char *err,
	    size_t errlen);

/* ---------------------------------------------------------------- keys.c */
/* The API keys file: only KeyIds and salted hashes of secrets. */
struct apikey {
	char		 keyid[33];
	char		*client;
	int		 admin;
	int		 disabled;
	char		*allow;		/* comma-separated IPs/CIDRs, or NULL */
	char		 salt[33];	/* hex */
	char		 hash[65];	/* hex SHA-256(salt || secret) */
};
struct keys {
	struct apikey	*k;
	size_t		 n;
};
/* A missing file is no keys (0); a malformed line is -1, "FILE:LINE: ..."
 * in err.  Line format: see xspool(7). */
int	 keys_load(struct keys *, const char *path, char *err, size_t);
/* Who owns the rewritten keys file, so that the service can still read it
 * whoever runs xspool key: an existing file's owner, group and mode (0640
 * if it was group-readable, else 0600); a new file's the spool
 * directory's, 0600; [spool] group (gid >= 0) forces that group, 0640. */
struct keys_perm {
	uid_t		 uid;	/* (uid_t)-1: leave; only root changes it */
	gid_t		 gid;	/* (gid_t)-1: leave */
	mode_t		 mode;
	int		 strict;	/* the group must hold ([spool] group) */
};
void	 keys_perm(const char *path, const char *spooldir, long gid,
	    struct keys_perm *);
/* Writes through a temporary file and rename, owned and moded as perm
 * says (a group that cannot be given, unless strict: 0600). */
int	 keys_save(const struct keys *, const char *path,
	    const struct keys_perm *, char *err, size_t);
void	 keys_free(struct keys *);
/* Adds a key; the whole "KeyId.Secret" token (shown once) into token,
 * which holds 128 bytes. */
int	 keys_add(struct keys *, const char *client, int admin,
	    const char *allow, char *token, size_t);
struct apikey *keys_find(const struct keys *, const char *keyid);
int	 keys_del(struct keys *, const char *keyid);	/* 0 or -1 */
int	 keys_secret_ok(const struct apikey *, const char *secret); /* const time */
/* 1 when the peer (AF_INET/AF_INET6, v4-mapped too) is on the key's
 * allow-list or it has none, else 0. */
int	 keys_addr_ok(const struct apikey *, const struct sockaddr *);

/* ---------------------------------------------------------------- net.c */
/*
 * The network rules: IP addresses (an IPv4 address is kept as its
 * v4-mapped IPv6 form, 16 bytes), ranges, host name patterns, what a
 * callback may reach, e-mail addresses and callback URLs.  Lists are
 * comma-separated, blanks around entries ignored.  Pure functions; URLs
 * are parsed by libcurl's URL API, the parser curl delivers with.
 */
enum net_class {
	NET_PUBLIC, NET_LOOPBACK, NET_PRIVATE, NET_LINKLOCAL,
	NET_UNSPECIFIED, NET_MULTICAST, NET_RESERVED
};
/* An IPv4 or IPv6 literal (n bytes of s) into a: 4, 6, or 0 when it is
 * not one. */
int	 net_addr_parse(const char *s, size_t n, unsigned char a[16]);
/* An AF_INET or AF_INET6 socket address into a: 0, or -1. */
int	 net_addr_sa(const struct sockaddr *, unsigned char a[16]);
/* a as text into out (INET6_ADDRSTRLEN bytes): IPv4 when v4-mapped. */
void	 net_addr_text(const unsigned char a[16], char *out, size_t len);
/* "ADDR" or "ADDR/BITS" (n bytes of s) into net and bits (of 128; 96 +
 * BITS for IPv4): 0, or -1 when malformed. */
int	 net_range_parse(const char *s, size_t n, unsigned char net[16],
	    int *bits);
int	 net_range_match(const unsigned char net[16], int bits,
	    const unsigned char a[16]);		/* 1 when a is in it */
/* Loopback (127/8, ::1), private (RFC 1918, 100.64/10, fc00::/7,
 * fec0::/10), link-local (169.254/16, fe80::/10), unspecified (0/8, ::),
 * multicast, reserved (240/4, 192.0.0/24, 198.18/15) or public; an IPv4
 * address inside IPv6 (v4-mapped, v4-compatible, 64:ff9b::/96) is judged
 * as that IPv4 address. */
enum net_class net_addr_class(const unsigned char a[16]);
const char *net_class_name(enum net_class);	/* "loopback", ... */
/* 1 when the host name matches pattern (n bytes): "*.example.com" (any
 * name below it, not itself) or "example.com"; any case, a trailing dot
 * ignored on either side. */
int	 net_name_match(const char *pattern, size_t n, const char *host);
/* 1 when the list is not empty and every entry is an address or range. */
int	 net_list_ranges_valid(const char *list);
/* 1 when an address or range entry of list covers a (names never do). */
int	 net_list_has_addr(const char *list, const unsigned char a[16]);
/* 1 when host is allowed by list: an IP literal by an address or range
 * entry, a name by a name pattern. */
int	 net_host_allowed(const char *list, const char *host);
/* 1 when a callback may connect to a: a public address, or one that an
 * address or range entry of allow (callback_allow, may be NULL) covers;
 * a host name pattern never opens a non-public address. */
int	 net_addr_reachable(const char *allow, const unsigned char a[16]);
/* 1 for one plain address local@domain (dot-atoms, a dotted domain or
 * localhost, at most 254 bytes): no CR/LF, blanks, quotes or brackets. */
int	 net_email_valid(const char *addr);
/* A callback URL as curl will use it. */
struct net_url {
	char	*scheme;	/* "http" or "https" */
	char	*host;		/* curl's host, IPv6 without brackets */
	char	*port;		/* decimal, the scheme's default if none */
};
/* Parses an http:// or https:// URL of at most 2048 printable ASCII bytes
 * (no backslash) with libcurl: no user name or password, no IPv6 zone, a
 * host that is an IP literal or a domain name, a port 1-65535.  0 (free
 * u with net_url_free), or -1 with a reason in err. */
int	 net_url_parse(const char *url, struct net_url *u, char *err,
	    size_t errlen);
void	 net_url_free(struct net_url *);
/* net_url_parse, then the host must be allowed by allow when that is set
 * and not empty (net_host_allowed): the callback rule of both submission
 * and delivery.  0, or -1 with a reason. */
int	 net_callback_url(const char *allow, const char *url,
	    struct net_url *u, char *err, size_t errlen);

/* ----------------------------- convert.c, convert_csv.c, convert_jsonl.c */
/* Records in (the exporter's CSV or JSON Lines) to JSON or CSV out,
 * streaming, in bounded memory. */
/*
 * Conventions (the golden files in tests/golden/ show each): "record N"
 * in errors counts data records from 1 (not the CSV header, not blank
 * lines), and "line L" says where it starts in the input (LFs counted,
 * those inside quoted CSV fields too).  A record or line
 * over CONV_REC_MAX is an error.  CSV in: strict RFC 4180, spaces kept, a
 * leading UTF-8 BOM dropped, blank lines skipped.  CSV out: CRLF, quoted
 * only when needed.  JSONL null becomes an empty CSV cell; the first
 * record's keys are the fields, in JSON out too (another key is an error).
 */
#define CONV_REC_MAX	(16 * 1024 * 1024)
struct conv;
struct conv *conv_new(enum emits, enum format, const struct column *,
	    size_t ncolumns);
/* Converts the next n input bytes, appending output to out; -1 with a
 * reason naming the record (and line) in err. */
int	 conv_feed(struct conv *, const char *in, size_t n, struct buf *out,
	    char *err, size_t errlen);
/* End of input: flushes a last record, closes the JSON array. */
int	 conv_finish(struct conv *, struct buf *out, char *err, size_t errlen);
int64_t	 conv_records(const struct conv *);
void	 conv_free(struct conv *);
/* s appended to b as the converter writes a CSV field: quoted only when
 * it holds ',', '"', CR or LF (the '"' doubled), or when it is empty and
 * alone (the only field of its row).  For writers of the same CSV. */
void	 conv_csv_field(struct buf *b, const char *s, size_t n, int alone);

/* ---------------------------------------------------------------- runner.c */
/* One exporter process: no shell, own process group, stdin /dev/null,
 * XSPOOL_* environment, timeout, max_bytes, stderr tail. */
struct runner {
	pid_t		 pid;		/* also its process group */
	int		 out;		/* its stdout */
	int		 err;		/* its stderr */
	int64_t		 deadline;	/* mono_ms() */
	int64_t		 kill_grace_ms;
	int64_t		 max_bytes;
	int64_t		 nbytes;	/* read from stdout so far */
	int64_t		 total;		/* a "XSPOOL_TOTAL=N" stderr line's N */
	char		 tail[4096];	/* last lines of stderr */
	size_t		 taillen;
	char		 reason[ERRLEN];	/* why runner_read failed */
	int64_t		 timeout_ms;
	int64_t		 checked;	/* mono_ms() of the last exit check */
	int		 exited;	/* the leader is a zombie (not reaped) */
	int		 reaped;
	int		 status;	/* wait status once reaped, -1: lost */
	pid_t		 keep[16];	/* our children before it started */
	int		 nkeep;		/* -1: too many to tell; no sweep */
};
/*
 * Every descendant ends with its exporter, even one that left the process
 * group (setsid): runner_start makes the calling process a child
 * subreaper (PR_SET_CHILD_SUBREAPER), so that orphaned descendants become
 * its children; once the exporter has exited, every child of the caller
 * that was not there before runner_start is killed with its process group
 * (runner_read), and reaped with its own orphans (runner_finish,
 * runner_kill).  The caller should have no child of its own started
 * meanwhile: it would be taken for the exporter's.
 *
 * runner_start - fork and execve xtype->argv.  Environment: PATH, HOME and
 * LANG from ours, XSPOOL_ID, XSPOOL_TYPE, XSPOOL_FORMAT ("JSON"/"CSV"),
 * XSPOOL_ATTEMPT = j->attempts + 1 (j->attempts counts the attempts that
 * ended before this one: 1 on the first), XSPOOL_PARAM_<name> per param.
 * A command that cannot be executed fails here ("cannot run PATH: why").
 * The caller must not reap the exporter itself (SIGCHLD not SIG_IGN, no
 * waitpid(-1) in a handler while it runs).
 */
int	 runner_start(struct runner *, const struct config *,
	    const struct xtype *, const struct job *, char *err, size_t);
/* Next stdout bytes (draining stderr meanwhile): >0, 0 at EOF, -1 when
 * the attempt fails (timeout, max_bytes, read error: reason set, the group
 * is killed). */
ssize_t	 runner_read(struct runner *, char *buf, size_t len);
/* Reaps the exporter, kills what is left of its group and its other
 * descendants, and adds to j's errors the reason, exit status or signal,
 * and stderr's last lines.
 * Returns 0 when the exporter succeeded. */
int	 runner_finish(struct runner *, struct job *j);
/* SIGKILL the group, reap; the other descendants as runner_finish. */
void	 runner_kill(struct runner *);

/* ---------------------------------------------------------------- pack.c */
typedef ssize_t (*pack_read_fn)(void *arg, char *buf, size_t len);
/* Writes a zip at path with one deflated entry (AES-256 with a password),
 * pulling its data from read until it returns 0 (-1 aborts: no file is
 * left).  Returns 0, or -1 with err. */
int	 pack_zip(const char *path, const char *entry, const char *password,
	    int level, pack_read_fn read, void *arg, char *err, size_t);
/* Initialises the crypto libzip uses (it draws random bytes from OpenSSL
 * for every archive) once, in a parent, so that forked workers inherit it
 * instead of each paying for OpenSSL's start-up. */
void	 pack_init(void);

/* ---------------------------------------------------------------- export.c */
/* Progress callback: records and input bytes so far, and the records the
 * exporter announced (XSPOOL_TOTAL=N on stderr; 0: unknown). */
typedef void (*export_progress_fn)(void *arg, int64_t records, int64_t bytes,
	    int64_t total);
/*
 * export_run - one attempt of job j: run the exporter, convert, zip into
 * zip_path.  Fills j->result (success, errors, durationMs, fileName,
 * fileSizeBytes, records).  Returns 0 on success; on failure no file is
 * left at zip_path.  Blocking: the daemon runs it in a child process.
 * Errors are appended to j->result.errors (the caller clears them first
 * if it keeps only the last attempt's); a file already at zip_path is
 * replaced.  Entry "TYPE.json"/"TYPE.csv"; level: xtype's, else [spool]
 * zip_level; j->format FMT_NONE becomes JSON (CSV if JSON is not allowed).
 */
int	 export_run(const struct config *, const struct xtype *, struct job *j,
	    const char *zip_path, export_progress_fn, void *arg);

/* ---------------------------------------------------------------- notify.c */
/* Blocking delivery tries; the daemon runs them in child processes. */
/* The webhook's JSON body for j having reached st. */
void	 notify_webhook_body(const struct job *, enum state, struct buf *);
/* One try.  0: delivered (2xx); 1: try again later (*retry_after_ms > 0
 * when the receiver asked); -1: give up (410, refused address, bad URL).
 * A reason in err when not 0. */
int	 notify_webhook_try(const struct config *, const struct job *,
	    enum state, int64_t *retry_after_ms, char *err, size_t);
int	 notify_email_try(const struct config *, const struct job *,
	    enum state, char *err, size_t);
/* Whether j's notifications can ever be sent, as far as is known at
 * submission: an e-mail needs [notify] smtp; a callback whose host is an
 * address literal must pass the delivery rule (net_addr_reachable with
 * callback_allow; names are judged when resolved, at delivery).  0, or
 * -1 with a reason in err. */
int	 notify_deliverable(const struct config *, const struct job *,
	    char *err, size_t errlen);
/* "v1,BASE64(HMAC-SHA256(key, id.ts.body))" into out (at least 64 bytes),
 * key being the base64 after an optional "whsec_" in secret.  0, or -1
 * with a reason in err when the secret is not base64. */
int	 notify_sign(const char *secret, const char *msg_id, int64_t ts,
	    const char *body, size_t len, char *out, size_t outlen,
	    char *err, size_t errlen);
/* The whole RFC 5322 mail (CRLF lines) about j having reached st, dated
 * when (ms since the epoch); what notify_email_try sends. */
void	 notify_email_message(const struct config *, const struct job *,
	    enum state, int64_t when, struct buf *);
/* The event a pending notification is about, from the state its job file
 * is in now: COMPLETED and CANCELLED as they are, anything else FAILED
 * (a failed attempt's job may have moved on to its next attempt). */
enum state notify_event_state(enum state now);

/* ---------------------------------------------------------------- notifyq.c */
/* The daemon's queue of pending notifications, kept on disk in the job
 * file's "notify" object and a hint file notify/ID. */
struct notifyq;
struct notifyq *notifyq_new(struct spool *, const struct config *);
void	 notifyq_free(struct notifyq *);
/* The daemon's node, whose lease rule says when another node's hints
 * are ours to send (without one, a missing heartbeat is a lost node). */
void	 notifyq_node(struct notifyq *, struct node *);
void	 notifyq_config(struct notifyq *, const struct config *); /* SIGHUP */
/* Before the rewrite that puts j in its final state st: marks what is
 * to be sent as pending in j (a new webhook-id per event) and, with a
 * queue, writes the hint file already.  Returns 1 when something is.
 * With a NULL queue, FAILED is never notified. */
int	 notifyq_prepare(struct notifyq *, struct job *j, enum state st);
/* After that move: queue it (and write the hint file). */
void	 notifyq_add(struct notifyq *, const char *id);
/*
 * For programs without a queue (the CLI and the REST shim cancelling a
 * QUEUED job): notifyq_prepare(NULL, j, ST_CANCELLED) before the move
 * that rewrites j, then notifyq_hint(spool, id) after it.  The daemon's
 * notifyq_run looks at notify/ every few seconds and sends.  0 or -1.
 */
int	 notifyq_hint(struct spool *, const char *id);
/* Start tries that are due (in child processes; never blocks). */
void	 notifyq_run(struct notifyq *);
/* Milliseconds until the next try is due, -1 when nothing is queued. */
int64_t	 notifyq_next(struct notifyq *);
/* A child exited: 1 when it was one of ours (handled), else 0. */
int	 notifyq_reap(struct notifyq *, pid_t, int status);
/* The wait after failed try number tries (1...): Retry-After (ms) when
 * the receiver sent one, else webhook_retry_base doubled per try, at most
 * a day, times a uniform 0.80 ... 1.20 so that receivers are not hit in
 * step. */
int64_t	 notifyq_delay(const struct config *, int tries, int64_t ra_ms);
/* At start: picks up every hint in notify/. */
void	 notifyq_scan(struct notifyq *);
/* Children still running (for shutdown). */
int	 notifyq_busy(struct notifyq *);

/* ---------------------------------------------------------------- ops.c */
/* What a user does to a job, one call for every front end. */
/* j, read from queued/, cancelled: job_cancel_user, notifyq_prepare, the
 * move to cancelled/, then the hint file the daemon's notifier reads.
 * 0; 1 when cancelled but the hint could not be written (errno); -1 when
 * not moved (errno; ENOENT: no longer queued). */
int	 ops_cancel(struct spool *, struct job *j);
/* The same, recording by as "cancelledBy" ("client": the REST API; NULL:
 * job_cancel_user's "user", the CLI). */
int	 ops_cancel_by(struct spool *, struct job *j, const char *by);
/* j, read from st (CANCELLED or FAILED), back to queued/: a cancelled job
 * forgets its earlier run and attempts, a failed one runs now (also 0
 * when a node claimed it meanwhile, made due by this call).  0, or -1
 * (errno; ENOENT: moved meanwhile; EINVAL: st is neither). */
int	 ops_retry(struct spool *, struct job *j, enum state st);
/*
 * Stopping a running job, on any node: processing/NODE/ID.cancel, written
 * beside the job by ops_cancel_request, holds the "started" time of the
 * attempt it is for.  The daemon of NODE looks for it about every second
 * (ops_cancel_requested: 1 when there and for j's attempt; one for
 * another attempt is stale and removed), kills the attempt, moves the job
 * to cancelled/ and removes the request (ops_cancel_clear, node NULL: our
 * own).  Request: 0 or -1 with errno.
 */
int	 ops_cancel_request(struct spool *, const struct job *j,
	    const char *node);
int	 ops_cancel_requested(struct spool *, const struct job *j);
void	 ops_cancel_clear(struct spool *, const char *node, const char *id);

/* ---------------------------------------------------------------- ratelimit.c */
/* Per-key token buckets (the REST shim), thread-safe. */
struct ratelimit;
struct ratelimit *rl_new(void);
void	 rl_free(struct ratelimit *);
/* Takes one token from keyid's bucket (rate per minute, bursts of rate;
 * rate <= 0: no limit).  1 when allowed; 0 when not, with the whole
 * seconds until the next token in *retry_after.  now is mono_ms(). */
int	 rl_take(struct ratelimit *, const char *keyid, int rate, int64_t now,
	    int *retry_after);

/* ---------------------------------------------------------------- qcache.c */
/*
 * The REST shim's index of queued/ (thread-safe).  inotify events are
 * applied before each use (a parse, O(log n) and a memmove per changed
 * file); a full readdir, parsing only files not seen before, at the
 * start, on event overflow, and every 10 s while queued/'s mtime changes
 * (NFS); without inotify, whenever the mtime changed.
 */
struct qitem {
	char	 id[ID_MAX + 1];
	char	*client;		/* NULL for a dropped file without one */
	char	*type;
	enum format format;
	int64_t	 created;		/* the file's mtime when unset */
	char	*request_hash;
	char	*idempotency_key;
	int	 mark;			/* private to qcache.c */
};
struct qcache;
typedef void (*qcache_fn)(const struct qitem *, void *arg);
struct qcache *qcache_new(struct spool *);
void	 qcache_free(struct qcache *);
/* Calls fn for up to limit queued jobs of client (NULL: all), oldest
 * first, after (after_created, after_id) when after_id is not NULL.
 * Returns how many, *more = 1 when there are others; -1 with errno. */
int	 qcache_page(struct qcache *, const char *client, int64_t after_created,
	    const char *after_id, size_t limit, qcache_fn, void *arg, int *more);
/* A queued job of client with request hash hash or idempotency key idem
 * (either may be NULL): 1 with its id copied to id (ID_MAX+1), 0 when
 * none, -1 with errno. */
/* Every client's queued jobs in the order a node takes them (sched.c's,
 * under cfg's schedule and weights), after the job after_id; when that
 * job has left the queue since (one of the last 1,024 to leave), where it
 * would stand now, so that a page does not start over; else from the
 * head.  As qcache_page. */
int	 qcache_page_all(struct qcache *, const struct config *cfg,
	    const char *after_id, size_t limit, qcache_fn, void *arg,
	    int *more);
/* How many queued jobs client (NULL: those without one) has, from counts
 * kept as the index changes (O(1) after the refresh every use makes);
 * -1 when queued/ cannot be read. */
int64_t	 qcache_count(struct qcache *, const char *client);
int	 qcache_find(struct qcache *, const char *client, const char *hash,
	    const char *idem, char *id);
void	 qcache_stats(struct qcache *, size_t *n, uint64_t *scans,
	    uint64_t *parsed);

/* ---------------------------------------------------------------- api.c */
/* The REST shim: libmicrohttpd daemons, routes, keys, metrics, access log
 * (api*.c; what those files share is in their private header api.h). */
struct api;
/* Takes c and k (freed by api_free; still the caller's on failure); opens
 * the spool (which must exist).  NULL with err. */
struct api *api_new(struct config *c, struct keys *k, char *err, size_t);
/* Listens on every address of c->listen ("host:port,[v6]:port", port 0:
 * any); prints "listening on http://ADDR:PORT" on stderr for each and puts
 * the first one's port in *port.  0 or -1 with err. */
int	 api_start(struct api *, int *port, char *err, size_t);
/* SIGHUP: swaps in a new config and keys (takes them; listen, dir,
 * threads and TLS keep their old values) and reopens the access log. */
void	 api_reload(struct api *, struct config *c, struct keys *k);
/* SIGTERM: stop accepting, wait up to grace_ms for open requests, stop. */
void	 api_stop(struct api *, int64_t grace_ms);
void	 api_free(struct api *);

/* ---------------------------------------------------------------- sched.c */
/*
 * The order in which a node takes ready jobs (schedule = fair): in turn by
 * client, weight claims per round each (stride scheduling), oldest first
 * (created, then id) within a client; the jobs without a client are one
 * more client ("-"); a type at its max_running on this node is skipped
 * and its jobs wait.  schedule = fifo: oldest first across everyone (the
 * type limits still hold).  O(log clients + types) per claim.
 */
struct sched;
struct sent;
struct sched *sched_new(void);
void	 sched_free(struct sched *);
/* Takes cfg's schedule, weights and max_running (again at a reload: the
 * queued entries are sorted again under the new rules). */
void	 sched_config(struct sched *, const struct config *cfg);
/* A ready job: name must stay valid until the entry leaves; data is the
 * caller's, handed back by sched_next. */
struct sent *sched_add(struct sched *, const char *client, const char *type,
	    int64_t created, const char *name, void *data);
void	 sched_remove(struct sched *, struct sent *);
/* Takes the next job to run (its entry is freed): its data, or NULL when
 * none is ready or every ready one's type is at its limit. */
void	*sched_next(struct sched *);
/* 1 when sched_next would hand out a job (O(clients) at worst, when every
 * client's ready types are at their limits). */
int	 sched_ready(const struct sched *);
/* The jobs of a type running on this node: the daemon clears the counts
 * and adds one per busy worker before it claims. */
void	 sched_clear_running(struct sched *);
void	 sched_running(struct sched *, const char *type, int delta);
size_t	 sched_count(const struct sched *);
/* Pass added per claim for a weight. */
uint64_t sched_stride(int weight);
/* The order within a client (and between equal passes): 1 when job a
 * (created ms, id) goes before b. */
int	 sched_before(int64_t ca, const char *ia, int64_t cb, const char *ib);
/* The listings' order: v sorted as a node that starts now takes the jobs
 * (the k-th job of a client, oldest first, at pass k * stride; equal
 * passes oldest first).  A node already running may differ within one
 * round (each client's weight in jobs); type limits are not shown. */
struct sorder {
	const char	*client;	/* NULL: none */
	int64_t		 created;
	const char	*id;
	uint64_t	 tag;		/* set by sched_order */
	const void	*data;		/* the caller's */
};
void	 sched_order(const struct config *, struct sorder *v, size_t n);

/* ---------------------------------------------------------------- watch.c */
/* The daemon's candidates: inotify on queued/ and failed/ (a hint) and
 * rescans (the truth), handed out in the schedule's order (sched.c: by
 * client, then oldest first by the file's created, else its mtime, then
 * name).  A name is a file name less ".job" (it may not be a valid id:
 * the caller checks).  Adding a candidate reads its file (client, type,
 * created). */
struct watch;
/* Watches DIR/queued and DIR/failed; the ready candidates go into sched
 * (the caller's, freed after the watch).  NULL with err. */
struct watch *watch_new(const char *spooldir, struct sched *sched,
	    char *err, size_t errlen);
void	 watch_free(struct watch *);
int	 watch_fd(const struct watch *);
/* Reads pending events into the candidates; 1 when a rescan is needed
 * (IN_Q_OVERFLOW). */
int	 watch_drain(struct watch *);
/* Reads both directories: new names and failed/ files that changed become
 * candidates due now.  0, or -1 when a directory could not be read. */
int	 watch_rescan(struct watch *);
/* Adds or updates a candidate: mtime in ns orders it; due_ms (real time,
 * 0: now, INT64_MAX: never, until its file changes) says when. */
void	 watch_add(struct watch *, const char *name, enum state,
	    int64_t mtime_ns, int64_t due_ms);
void	 watch_forget(struct watch *, const char *name, enum state);
/* Takes the oldest candidate due at now: its name into name, returns its
 * state (ST_QUEUED or ST_FAILED), or -1 when none is due. */
int	 watch_next(struct watch *, int64_t now, char *name, size_t size);
/* When the next candidate is due (now if one is), -1 when none. */
int64_t	 watch_due(struct watch *, int64_t now);
size_t	 watch_count(const struct watch *);

/* ---------------------------------------------------------------- worker.c */
/*
 * xspoold's long-lived worker processes, forked at start (and again after
 * one dies or a reload), each running one job at a time.  The daemon sends
 * a claimed job down a socket ("J"); the worker runs export_run() into a
 * tmp/ zip, fsyncs it, renames it to out/ID.zip and sends progress ("P
 * records bytes") and the result (the job as JSON after "R len") back.  The
 * daemon decides the job's next state and hands the final spool_move back
 * ("S to", the job's whole new text); the worker does it with its fsyncs
 * and answers "D errno", so two jobs' ends are synced in parallel, outside
 * the event loop.  A worker is in its own process group, dies with the
 * daemon (PDEATHSIG), exits when its socket closes, and on SIGTERM kills
 * its exporter's group.
 */
/* the parent's deadline: timeout + kill_grace + max(5 s, timeout / 10);
 * a settle gets max(5 s, the limit its daemon gives: the time its lease
 * stays current) of time its daemon was not stalled itself
 * (DAEMON_STALL_MS); SIGKILL follows an unanswered SIGTERM after 2 s */
#define WORKER_SLACK_MS	5000
#define WORKER_KILL_WAIT_MS	2000
/* a worker's answer when it will not put a result in place or move a job
 * because its node's lease lapsed (fencing) */
#define LEASE_ERRNO	ENOLCK
enum wphase { W_IDLE = 0, W_RUN, W_SETTLE };
enum wevent { W_EV_NONE = 0, W_EV_PROGRESS, W_EV_RESULT, W_EV_SETTLED,
	W_EV_EOF, W_EV_BAD };
/* One worker process and the job it has; the daemon's own bookkeeping
 * about a slot (how the attempt ends, respawn times) is daemon.c's. */
struct worker {
	pid_t		 pid;		/* 0: no process in the slot */
	int		 fd;		/* the socket to it, -1: none */
	struct buf	 in;		/* what it sent, not yet taken */
	struct buf	 res;		/* the result's job text */
	int		 has_result;
	int		 reaped, status;	/* wait status once reaped */
	enum wphase	 phase;
	int64_t		 born;		/* mono_ms() of its fork */
	/* the job, from worker_run until its settle is done */
	struct job	 job;		/* the parent's copy, with password */
	enum state	 to;		/* where the settle moves it */
	char		 zip[4096];	/* the tmp/ file the worker writes */
	int64_t		 t0, deadline, killed;	/* mono_ms(); killed 0: not */
	int		 dirty;		/* progress not yet taken */
};
/* Forks a worker process into the empty slot w, with c and s as they
 * are now (a reload respawns it) and the node's lease to check before it
 * puts a result in place or moves a job (NULL: no check).  -1 with err. */
int	 worker_spawn(struct worker *, const struct config *,
	    const struct spool *, const struct nodeshare *, char *err,
	    size_t);
/* Hands w->job (set by the caller) to the idle worker: a tmp/ zip name,
 * the deadline, phase W_RUN.  -1 with err (nothing was started; a worker
 * that could not be sent the job is killed, and its reap replaces it). */
int	 worker_run(struct worker *, const struct config *,
	    const struct xtype *, const struct spool *, char *err, size_t);
/* Reads what the socket has; progress goes into w->job (dirty).  Returns
 * the first event: W_EV_RESULT (worker_result has it), W_EV_SETTLED (*rc:
 * 0, or the errno of the move), W_EV_EOF, or W_EV_NONE.  A worker that
 * breaks the protocol is killed. */
int	 worker_input(struct worker *, int *rc);
/* The attempt's result into res (errors are this attempt's only; a worker
 * that died or was killed says so).  0 when it succeeded. */
int	 worker_result(struct worker *, struct result *res);
/* Sends w->job's new text for the move to state to: phase W_SETTLE, with
 * a deadline limit_ms (at least WORKER_SLACK_MS) away.  -1 with errno when
 * it cannot be sent (nothing was moved). */
int	 worker_settle(struct worker *, enum state to, int64_t limit_ms);
/* SIGTERM: it kills its exporter and exits; SIGKILL: its group too. */
void	 worker_kill(struct worker *, int sig);
/* A process runs in the slot (forked, not yet reaped). */
int	 worker_alive(const struct worker *);
/* Closes its socket and sends SIGTERM: it exits; the reap follows. */
void	 worker_retire(struct worker *);
/* pid's wait status, when pid is w's process: 1, else 0. */
int	 worker_reaped(struct worker *, pid_t pid, int status);
/* A non-blocking wait for w's own process: 1 once it is reaped. */
int	 worker_wait(struct worker *);
/* Cut the attempt short now (a stop): its deadline is now. */
void	 worker_hurry(struct worker *);
/* A settling worker's deadline moves ms later: time its daemon spent
 * stalled (a file server that stopped answering) is not held against it,
 * as the same stall held it up.  A run's deadline stays. */
void	 worker_stalled(struct worker *, int64_t ms);
/* The deadline's kills at mono: SIGTERM at the deadline, SIGKILL
 * WORKER_KILL_WAIT_MS later.  1 when SIGTERM was sent just now. */
int	 worker_overdue(struct worker *, int64_t mono);
/* mono_ms() of the next worker_overdue step. */
int64_t	 worker_due(const struct worker *);
/* The job is settled: frees it, phase W_IDLE (the process stays). */
void	 worker_end(struct worker *);
/* Frees the slot's memory, closes the socket (not the process). */
void	 worker_clear(struct worker *);

/* ---------------------------------------------------------------- proc.c */
/* What the daemons' mains (xspoold, xspool-httpd) share. */
#include <signal.h>
struct proc {
	const char	*name;		/* for the version line and the log */
	char		 version;	/* the option letter that prints it */
	const char	*conf;		/* -c FILE */
	int		 fg, debug;	/* -f, -d */
	int		 test;		/* -t */
};
/* A program's own option ch (from more, getopt syntax) with its optarg;
 * 0, or -1 for a usage error. */
typedef int (*proc_optfn)(int ch, const char *optarg, void *arg);
/* getopt over -c FILE, -d, -f, -t, the version letter (or --version) and the
 * letters in more (handed to fn); no operands.  Then the log goes to stderr, with debug
 * lines as -d says (log_init again to detach).  0: go on; 1: the version
 * was printed (exit 0); -1: a usage error. */
int	 proc_options(struct proc *, int argc, char *argv[], const char *more,
	    proc_optfn fn, void *arg);
/* systemd's notify protocol (no libsystemd): state ("READY=1",
 * "STOPPING=1", ...) as one datagram to the $NOTIFY_SOCKET proc_options
 * found (then removed from the environment; '@': abstract).  1 sent, 0
 * no socket, -1 with errno. */
int	 proc_notify(const char *state);
/* -t: loads the config and runs conftest.c's checks for the program
 * (httpd: the spool must exist, keys and TLS files; else exporters, and
 * a spool it may make), one line per problem and a last "ok" line on
 * stderr.  The exit status: 0, or 1 on any problem. */
int	 proc_test(const struct proc *, int httpd);
/* Ignores SIGPIPE; blocks SIGTERM, SIGINT, SIGHUP (and SIGCHLD when chld)
 * in the calling thread, for sigwait or signalfd on set.  0 or -1. */
int	 proc_signals(sigset_t *set, int chld);

/* ------------------------------------------------------------ conftest.c */
/* The -t checks of xspoold and xspool-httpd, as the user the process runs
 * as; each appends one line per problem to out and returns how many. */
/* Every type's exporter (xspool-sql for SQL types) is an executable file,
 * a sqlite database readable. */
int	 conftest_exporters(const struct config *, struct buf *out);
/* The spool and its directories exist and are writable (the shim's: tmp,
 * queued, cancelled, notify; the others readable); with create (the
 * daemon, which makes what is missing) a missing one only needs a
 * writable parent. */
int	 conftest_spool(const struct config *, int create, struct buf *out);
/* The keys file exists, is readable and parses; TLS files are readable. */
int	 conftest_http(const struct config *, struct buf *out);

/* -------------------------------------- daemon.c (daemon_*.c, daemon.h) */
/* xspoold's engine; xspoold.c runs the event loop around it. */
struct pollfd;
struct daemon;
/* Takes c (freed by daemon_free); node overrides c->node when not NULL.
 * Opens the spool, locks nodes/NODE, recovers, scans.  NULL with err. */
struct daemon *daemon_new(struct config *c, const char *node,
	    int64_t grace_ms, char *err, size_t errlen);
/* Removes the heartbeat (a clean stop) and frees everything. */
void	 daemon_free(struct daemon *);
/* The fds to poll for input (inotify, worker pipes); how many. */
int	 daemon_pollfds(struct daemon *, struct pollfd *, int max);
void	 daemon_input(struct daemon *, const struct pollfd *, int n);
/* SIGCHLD: reap workers (settling their jobs) and notifyq's children. */
void	 daemon_reap(struct daemon *);
/* Timers, claims and notifications that are due. */
void	 daemon_tick(struct daemon *);
/* Milliseconds until daemon_tick has something to do. */
int64_t	 daemon_timeout(struct daemon *);
/* SIGHUP with a config that loaded (taken; dir and node stay). */
void	 daemon_reload(struct daemon *, struct config *c);
/* SIGTERM: claim no more; workers get grace_ms, then are stopped and
 * their jobs handed back to failed/ (not counted as attempts). */
void	 daemon_stop(struct daemon *);
int	 daemon_done(struct daemon *);	/* 1: stopped, exit now */

#endif /* XSPOOL_H */
