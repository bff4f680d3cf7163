/* xspool-sql.c - the SQL exporter: runs a [type]'s query on PostgreSQL
 * (libpq) or SQLite, read-only, the request's parameters bound by the
 * database itself, and writes its rows on stdout as JSON Lines typed from
 * the columns' own types; with XSPOOL_FORMAT=CSV as CSV instead, a
 * header row first (even with no row), each cell the text the daemon's
 * JSON Lines to CSV conversion would give (export.c reads such a type's
 * CSV jobs as CSV).  xspoold runs it as "xspool-sql -c CONFIG -t TYPE"
 * (the exporter protocol, XSPOOL_PARAM_* in the environment), so no
 * credential is ever on a command line. */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "xspool.h"

#define OUT_SIZE	(1 << 16)	/* stdout buffer */
#define EXIT_FAIL	1		/* the query failed */
#define EXIT_TEMP	75		/* the database is unreachable: retry */

/* PostgreSQL type OIDs (catalog/pg_type.dat), fixed since 7.x */
#define OID_BOOL	16
#define OID_BYTEA	17
#define OID_INT8	20
#define OID_INT2	21
#define OID_INT4	23
#define OID_OID		26
#define OID_JSON	114
#define OID_FLOAT4	700
#define OID_FLOAT8	701
#define OID_DATE	1082
#define OID_TIME	1083
#define OID_TIMESTAMP	1114
#define OID_TIMESTAMPTZ	1184
#define OID_TIMETZ	1266
#define OID_NUMERIC	1700
#define OID_JSONB	3802

/* how a column's values are written */
enum kind { KD_STRING, KD_NUMBER, KD_BOOL, KD_TIMESTAMP, KD_TIMEZONED,
	KD_BYTES, KD_JSON };

struct col {
	char		*key;		/* "\"name\":" quoted, with the comma */
	size_t		 keylen;
	enum kind	 kind;
};

static const char *prog = SQL_EXPORTER;
static const char *tname = "?";
static const char *secret;		/* a password in the database string */
static volatile sig_atomic_t stopping;
static PGcancel *volatile pg_cancel;
static char obuf[OUT_SIZE];
static size_t olen;
static uint64_t out_total;		/* bytes written, for FETCH sizes */
static struct buf tmp, tmp2;		/* one value that needs work */
static struct buf cellb;		/* one CSV cell */
static int csv;				/* XSPOOL_FORMAT=CSV: CSV rows */
static int alone;			/* CSV: one column only */

/* say - one line on stderr (it becomes the job's error), a password in
 * it masked; newlines from the database's messages folded */
static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	char msg[2048], *p;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (secret != NULL && *secret != '\0')
		for (n = strlen(secret); (p = strstr(msg, secret)) != NULL; )
			memset(p, '*', n);
	for (p = msg; *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	for (n = strlen(msg); n > 0 && msg[n - 1] == ' '; )
		msg[--n] = '\0';
	fprintf(stderr, "%s: type %s: %s\n", prog, tname, msg);
}

/* on_term - SIGTERM (the daemon's timeout or shutdown): the query is
 * cancelled on the server; PQcancel is safe in a signal handler */
static void
on_term(int sig)
{
	char e[256];
	int saved = errno;

	stopping = 1;
	if (pg_cancel != NULL)
		(void)PQcancel(pg_cancel, e, sizeof(e));
	errno = saved;
}

static void
cancel_now(void)
{
	char e[256];

	if (pg_cancel != NULL)
		(void)PQcancel(pg_cancel, e, sizeof(e));
}

/* ---------------------------------------------------------------- output */

static void
out_flush(void)
{
	if (olen > 0 && write_all(1, obuf, olen) == -1) {
		int e = errno;

		cancel_now();
		if (e == EINTR && stopping)
			say("cancelled: the query was stopped on the server");
		else
			say("writing records: %s", strerror(e));
		exit(EXIT_FAIL);
	}
	olen = 0;
}

static void
out(const void *p, size_t n)
{
	out_total += n;
	if (n > sizeof(obuf) - olen) {
		out_flush();
		if (n > sizeof(obuf)) {
			olen = 0;
			if (write_all(1, p, n) == -1) {
				cancel_now();
				say("writing records: %s", strerror(errno));
				exit(EXIT_FAIL);
			}
			return;
		}
	}
	memcpy(obuf + olen, p, n);
	olen += n;
}

static void val_text(const char *, size_t);
static void val_plain(const char *, size_t);
static void cell(const char *, size_t);

/* out_jstr - s as a JSON string; text that is not UTF-8 (SQLite does not
 * check) has its bad bytes replaced, as the daemon's own messages do */
static void
out_jstr(const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, from = 0;
	int high = 0;
	char e[6];

	/* the common case: nothing to escape, ASCII, room in the buffer */
	for (i = 0; i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' &&
	    p[i] != '\\'; i++)
		;
	if (i == n && n + 2 <= sizeof(obuf) - olen) {
		obuf[olen] = '"';
		memcpy(obuf + olen + 1, s, n);
		obuf[olen + n + 1] = '"';
		olen += n + 2;
		out_total += n + 2;
		return;
	}
	for (; i < n && !high; i++)
		high = p[i] >= 0x80;
	if (high && !utf8_valid(s, n)) {
		buf_reset(&tmp);
		json_quote_lossy(&tmp, s, n);
		out(tmp.p, tmp.len);
		return;
	}
	out("\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		out(s + from, i - from);
		from = i + 1;
		switch (c) {
		case '"': out("\\\"", 2); break;
		case '\\': out("\\\\", 2); break;
		case '\n': out("\\n", 2); break;
		case '\r': out("\\r", 2); break;
		case '\t': out("\\t", 2); break;
		default:
			memcpy(e, "\\u00", 4);
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			out(e, 6);
		}
	}
	out(s + from, n - from);
	out("\"", 1);
}

/* out_base64 - bytes as a base64 JSON string (RFC 4648, padded), or
 * its CSV cell; p may be in tmp, not in tmp2 */
static void
out_base64(const unsigned char *p, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	size_t i;

	buf_reset(&tmp2);
	buf_addc(&tmp2, '"');
	for (i = 0; i + 3 <= n; i += 3) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		q[3] = b64[p[i + 2] & 63];
		buf_add(&tmp2, q, 4);
	}
	if (n - i == 1) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[(p[i] & 3) << 4];
		q[2] = q[3] = '=';
		buf_add(&tmp2, q, 4);
	} else if (n - i == 2) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = b64[(p[i + 1] & 15) << 2];
		q[3] = '=';
		buf_add(&tmp2, q, 4);
	}
	buf_addc(&tmp2, '"');
	if (csv)
		cell(tmp2.p + 1, tmp2.len - 2);
	else
		out(tmp2.p, tmp2.len);
}

/* out_json - a JSON value as it is, on one line: a line break can only
 * be blank space between its tokens (JSON Lines has one record a line) */
static void
out_json(const char *s, size_t n)
{
	const char *nl;

	while ((nl = memchr(s, '\n', n)) != NULL ||
	    (nl = memchr(s, '\r', n)) != NULL) {
		out(s, (size_t)(nl - s));
		out(" ", 1);
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	out(s, n);
}

/* json_ok - SQLite text that is a JSON value (json.c's checks) */
static int
json_ok(const char *s, size_t n)
{
	struct jdoc d;
	char e[ERRLEN];
	int r;

	memset(&d, 0, sizeof(d));
	r = json_parse(&d, s, n, e, sizeof(e));
	json_free(&d);
	return r == 0;
}

/* json_number - s is a JSON number as it is (PostgreSQL's text of an
 * integer, numeric or float; "NaN" and "Infinity" are not) */
static int
json_number(const char *s, size_t n)
{
	return n > 0 && n < 512 && json_primitive_valid(s, n) &&
	    (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
}

/* out_time - "2026-01-02 10:00:00[.5][+00]" as ISO 8601:
 * "2026-01-02T10:00:00[.5][Z]"; "+05:30" stays, "+05" gets ":00";
 * anything else (infinity, BC) as it is */
static void
out_time(const char *s, size_t n, int zoned)
{
	char b[80];

	if (n < 19 || n >= sizeof(b) - 4 || s[10] != ' ' || s[4] != '-') {
		val_text(s, n);
		return;
	}
	memcpy(b, s, n);
	b[10] = 'T';
	if (zoned && n >= 22 && (b[n - 3] == '+' || b[n - 3] == '-')) {
		if (memcmp(b + n - 3, "+00", 3) == 0) {
			b[n - 3] = 'Z';
			n -= 2;
		} else {
			memcpy(b + n, ":00", 3);
			n += 3;
		}
	}
	val_text(b, n);
}

/*
 * CSV (XSPOOL_FORMAT=CSV): the bytes convert.c would make of the JSON
 * Lines above, so that CSV exports are the same either way: a string's
 * text unescaped (bad UTF-8 as U+FFFD), a number or boolean as its JSON
 * text, NULL an empty cell; a cell quoted only when it holds ',', '"',
 * CR or LF (the '"' doubled), or when it is the only, empty, cell of
 * its row; CRLF line ends.
 */

/* cell - s as a CSV field, quoted as the converter quotes */
static void
cell(const char *s, size_t n)
{
	buf_reset(&cellb);
	conv_csv_field(&cellb, s, n, alone);
	if (cellb.len > 0)
		out(cellb.p, cellb.len);
}

/* cell_text - text as a CSV field, bad UTF-8 replaced as out_jstr does */
static void
cell_text(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n && p[i] < 0x80; i++)
		;
	if (i < n && !utf8_valid(s, n)) {
		buf_reset(&tmp2);
		json_quote_lossy(&tmp2, s, n);
		buf_reset(&tmp);
		(void)json_unescape(&tmp, tmp2.p + 1, tmp2.len - 2);
		cell(tmp.p, tmp.len);
		return;
	}
	cell(s, n);
}

/* cell_json - a JSON value's cell: a string unescaped, null empty,
 * anything else its text (line breaks as out_json makes them) */
static void
cell_json(const char *s, size_t n)
{
	const char *nl;

	while (n > 0 && strchr(" \t\r\n", s[0]) != NULL)
		s++, n--;
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	if (n == 4 && memcmp(s, "null", 4) == 0) {
		cell("", 0);
		return;
	}
	buf_reset(&tmp);
	if (n >= 2 && s[0] == '"') {
		if (json_unescape(&tmp, s + 1, n - 2) == -1) {
			buf_reset(&tmp);
			buf_add(&tmp, s, n);
		}
		cell(tmp.p ? tmp.p : "", tmp.len);
		return;
	}
	while ((nl = memchr(s, '\n', n)) != NULL ||
	    (nl = memchr(s, '\r', n)) != NULL) {
		buf_add(&tmp, s, (size_t)(nl - s));
		buf_addc(&tmp, ' ');
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	buf_add(&tmp, s, n);
	cell(tmp.p ? tmp.p : "", tmp.len);
}

/* val_text, val_plain, val_null - a value as a JSON string, as JSON
 * text as it is (a number, true, false), NULL; or their CSV cells */
static void
val_text(const char *s, size_t n)
{
	if (csv)
		cell_text(s, n);
	else
		out_jstr(s, n);
}

static void
val_plain(const char *s, size_t n)
{
	if (csv)
		cell(s, n);
	else
		out(s, n);
}

static void
val_null(void)
{
	if (csv)
		cell("", 0);
	else
		out("null", 4);
}

/* val_begin - what goes before column i's value */
static inline void
val_begin(const struct col *cols, int i)
{
	if (!csv)
		out(cols[i].key, cols[i].keylen);
	else if (i > 0)
		out(",", 1);
}

/* row_end - the end of a row of ncols values */
static void
row_end(int ncols)
{
	if (csv)
		out("\r\n", 2);
	else
		out(ncols ? "}\n" : "{}\n", ncols ? 2 : 3);
}

/* header - CSV: the columns' names, first, whether or not rows follow */
static int
header(const char *const *names, int ncols)
{
	int i;

	if (!csv)
		return 0;
	if (ncols == 0) {
		say("the query has no columns: a CSV export needs one");
		return -1;
	}
	alone = ncols == 1;
	for (i = 0; i < ncols; i++) {
		if (names[i][0] == '\0') {
			say("column %d has no name: give it one (AS) for a"
			    " CSV export", i + 1);
			return -1;
		}
		if (i > 0)
			out(",", 1);
		cell(names[i], strlen(names[i]));
	}
	out("\r\n", 2);
	return 0;
}

/* cols_make - the JSON key of column i, refused when named twice */
static int
cols_make(struct col *cols, size_t i, const char *name)
{
	size_t k;
	struct buf b;

	buf_init(&b);
	buf_adds(&b, i == 0 ? "{" : ",");
	json_quote(&b, name, strlen(name));
	buf_addc(&b, ':');
	for (k = 0; k < i; k++)
		if (strcmp(cols[k].key + 1, b.p + 1) == 0) {
			say("the query has two columns named %s: give one an"
			    " alias (AS)", name);
			buf_free(&b);
			return -1;
		}
	cols[i].keylen = b.len;
	cols[i].key = buf_steal(&b);
	return 0;
}

/* ---------------------------------------------------------------- params */

struct bound {
	const struct xtype *t;
	const char	**val;		/* per declared param, NULL: none */
	int		*pos;		/* PostgreSQL: its $n, 0: unused */
	int		 n;		/* $n given out */
	struct buf	 q;		/* the query with $n */
	size_t		 from;
};

/* load_params - each declared param from XSPOOL_PARAM_<name>, checked
 * again (the job file may have been edited in the spool) */
static int
load_params(const struct xtype *t, const char **val)
{
	char name[96];
	size_t i;

	for (i = 0; i < t->nparams; i++) {
		snprintf(name, sizeof(name), "XSPOOL_PARAM_%s",
		    t->params[i].name);
		val[i] = getenv(name);
		if (val[i] == NULL && !t->params[i].optional) {
			say("missing parameter %s", t->params[i].name);
			return -1;
		}
		if (val[i] != NULL &&
		    !param_value_ok(t->params[i].type, val[i])) {
			say("parameter %s: not a %s", t->params[i].name,
			    ptype_name(t->params[i].type));
			return -1;
		}
	}
	return 0;
}

static int
param_index(const struct xtype *t, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < t->nparams; i++)
		if (strlen(t->params[i].name) == len &&
		    strncmp(t->params[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* to_dollar - one ":name" of the query becomes "$n" */
static int
to_dollar(const char *name, size_t len, size_t off, void *arg)
{
	struct bound *b = arg;
	int k = param_index(b->t, name, len);

	if (k < 0)
		return 1;
	buf_add(&b->q, b->t->query + b->from, off - b->from);
	if (b->pos[k] == 0)
		b->pos[k] = ++b->n;
	buf_addf(&b->q, "$%d", b->pos[k]);
	b->from = off + 1 + len;
	return 0;
}

/* pg_param_type - the OID a value is sent as.  0 lets the server infer
 * it from where it stands, as for a literal: an int compared with an
 * int4 column is an int4, a string compared with an enum that enum;
 * ":n::bigint" in the query decides where nothing else does. */
static Oid
pg_param_type(enum ptype t, const char *v)
{
	switch (t) {
	case PT_BOOL: return OID_BOOL;
	case PT_DATE: return OID_DATE;
	case PT_TIMESTAMP:
		return strlen(v) > 19 && (strchr(v + 19, 'Z') ||
		    strchr(v + 19, '+') || strchr(v + 19, '-')) ?
		    OID_TIMESTAMPTZ : OID_TIMESTAMP;
	default: return 0;
	}
}

/* ---------------------------------------------------------------- PostgreSQL */

static enum kind
pg_kind(Oid o)
{
	switch (o) {
	case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID:
	case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC:
		return KD_NUMBER;
	case OID_BOOL: return KD_BOOL;
	case OID_TIMESTAMP: return KD_TIMESTAMP;
	case OID_TIMESTAMPTZ: return KD_TIMEZONED;
	case OID_BYTEA: return KD_BYTES;
	case OID_JSON: case OID_JSONB: return KD_JSON;
	default: return KD_STRING;	/* date, time, interval: ISO text */
	}
}

/* pg_bytea - "\x4865..." (bytea_output = hex) as base64 */
static void
pg_bytea(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || s[0] != '\\' || s[1] != 'x') {
		out_jstr(s, n);
		return;
	}
	buf_reset(&tmp);
	for (i = 2; i + 1 < n; i += 2)
		buf_addc(&tmp, (char)(hex_digit(s[i]) << 4 |
		    hex_digit(s[i + 1])));
	out_base64((const unsigned char *)tmp.p, tmp.len);
}

static void
pg_row(const PGresult *r, int row, const struct col *cols, int ncols)
{
	const char *v;
	size_t n;
	int i;

	for (i = 0; i < ncols; i++) {
		val_begin(cols, i);
		n = (size_t)PQgetlength(r, row, i);
		if (n == 0 && PQgetisnull(r, row, i)) {
			val_null();
			continue;
		}
		v = PQgetvalue(r, row, i);
		switch (cols[i].kind) {
		case KD_NUMBER:
			if (csv || json_number(v, n))
				val_plain(v, n);
			else
				out_jstr(v, n);	/* NaN, Infinity */
			break;
		case KD_BOOL:
			if (v[0] == 't')
				val_plain("true", 4);
			else
				val_plain("false", 5);
			break;
		case KD_TIMESTAMP:
		case KD_TIMEZONED:
			out_time(v, n, cols[i].kind == KD_TIMEZONED);
			break;
		case KD_BYTES:
			pg_bytea(v, n);
			break;
		case KD_JSON:
			if (csv)
				cell_json(v, n);
			else
				out_json(v, n);	/* the server checked it */
			break;
		default:
			val_text(v, n);
		}
	}
	row_end(ncols);
}

/* pg_fail - the server's error, one line; 57014 is a cancel */
static int
pg_fail(PGconn *c, const PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);

	if (stopping)
		say("cancelled: the query was stopped on the server");
	else if (state != NULL && strcmp(state, "57014") == 0)
		say("%s: %s (the type's timeout is the server's"
		    " statement_timeout)", what, msg);
	else if (PQstatus(c) == CONNECTION_BAD) {
		say("%s: the connection to the database was lost (retryable):"
		    " %s", what, msg);
		return EXIT_TEMP;
	} else
		say("%s: %s", what, msg);
	return EXIT_FAIL;
}

/* pg_columns - the columns of result r, the CSV header written; 0 or
 * -1 (said) */
static int
pg_columns(const PGresult *r, struct col **colsp, const char ***namesp,
    int *ncolsp)
{
	struct col *cols;
	const char **names;
	int i, n = PQnfields(r);

	*colsp = cols = xcalloc((size_t)n + 1, sizeof(*cols));
	*namesp = names = xcalloc((size_t)n + 1, sizeof(*names));
	*ncolsp = n;
	for (i = 0; i < n; i++) {
		names[i] = PQfname(r, i);
		if (cols_make(cols, (size_t)i, names[i]) == -1)
			return -1;
		cols[i].kind = pg_kind(PQftype(r, i));
	}
	return header(names, n);
}

#define CURSOR		"xspool_rows"
#define FETCH_MAX	10000		/* rows in one FETCH */
#define FETCH_BYTES	(256 << 10)	/* output one FETCH aims at (the
					 * best of 64 KiB, 256 KiB, 2 MiB: a
					 * batch in flight fits the socket) */

/* pg_cursor - DECLARE a cursor for the query, under a savepoint: 1 done,
 * 0 refused (rolled back to the savepoint: the query can run as it is),
 * -1 failed (*rp the result saying why, or NULL) */
static int
pg_cursor(PGconn *c, const struct bound *b, const Oid *pt,
    const char *const *pv, PGresult **rp)
{
	struct buf q;
	int ok;

	*rp = PQexec(c, "SAVEPOINT xspool_cursor");
	if (PQresultStatus(*rp) != PGRES_COMMAND_OK)
		return -1;
	PQclear(*rp);
	buf_init(&q);
	buf_adds(&q, "DECLARE " CURSOR " NO SCROLL CURSOR FOR ");
	buf_adds(&q, b->q.p);
	*rp = PQexecParams(c, q.p, b->n, pt, pv, NULL, NULL, 0);
	buf_free(&q);
	ok = PQresultStatus(*rp) == PGRES_COMMAND_OK;
	if (!ok && (stopping || PQstatus(c) != CONNECTION_OK))
		return -1;
	PQclear(*rp);
	*rp = NULL;
	if (ok)
		return 1;
	*rp = PQexec(c, "ROLLBACK TO SAVEPOINT xspool_cursor");
	if (PQresultStatus(*rp) != PGRES_COMMAND_OK)
		return -1;
	PQclear(*rp);
	*rp = NULL;
	return 0;
}

/* pg_fetch - the cursor's rows onto the output: FETCH in pipeline mode,
 * the next batch asked for before this one is written, so that the
 * server works while we do.  Batches start at one row and grow (8 times
 * at most) towards FETCH_BYTES of output, so that memory stays bounded
 * whatever a row's size.  0, or an exit status (said); *rp is cleared
 * by the caller */
static int
pg_fetch(PGconn *c, PGresult **rp, struct col **colsp, const char ***namesp,
    int *ncolsp)
{
	char q[64];
	int asked[2], nasked = 0, done = 0, next = 1, n, i, st;
	uint64_t before;

	if (!PQenterPipelineMode(c))
		return pg_fail(c, NULL, "query");
	while (!done || nasked > 0) {
		while (!done && nasked < 2) {
			snprintf(q, sizeof(q), "FETCH FORWARD %d FROM " CURSOR,
			    next);
			if (!PQsendQueryParams(c, q, 0, NULL, NULL, NULL,
			    NULL, 0) || !PQpipelineSync(c))
				return pg_fail(c, NULL, "query");
			asked[nasked++] = next;
		}
		if ((*rp = PQgetResult(c)) == NULL)
			return pg_fail(c, NULL, "query");
		st = PQresultStatus(*rp);
		if (st != PGRES_TUPLES_OK)
			return pg_fail(c, *rp, "query");
		if (*ncolsp < 0 &&
		    pg_columns(*rp, colsp, namesp, ncolsp) == -1)
			return EXIT_FAIL;
		n = PQntuples(*rp);
		before = out_total;
		for (i = 0; i < n; i++)
			pg_row(*rp, i, *colsp, *ncolsp);
		if (n < asked[0])
			done = 1;	/* the cursor is at its end */
		else if (n > 0) {
			uint64_t per = (out_total - before) / (uint64_t)n + 1;
			uint64_t want = FETCH_BYTES / per;

			next = want > (uint64_t)n * 8 ? n * 8 :
			    want < 1 ? 1 : (int)want;
			if (next > FETCH_MAX)
				next = FETCH_MAX;
		}
		PQclear(*rp);
		/* this FETCH's end, then its sync point */
		if ((*rp = PQgetResult(c)) != NULL)
			return pg_fail(c, *rp, "query");
		if ((*rp = PQgetResult(c)) == NULL ||
		    PQresultStatus(*rp) != PGRES_PIPELINE_SYNC)
			return pg_fail(c, *rp, "query");
		PQclear(*rp);
		*rp = NULL;
		asked[0] = asked[1];
		nasked--;
		if (stopping)	/* said as a cancel */
			return pg_fail(c, NULL, "query");
	}
	if (!PQexitPipelineMode(c))
		return pg_fail(c, NULL, "query");
	return 0;
}

static int
run_pg(const struct xtype *t, const char **val)
{
	static const char *const kw[] = { "connect_timeout",
	    "fallback_application_name", "dbname", NULL };
	const char *kv[] = { "10", SQL_EXPORTER, t->database, NULL };
	PQconninfoOption *opts, *o;
	struct bound b;
	struct col *cols = NULL;
	const char **pv = NULL, **names = NULL;
	Oid *pt = NULL;
	PGconn *c = NULL;
	PGresult *r = NULL;
	char *perr = NULL, setup[512];
	int ncols = -1, rc = EXIT_FAIL, i, st;
	size_t k;

	memset(&b, 0, sizeof(b));
	if ((opts = PQconninfoParse(t->database, &perr)) == NULL) {
		/* libpq's message may quote the string: not shown */
		say("database: not a valid PostgreSQL URI (not shown: it may"
		    " hold a password)");
		PQfreemem(perr);
		return EXIT_FAIL;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
			secret = xstrdup(o->val);
	PQconninfoFree(opts);

	/* ":name" to "$n", only the params the query uses are sent */
	b.t = t;
	b.pos = xcalloc(t->nparams + 1, sizeof(int));
	buf_init(&b.q);
	if (sqlq_scan(t->query, 1, to_dollar, &b) != 0) {
		say("the query has a placeholder that is not in params");
		goto out;
	}
	buf_add(&b.q, t->query + b.from, strlen(t->query + b.from));
	buf_addc(&b.q, '\0');
	pv = xcalloc((size_t)b.n + 1, sizeof(*pv));
	pt = xcalloc((size_t)b.n + 1, sizeof(*pt));
	for (k = 0; k < t->nparams; k++)
		if (b.pos[k] > 0) {
			pv[b.pos[k] - 1] = val[k];
			pt[b.pos[k] - 1] = val[k] ? pg_param_type(
			    t->params[k].type, val[k]) : 0;
		}

	c = PQconnectdbParams(kw, kv, 1);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		say("cannot connect to the database (retryable, the attempt"
		    " is retried): %s", c ? PQerrorMessage(c) : "out of memory");
		rc = EXIT_TEMP;
		goto out;
	}
	pg_cancel = PQgetCancel(c);
	/* ISO dates and intervals, UTC, exact floats, one snapshot,
	 * read-only; the type's timeout on the server too */
	snprintf(setup, sizeof(setup), "SET DateStyle = 'ISO, YMD'; "
	    "SET IntervalStyle = 'iso_8601'; SET TimeZone = 'UTC'; "
	    "SET extra_float_digits = 1; SET bytea_output = 'hex'; "
	    "SET client_encoding = 'UTF8'; SET statement_timeout = %lld; "
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    (long long)t->timeout_ms);
	r = PQexec(c, setup);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = pg_fail(c, r, "starting a read-only transaction");
		goto out;
	}
	PQclear(r);
	r = NULL;
	if (stopping)
		goto out;
	/* a cursor, fetched in batches two at a time (pipeline mode):
	 * single-row mode costs libpq a result per row, 40 % of this
	 * program's time; a query DECLARE refuses (not a SELECT, say)
	 * runs as it is, in single-row mode */
	switch (pg_cursor(c, &b, pt, pv, &r)) {
	case 1:
		if ((rc = pg_fetch(c, &r, &cols, &names, &ncols)) != 0)
			goto out;
		goto done;
	case -1:
		rc = pg_fail(c, r, "query");
		goto out;
	}
	if (!PQsendQueryParams(c, b.q.p, b.n, pt, pv, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(c)) {
		rc = pg_fail(c, NULL, "query");
		goto out;
	}
	while ((r = PQgetResult(c)) != NULL) {
		st = PQresultStatus(r);
		if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK) {
			rc = pg_fail(c, r, "query");
			goto out;
		}
		/* the first result describes the columns, with or
		 * without a row: the CSV header is written from it */
		if (ncols < 0 && pg_columns(r, &cols, &names, &ncols) == -1)
			goto out;
		if (st == PGRES_SINGLE_TUPLE)
			pg_row(r, 0, cols, ncols);
		PQclear(r);
		r = NULL;
	}
done:
	out_flush();
	rc = stopping ? EXIT_FAIL : 0;
	if (stopping)
		say("cancelled: the query was stopped on the server");
out:
	if (rc != 0)
		cancel_now();
	PQclear(r);
	if (pg_cancel != NULL) {
		PGcancel *pc = pg_cancel;

		pg_cancel = NULL;
		PQfreeCancel(pc);
	}
	if (c != NULL)
		PQfinish(c);
	for (i = 0; cols && i < ncols; i++)
		free(cols[i].key);
	free(cols);
	free(names);
	free(pv);
	free(pt);
	free(b.pos);
	buf_free(&b.q);
	return rc;
}

/* ---------------------------------------------------------------- SQLite */

static int64_t deadline;

/* sq_progress - a SIGTERM or the timeout interrupts the statement */
static int
sq_progress(void *arg)
{
	return stopping || (deadline > 0 && mono_ms() > deadline);
}

/* sq_kind - from the declared type, where there is one (a bare
 * expression has none: its values' own storage classes decide) */
static enum kind
sq_kind(const char *decl)
{
	if (decl == NULL)
		return KD_STRING;
	if (strcasestr(decl, "BOOL") != NULL)
		return KD_BOOL;
	if (strcasestr(decl, "TIMESTAMP") != NULL ||
	    strcasestr(decl, "DATETIME") != NULL)
		return KD_TIMESTAMP;
	if (strcasestr(decl, "NUM") != NULL || strcasestr(decl, "DEC") != NULL)
		return KD_NUMBER;
	if (strcasestr(decl, "JSON") != NULL)
		return KD_JSON;
	return KD_STRING;
}

/* fmt_int64 - x in decimal at b (>= 21 bytes), its length; what
 * snprintf("%lld") writes, without its format parsing per cell */
static size_t
fmt_int64(char *b, int64_t x)
{
	char r[24];
	uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	size_t n = 0, k = 0;

	do
		r[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (x < 0)
		b[k++] = '-';
	while (n > 0)
		b[k++] = r[--n];
	return k;
}

/* fmt_short_double - d as the loop of out_double would write it, for
 * the common numbers, 0 when it cannot say (b is then unchanged): d is
 * m / 10^k exactly as strtod would read it, m < 10^15 a whole number
 * and 1e-4 <= |d|.  Such a decimal has at most 15 significant digits,
 * so it is what "%.15g" prints (DBL_DIG): no snprintf, no strtod, which
 * were a third of a SQLite export of a REAL column. */
static size_t
fmt_short_double(char *b, double d)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8 };
	char r[24];
	double a = fabs(d), m;
	uint64_t u;
	size_t n = 0, k, i = 0, j;

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (k = 0; k < sizeof(p10) / sizeof(p10[0]); k++) {
		m = a * p10[k];
		if (m >= 1e15)
			return 0;
		if (m == floor(m) && m / p10[k] == a)
			break;
	}
	if (k == sizeof(p10) / sizeof(p10[0]))
		return 0;
	u = (uint64_t)m;
	while (k > 0 && u % 10 == 0) {	/* %g keeps no trailing zero */
		u /= 10;
		k--;
	}
	do
		r[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (d < 0)
		b[i++] = '-';
	if (n <= k) {			/* 0.00ddd */
		b[i++] = '0';
		b[i++] = '.';
		for (j = n; j < k; j++)
			b[i++] = '0';
		while (n > 0)
			b[i++] = r[--n];
		return i;
	}
	while (n > k)
		b[i++] = r[--n];
	b[i++] = '.';
	if (k == 0)
		b[i++] = '0';		/* out_double's ".0" */
	while (n > 0)
		b[i++] = r[--n];
	return i;
}

/* out_double - the shortest %g that reads back the same */
static void
out_double(double d)
{
	char b[40];
	size_t n;
	int p;

	if (!isfinite(d)) {
		val_text(isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity",
		    isnan(d) ? 3 : d > 0 ? 8 : 9);
		return;
	}
	if ((n = fmt_short_double(b, d)) > 0) {
		val_plain(b, n);
		return;
	}
	for (p = 15; p <= 17; p++) {
		snprintf(b, sizeof(b), "%.*g", p, d);
		if (strtod(b, NULL) == d)
			break;
	}
	if (strpbrk(b, ".eEn") == NULL)
		strcat(b, ".0");
	val_plain(b, strlen(b));
}

static void
sq_row(sqlite3_stmt *s, const struct col *cols, int ncols)
{
	const char *v;
	size_t n;
	int i;

	for (i = 0; i < ncols; i++) {
		val_begin(cols, i);
		switch (sqlite3_column_type(s, i)) {
		case SQLITE_NULL:
			val_null();
			break;
		case SQLITE_INTEGER: {
			char b[32];
			sqlite3_int64 x = sqlite3_column_int64(s, i);

			if (cols[i].kind == KD_BOOL && (x == 0 || x == 1))
				val_plain(x ? "true" : "false", x ? 4 : 5);
			else
				val_plain(b, fmt_int64(b, x));
			break;
		}
		case SQLITE_FLOAT:
			out_double(sqlite3_column_double(s, i));
			break;
		case SQLITE_BLOB:
			v = sqlite3_column_blob(s, i);
			n = (size_t)sqlite3_column_bytes(s, i);
			out_base64((const unsigned char *)v, n);
			break;
		default:
			v = (const char *)sqlite3_column_text(s, i);
			n = (size_t)sqlite3_column_bytes(s, i);
			if (cols[i].kind == KD_NUMBER && json_number(v, n))
				val_plain(v, n);
			else if (cols[i].kind == KD_TIMESTAMP)
				out_time(v, n, 0);
			else if (cols[i].kind == KD_JSON && json_ok(v, n)) {
				if (csv)
					cell_json(v, n);
				else
					out_json(v, n);
			} else if (cols[i].kind == KD_BOOL &&
			    (strcasecmp(v, "true") == 0 ||
			    strcasecmp(v, "false") == 0)) {
				if (v[0] == 't' || v[0] == 'T')
					val_plain("true", 4);
				else
					val_plain("false", 5);
			} else
				val_text(v, n);
		}
	}
	row_end(ncols);
}

/* sq_bind - every parameter of the statement is a declared :name */
static int
sq_bind(sqlite3 *db, sqlite3_stmt *s, const struct xtype *t,
    const char **val)
{
	const char *name, *v;
	int i, k, e;

	for (i = 1; i <= sqlite3_bind_parameter_count(s); i++) {
		name = sqlite3_bind_parameter_name(s, i);
		if (name == NULL || name[0] != ':' ||
		    (k = param_index(t, name + 1, strlen(name + 1))) < 0) {
			say("placeholder %s: write :name, with name in the"
			    " type's params", name ? name : "?");
			return -1;
		}
		v = val[k];
		if (v == NULL)
			e = sqlite3_bind_null(s, i);
		else if (t->params[k].type == PT_INT ||
		    (t->params[k].type == PT_NUMBER && !strpbrk(v, ".eE")))
			e = sqlite3_bind_int64(s, i, strtoll(v, NULL, 10));
		else if (t->params[k].type == PT_NUMBER)
			e = sqlite3_bind_double(s, i, strtod(v, NULL));
		else if (t->params[k].type == PT_BOOL)
			e = sqlite3_bind_int(s, i, v[0] == '1' ||
			    v[0] == 't' || v[0] == 'T');
		else
			e = sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
		if (e != SQLITE_OK) {
			say("binding %s: %s", name, sqlite3_errmsg(db));
			return -1;
		}
	}
	return 0;
}

static int
run_sqlite(const struct xtype *t, const char **val)
{
	const char *path = t->database + 7, *tail;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL, *s2 = NULL;
	struct col *cols = NULL;
	const char **names = NULL;
	int rc = EXIT_FAIL, e, ncols = 0, i;

	e = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL);	/* one thread: no lock per call */
	if (e != SQLITE_OK) {
		say("cannot open the database %s (retryable, the attempt is"
		    " retried): %s", path, db ? sqlite3_errmsg(db) :
		    sqlite3_errstr(e));
		rc = EXIT_TEMP;
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL);
	if (t->timeout_ms > 0)
		deadline = mono_ms() + t->timeout_ms;
	sqlite3_progress_handler(db, 1000, sq_progress, NULL);
	if (sqlite3_prepare_v2(db, t->query, -1, &s, &tail) != SQLITE_OK ||
	    s == NULL) {
		say("query: %s", s ? sqlite3_errmsg(db) : sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_prepare_v2(db, tail, -1, &s2, NULL) != SQLITE_OK ||
	    s2 != NULL) {
		say("query: one statement only");
		goto out;
	}
	if (!sqlite3_stmt_readonly(s)) {
		say("query: not read-only");
		goto out;
	}
	if (sq_bind(db, s, t, val) == -1)
		goto out;
	ncols = sqlite3_column_count(s);
	cols = xcalloc((size_t)ncols + 1, sizeof(*cols));
	names = xcalloc((size_t)ncols + 1, sizeof(*names));
	for (i = 0; i < ncols; i++) {
		names[i] = sqlite3_column_name(s, i);
		if (cols_make(cols, (size_t)i, names[i]) == -1) {
			ncols = i;
			goto out;
		}
		cols[i].kind = sq_kind(sqlite3_column_decltype(s, i));
	}
	if (header(names, ncols) == -1)
		goto out;
	while ((e = sqlite3_step(s)) == SQLITE_ROW)
		sq_row(s, cols, ncols);
	if (e != SQLITE_DONE) {
		if (stopping)
			say("cancelled: the query was interrupted");
		else if (e == SQLITE_INTERRUPT)
			say("query: interrupted after the type's timeout");
		else
			say("query: %s", sqlite3_errmsg(db));
		goto out;
	}
	out_flush();
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(s2);
	sqlite3_close(db);
	for (i = 0; cols && i < ncols; i++)
		free(cols[i].key);
	free(cols);
	free(names);
	return rc;
}

/* ---------------------------------------------------------------- main */

static void
usage(void)
{
	fprintf(stderr, "usage: %s -c CONFIG -t TYPE\n", prog);
	exit(EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct config c;
	struct sigaction sa;
	const struct xtype *t;
	const char *conf = NULL, **val, *fmt;
	char err[ERRLEN];
	int ch, rc;

	while ((ch = getopt(argc, argv, "c:t:")) != -1)
		switch (ch) {
		case 'c': conf = optarg; break;
		case 't': tname = optarg; break;
		default: usage();
		}
	if (conf == NULL || strcmp(tname, "?") == 0 || optind != argc)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: a write stops */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (config_load(&c, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return EXIT_USAGE;
	}
	if ((t = config_type(&c, tname)) == NULL || t->database == NULL) {
		say("no such SQL type in %s", conf);
		config_free(&c);
		return EXIT_USAGE;
	}
	/* a FETCH's result is freed and the next one as large allocated:
	 * kept in the heap rather than mapped and unmapped (page faults
	 * were a tenth of a PostgreSQL export) */
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	mallopt(M_TRIM_THRESHOLD, 32 << 20);
	buf_init(&tmp);
	buf_init(&tmp2);
	csv = (fmt = getenv("XSPOOL_FORMAT")) != NULL &&
	    strcmp(fmt, "CSV") == 0;
	val = xcalloc(t->nparams + 1, sizeof(*val));
	if (load_params(t, val) == -1)
		rc = EXIT_USAGE;
	else if (strncmp(t->database, "sqlite:", 7) == 0)
		rc = run_sqlite(t, val);
	else
		rc = run_pg(t, val);
	free(val);
	buf_free(&tmp);
	buf_free(&tmp2);
	buf_free(&cellb);
	free((char *)secret);
	config_free(&c);
	return rc;
}
