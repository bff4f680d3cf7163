/* convert.c - the exporter's records (CSV through libcsv, or JSON Lines
 * through json.c) into one JSON array or RFC 4180 CSV, streaming, holding
 * at most one record (REC_MAX bytes) whatever the size of the export. */
#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"

#define REC_MAX		CONV_REC_MAX	/* one record, or one line */
#define REC_MAX_TEXT	"16 MiB"
#define CSV_SLICE	(64 * 1024)	/* libcsv gets at most this at once */
#define CSV_ROW_NOT_BEGUN 0	/* libcsv's pstate between rows (libcsv.c) */
#define SHOW_MAX	48	/* bytes of a bad value quoted in an error */
#define BADQUOTE	"malformed CSV: a quote inside an unquoted field, " \
			"or text after a closing quote"

/*
 * Output conventions, the same whatever the input:
 * - JSON: "[\n", one compact object per line joined by ",\n", "\n]\n";
 *   "[]\n" when there is no record.  Strings escape '"', '\\', control
 *   characters and DEL (as json_quote does); UTF-8 is kept as it is.
 * - CSV: RFC 4180 with CRLF line ends and a header row.  A field is quoted
 *   only when it holds ',', '"', CR or LF (the '"' doubled), or when it is
 *   the only, empty, field of a row (so the row is not a blank line).  This
 *   is Python's QUOTE_MINIMAL; libcsv's csv_write would quote every field,
 *   which costs 2 bytes a field and reads worse.
 */

/* byte classes for the hot loops */
#define K_HIGH	1	/* >= 0x80: the field must be checked as UTF-8 */
#define K_JESC	2	/* escaped in a JSON string */
#define K_CQUOTE 4	/* makes a CSV field need quotes */
#define K_STOP	8	/* ends an unquoted field for the fast path */

static unsigned char kind[256];

struct col {
	char		*name;		/* unescaped, NUL-terminated */
	size_t		 len;
	char		*jkey;		/* "{\"name\":" or ",\"name\":" */
	size_t		 jlen;
	enum coltype	 type;
	int64_t		 seen;		/* JSONL: record that last set it */
	int		 intmp;		/* JSONL: value is in tmp, not line */
	size_t		 off, vlen;	/* JSONL: the value */
};

struct conv {
	enum emits	 in;
	enum format	 fmt;
	struct column	*types;		/* our copy of the typing */
	size_t		 ntypes;
	int		 failed;
	int		 done;		/* conv_finish was called */
	char		 err[ERRLEN];
	char		 where[64];	/* "record N, line L" for messages */
	int64_t		 nrec;		/* records written */
	int64_t		 lineno;	/* where this record starts (JSONL:
					 * its line), from 1; LF ends a line */
	unsigned char	 bom[3];	/* start of input, until it is known */
	size_t		 nbom;
	int		 started;	/* past a possible BOM */
	struct buf	*out;		/* where this call's output goes */
	struct col	*cols;		/* the header */
	size_t		 ncols;
	int		 have_header;
	/* CSV in */
	struct csv_parser csv;
	int		 csv_ok;
	size_t		 field;		/* fields of this row so far */
	size_t		 recbytes;	/* bytes of this row so far */
	int64_t		 rownl;		/* LFs inside this row's fields */
	/* JSONL in */
	struct buf	 line;		/* a line that spans chunks */
	struct buf	 tmp;		/* unescaped values of one record */
	struct buf	 key;		/* one unescaped key */
	/* CSV in, fast path */
	struct buf	 fld;		/* a quoted field with "" unescaped */
};

/* kind_init - fill the byte class table (idempotent) */
static void
kind_init(void)
{
	int i;

	for (i = 0; i < 256; i++) {
		kind[i] = 0;
		if (i >= 0x80)
			kind[i] |= K_HIGH;
		if (i < 0x20 || i == '"' || i == '\\' || i == 0x7f)
			kind[i] |= K_JESC;
		if (i == ',' || i == '"' || i == '\r' || i == '\n')
			kind[i] |= K_CQUOTE | K_STOP;
	}
}

/* SWAR tests on 8 bytes at once: nonzero when some byte is < c (c <= 0x80),
 * or equal to c; exact as to whether there is one */
#define ONES		UINT64_C(0x0101010101010101)
#define HIGHS		UINT64_C(0x8080808080808080)
#define HAS_LT(w, c)	(((w) - ONES * (c)) & ~(w) & HIGHS)
#define HAS_EQ(w, c)	HAS_LT((w) ^ (ONES * (c)), 1)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the word scans below take the first byte as the lowest"
#endif

/* classify_in - the union of the classes of s's n bytes, a word at a time
 * (the table only for words holding a byte of interest); avail >= n bytes
 * may be read at s */
static inline int
classify_in(const unsigned char *s, size_t n, size_t avail)
{
	uint64_t w, m;
	size_t i = 0, j;
	int k = 0;

	for (; i < n; i += 8) {
		if (i + 8 <= n)
			memcpy(&w, s + i, 8);
		else if (i + 8 <= avail) {
			/* a short last word read whole (the buffer goes on),
			 * the bytes past n made harmless */
			memcpy(&w, s + i, 8);
			m = (UINT64_C(1) << (8 * (n - i))) - 1;
			w = (w & m) | (ONES * 'a' & ~m);
		} else {
			for (; i < n; i++)
				k |= kind[s[i]];
			break;
		}
		/* UTF-8 alone needs no look at each byte: the field is
		 * checked whole */
		if (w & HIGHS)
			k |= K_HIGH;
		if (!(HAS_LT(w, 0x20) | HAS_EQ(w, '"') | HAS_EQ(w, '\\') |
		    HAS_EQ(w, ',') | HAS_EQ(w, 0x7f)))
			continue;
		for (j = 0; j < 8 && i + j < n; j++)
			k |= kind[s[i + j]];
	}
	return k;
}

/* classify - the same, for a buffer that ends at n */
static inline int
classify(const unsigned char *s, size_t n)
{
	return classify_in(s, n, n);
}

/* copy - memcpy for the short keys and cells of the hot path: two
 * overlapping moves instead of a call when n <= 16 (no byte outside s's
 * n is read) */
static inline void
copy(char *o, const char *s, size_t n)
{
	uint64_t a, b;
	uint32_t x, y;

	if (n >= 8 && n <= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(o, &a, 8);
		memcpy(o + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(o, &x, 4);
		memcpy(o + n - 4, &y, 4);
	} else if (n > 16)
		memcpy(o, s, n);
	else
		while (n-- > 0)
			*o++ = *s++;
}

/* room - space for n more bytes and the NUL at the end of b: the check
 * inlined, as it runs for every field; buf_reserve grows */
static inline char *
room(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		return buf_reserve(b, n);
	return b->p + b->len;
}

/* put - append n bytes (b->p stays NUL-terminated) */
static inline void
put(struct buf *b, const void *s, size_t n)
{
	char *o = room(b, n);

	memcpy(o, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* put_jstr - s as a JSON string; k is classify(s) */
static inline void
put_jstr(struct buf *b, const char *s, size_t n, int k)
{
	char *o;

	if (k & K_JESC) {
		json_quote(b, s, n);
		return;
	}
	o = room(b, n + 2);
	o[0] = '"';
	memcpy(o + 1, s, n);
	o[n + 1] = '"';
	b->len += n + 2;
	b->p[b->len] = '\0';
}

/* put_cfield - s as a CSV field, quoted when k says it must be; alone
 * says it is the only field of its row */
static void
put_cfield(struct buf *b, const char *s, size_t n, int k, int alone)
{
	const char *q;

	if (!(k & K_CQUOTE)) {
		if (n == 0 && alone)
			put(b, "\"\"", 2);
		else
			put(b, s, n);
		return;
	}
	put(b, "\"", 1);
	while ((q = memchr(s, '"', n)) != NULL) {
		put(b, s, (size_t)(q - s) + 1);
		put(b, "\"", 1);
		n -= (size_t)(q - s) + 1;
		s = q + 1;
	}
	put(b, s, n);
	put(b, "\"", 1);
}

/* show - s as a short quoted string for an error message */
static const char *
show(struct buf *b, const char *s, size_t n)
{
	size_t k = n;

	buf_reset(b);
	if (k > SHOW_MAX) {
		k = SHOW_MAX;
		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
	}
	put(b, "\"", 1);
	json_escape(b, s, k);
	put(b, k < n ? "\"..." : "\"", k < n ? 4 : 1);
	return b->p;
}

/* fail - the first error wins; later calls keep it */
static void __attribute__((format(printf, 2, 3)))
fail(struct conv *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = 1;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

/* recno - the number of the record being read */
static long long
recno(const struct conv *c)
{
	return (long long)c->nrec + 1;
}

/* where - "record N, line L", or "header" while the CSV header is being
 * read */
static const char *
where(struct conv *c)
{
	if (c->in == EMITS_CSV && !c->have_header)
		return "header";
	snprintf(c->where, sizeof(c->where), "record %lld, line %lld",
	    recno(c), (long long)c->lineno);
	return c->where;
}

/* count_lf - the line feeds in s */
static int64_t
count_lf(const char *s, size_t n)
{
	const char *e = s + n, *q;
	int64_t k = 0;

	while ((q = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		k++;
		s = q + 1;
	}
	return k;
}

/* col_add - a header column; names are copied */
static void
col_add(struct conv *c, const char *name, size_t len)
{
	struct col *col;

	c->cols = xreallocarray(c->cols, c->ncols + 1, sizeof(*c->cols));
	col = &c->cols[c->ncols++];
	memset(col, 0, sizeof(*col));
	col->name = xmalloc(len + 1);	/* a name may hold a NUL */
	memcpy(col->name, name, len);
	col->name[len] = '\0';
	col->len = len;
	col->seen = -1;
}

/* header_done - check the header, prepare the JSON keys, write the CSV
 * header row; 0 or -1 (failed) */
static int
header_done(struct conv *c)
{
	struct buf b, s;
	size_t i, j;

	buf_init(&b);
	buf_init(&s);
	for (i = 0; i < c->ncols; i++) {
		struct col *col = &c->cols[i];

		if (!utf8_valid(col->name, col->len)) {
			fail(c, "header, column %zu: invalid UTF-8", i + 1);
			goto fail;
		}
		if (col->len == 0 && c->in == EMITS_CSV) {
			fail(c, "header, column %zu: empty name", i + 1);
			goto fail;
		}
		for (j = 0; j < i; j++)
			if (c->cols[j].len == col->len &&
			    memcmp(c->cols[j].name, col->name, col->len) == 0) {
				if (c->in == EMITS_CSV)
					fail(c, "header: duplicate column %s",
					    show(&s, col->name, col->len));
				else	/* the first record's keys */
					fail(c, "%s: duplicate field %s",
					    where(c), show(&s, col->name,
					    col->len));
				goto fail;
			}
		for (j = 0; j < c->ntypes; j++)
			if (strcmp(c->types[j].name, col->name) == 0)
				col->type = c->types[j].type;
		buf_reset(&b);
		put(&b, i == 0 ? "{" : ",", 1);
		put_jstr(&b, col->name, col->len,
		    classify((const unsigned char *)col->name, col->len));
		put(&b, ":", 1);
		col->jlen = b.len;
		col->jkey = buf_steal(&b);
		if (c->fmt == FMT_CSV) {
			if (i > 0)
				put(c->out, ",", 1);
			put_cfield(c->out, col->name, col->len,
			    classify((const unsigned char *)col->name,
			    col->len), c->ncols == 1);
		}
	}
	if (c->fmt == FMT_CSV && c->ncols > 0)
		put(c->out, "\r\n", 2);
	c->have_header = 1;
	buf_free(&s);
	return 0;
fail:
	buf_free(&b);
	buf_free(&s);
	return -1;
}

/* rec_open - what goes before a record's first field in JSON */
static inline void
rec_open(struct conv *c)
{
	if (c->fmt == FMT_JSON)
		put(c->out, c->nrec == 0 ? "[\n" : ",\n", 2);
}

/* is_int - -?[0-9]+ */
static int
is_int(const char *s, size_t n)
{
	size_t i = s[0] == '-';

	if (i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* put_typed - a non-empty cell of a typed column as a JSON value */
static void
put_typed(struct conv *c, const struct col *col, const char *s, size_t n)
{
	struct buf v, w;
	const char *what;
	size_t i;

	switch (col->type) {
	case COL_INT:
		if (!is_int(s, n)) {
			what = "an integer";
			break;
		}
		if (s[0] == '-')
			put(c->out, "-", 1);
		i = s[0] == '-';
		while (i + 1 < n && s[i] == '0')	/* JSON has no 007 */
			i++;
		put(c->out, s + i, n - i);
		return;
	case COL_NUMBER:
		if ((s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) &&
		    json_primitive_valid(s, n)) {
			put(c->out, s, n);
			return;
		}
		what = "a number";
		break;
	case COL_BOOL:
		if ((n == 1 && s[0] == '1') || (n == 4 &&
		    strncasecmp(s, "true", 4) == 0)) {
			put(c->out, "true", 4);
			return;
		}
		if ((n == 1 && s[0] == '0') || (n == 5 &&
		    strncasecmp(s, "false", 5) == 0)) {
			put(c->out, "false", 5);
			return;
		}
		what = "a boolean (true, false, 1 or 0)";
		break;
	default:
		put_jstr(c->out, s, n, classify((const unsigned char *)s, n));
		return;
	}
	buf_init(&v);
	buf_init(&w);
	fail(c, "%s, column %s: %s is not %s", where(c),
	    show(&v, col->name, col->len), show(&w, s, n), what);
	buf_free(&v);
	buf_free(&w);
}

/* json_field - one CSV field as a member of the record's JSON object */
static inline void
json_field(struct conv *c, const struct col *col, const char *s, size_t n,
    int k)
{
	struct buf *b = c->out;
	char *o;

	if (col->type == COL_STRING && !(k & K_JESC)) {
		/* the common case in one copy: key, quotes, value */
		o = room(b, col->jlen + n + 2);
		copy(o, col->jkey, col->jlen);
		o += col->jlen;
		*o++ = '"';
		copy(o, s, n);
		o[n] = '"';
		b->len += col->jlen + n + 2;
		b->p[b->len] = '\0';
		return;
	}
	put(b, col->jkey, col->jlen);
	if (col->type == COL_STRING)
		put_jstr(b, s, n, k);
	else if (n == 0)
		put(b, "null", 4);
	else
		put_typed(c, col, s, n);
}

/* field_put - one CSV field, k being classify(s): a header name, or a
 * record's cell onto the output; the hot path */
static void
field_put(struct conv *c, const char *s, size_t n, int k)
{
	const struct col *col;
	struct buf v;
	size_t i;
	char *o;

	if (c->failed)
		return;
	c->recbytes += n;
	if (c->recbytes > REC_MAX) {
		fail(c, "%s: longer than " REC_MAX_TEXT, where(c));
		return;
	}
	i = c->field++;
	if (!c->have_header) {
		c->rownl += count_lf(s, n);
		/* a BOM after blank lines starts the header line too; kept,
		 * the CSV written would read back without it */
		while (i == 0 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
		col_add(c, s, n);
		return;
	}
	if (i >= c->ncols)		/* counted; csv_row says it */
		return;
	col = &c->cols[i];
	if ((k & K_HIGH) && !utf8_valid(s, n)) {
		buf_init(&v);
		fail(c, "%s, column %s: invalid UTF-8", where(c),
		    show(&v, col->name, col->len));
		buf_free(&v);
		return;
	}
	if (k & K_CQUOTE)
		c->rownl += count_lf(s, n);
	if (c->fmt == FMT_CSV && !(k & K_CQUOTE) && c->ncols > 1) {
		/* the common case in one copy: separator, value */
		o = room(c->out, n + 1);
		if (i > 0)
			*o++ = ',';
		copy(o, s, n);
		c->out->len += n + (i > 0);
		c->out->p[c->out->len] = '\0';
		return;
	}
	if (c->fmt == FMT_CSV) {
		if (i > 0)
			put(c->out, ",", 1);
		put_cfield(c->out, s, n, k, c->ncols == 1);
		return;
	}
	if (i == 0)
		rec_open(c);
	json_field(c, col, s, n, k);
}

/* csv_field - libcsv's end-of-field callback */
static void
csv_field(void *p, size_t n, void *arg)
{
	struct conv *c = arg;
	const char *s = p ? p : "";

	if (c->failed)
		return;
	/* s is libcsv's field buffer, readable to its size */
	field_put(c, s, n, classify_in((const unsigned char *)s, n,
	    p != NULL && p == c->csv.entry_buf ? c->csv.entry_size : n));
}

/* csv_row - libcsv's end-of-row callback, also for each line end that
 * ends no row (CSV_REPALL_NL), so that lines are counted */
static void
csv_row(int ch, void *arg)
{
	struct conv *c = arg;

	if (c->failed)
		return;
	if (c->field == 0) {		/* a blank line, or CRLF's LF */
		c->lineno += ch == '\n';
		return;
	}
	if (!c->have_header) {
		if (header_done(c) == -1)
			return;
	} else if (c->field != c->ncols) {
		fail(c, "%s: %zu field%s, header has %zu", where(c),
		    c->field, c->field == 1 ? "" : "s", c->ncols);
		return;
	} else {
		if (c->fmt == FMT_CSV)
			put(c->out, "\r\n", 2);
		else
			put(c->out, "}", 1);
		c->nrec++;
	}
	c->field = 0;
	c->recbytes = 0;
	c->lineno += c->rownl + (ch == '\n');
	c->rownl = 0;
}

/* nospace - libcsv trims no space: a field is what the exporter wrote */
static int
nospace(unsigned char ch)
{
	return 0;
}

/* csv_slice - n bytes through libcsv */
static int
csv_slice(struct conv *c, const char *in, size_t n)
{
	size_t done;

	done = csv_parse(&c->csv, in, n, csv_field, csv_row, c);
	if (c->failed)
		return -1;
	if (done < n || csv_error(&c->csv) != CSV_SUCCESS) {
		fail(c, "%s: %s", where(c), BADQUOTE);
		return -1;
	}
	if (c->recbytes + c->csv.entry_pos > REC_MAX) {
		fail(c, "%s: longer than " REC_MAX_TEXT, where(c));
		return -1;
	}
	/* libcsv grows its field buffer by blk_size: make that geometric,
	 * or a long field costs quadratic copying */
	if (c->csv.entry_size > c->csv.blk_size)
		csv_set_blk_size(&c->csv, c->csv.entry_size);
	return 0;
}

/*
 * The fast path.  libcsv costs most of a conversion (a call and a branch
 * tree per byte, a copy of each field), so whole rows that are plainly
 * RFC 4180 are split here, with the same callbacks in the same order as
 * libcsv would make (CSV_STRICT, CSV_REPALL_NL, no space trimmed): a row
 * starts where libcsv is between rows, its fields are unquoted (no '"',
 * CR or LF inside) or quoted and closed by '"' before ',', CR or LF, and
 * it ends with LF or CRLF.  Anything else (a stray quote or CR, a row cut
 * by the end of the input) is left to libcsv, which reports the errors:
 * the fields already passed are taken back first.
 */

/* word_kind - the classes of a word's bytes, all of them in the field */
static inline int
word_kind(uint64_t w)
{
	int k = w & HIGHS ? K_HIGH : 0;

	if (HAS_LT(w, 0x20) | HAS_EQ(w, '\\') | HAS_EQ(w, 0x7f))
		k |= K_JESC;
	return k;
}

/* plain_end - the end of the unquoted field at p: its first ',', '"', CR
 * or LF, or NULL when there is none before end; the classes of the bytes
 * before it into *kp.  A word at a time: the lowest flag of HAS_EQ is
 * exact, so the first stop is where its lowest set bit says (bytes in
 * memory order: little-endian, as classify_in) */
static inline const char *
plain_end(const char *p, const char *end, int *kp)
{
	const unsigned char *s = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end;
	uint64_t w, stop, m;
	int k = 0, j;

	for (; e - s >= 8; s += 8) {
		memcpy(&w, s, 8);
		stop = HAS_EQ(w, ',') | HAS_EQ(w, '"') | HAS_EQ(w, '\r') |
		    HAS_EQ(w, '\n');
		if (stop == 0) {
			k |= word_kind(w);
			continue;
		}
		j = __builtin_ctzll(stop) / 8;
		m = (UINT64_C(1) << (8 * j)) - 1;	/* the bytes before */
		*kp = k | word_kind((w & m) | (ONES * 'a' & ~m));
		return (const char *)s + j;
	}
	for (; s < e; s++) {		/* the last bytes of the input */
		if (kind[*s] & K_STOP) {
			*kp = k;
			return (const char *)s;
		}
		k |= kind[*s];
	}
	return NULL;
}

/* quoted_end - the end of the quoted field whose text starts at p (past
 * its opening quote): the byte after its closing quote, or NULL when the
 * field does not end before end.  Its text, unescaped, into *fp, *np: in
 * place when it has no "", else in c->fld, which is kept under REC_MAX
 * (libcsv then reads the row, and says that it is too long) */
static const char *
quoted_end(struct conv *c, const char *p, const char *end, const char **fp,
    size_t *np)
{
	const char *q, *s = p;

	buf_reset(&c->fld);
	for (;;) {
		if ((q = memchr(s, '"', (size_t)(end - s))) == NULL ||
		    q + 1 == end)
			return NULL;
		if (q[1] != '"')
			break;
		if (c->fld.len + (size_t)(q - s) > REC_MAX)
			return NULL;	/* libcsv says it is too long */
		put(&c->fld, s, (size_t)(q - s) + 1);	/* "" is one '"' */
		s = q + 2;
	}
	if (s == p) {
		*fp = p;
		*np = (size_t)(q - p);
		return q + 1;
	}
	if (c->fld.len + (size_t)(q - s) > REC_MAX)
		return NULL;
	put(&c->fld, s, (size_t)(q - s));
	*fp = c->fld.p;
	*np = c->fld.len;
	return q + 1;
}

/* plain_row - the row at p through field_put and csv_row: the byte after
 * it, or NULL when it is not whole before end or is libcsv's to read (the
 * caller takes back what was passed), or when the conversion failed */
static const char *
plain_row(struct conv *c, const char *p, const char *end)
{
	const char *e, *f;
	size_t n;
	int k;

	if (*p == '\r') {		/* a blank line: no field, as in */
		if (p + 1 == end || p[1] != '\n')	/* libcsv */
			return NULL;
		csv_row('\r', c);
		p++;
	}
	if (*p == '\n') {
		csv_row('\n', c);
		return p + 1;
	}
	for (;;) {
		if (*p == '"') {
			if ((e = quoted_end(c, p + 1, end, &f, &n)) == NULL)
				return NULL;
			k = classify((const unsigned char *)f, n);
		} else {
			if ((e = plain_end(p, end, &k)) == NULL)
				return NULL;
			f = p;
			n = (size_t)(e - p);
		}
		if (*e != ',' && *e != '\n' && (*e != '\r' || e + 1 == end ||
		    e[1] != '\n'))
			return NULL;	/* '"' or a lone CR: libcsv's */
		field_put(c, f, n, k);
		if (c->failed)
			return NULL;
		if (*e == ',') {
			if ((p = e + 1) == end)
				return NULL;
			continue;
		}
		if (*e == '\r') {	/* libcsv: the CR ends the row, */
			csv_row('\r', c);
			e++;		/* the LF is a blank line */
		}
		csv_row('\n', c);
		return c->failed ? NULL : e + 1;
	}
}

/* plain_rows - the whole plain rows at the start of in; how many bytes
 * they took */
static size_t
plain_rows(struct conv *c, const char *in, size_t n)
{
	const char *p = in, *end = in + n, *next;
	size_t outlen;

	while (p < end) {
		outlen = c->out->len;
		if ((next = plain_row(c, p, end)) == NULL) {
			if (c->failed)
				break;
			/* take back this row's fields: libcsv reads it */
			c->out->len = outlen;
			if (c->out->p != NULL)
				c->out->p[outlen] = '\0';
			c->field = 0;
			c->recbytes = 0;
			c->rownl = 0;
			break;
		}
		p = next;
	}
	return (size_t)(p - in);
}

/* csv_feed - n bytes of CSV: plain rows by plain_rows while libcsv is
 * between rows, the others through libcsv a line at a time (in slices, so
 * that its buffer stays bounded) until it is between rows again.  The
 * header is always libcsv's: plain_rows cannot take back a column. */
static int
csv_feed(struct conv *c, const char *in, size_t n)
{
	const char *nl;
	size_t k;

	while (n > 0 && !c->failed) {
		if (c->have_header && c->csv.pstate == CSV_ROW_NOT_BEGUN) {
			k = plain_rows(c, in, n);
			in += k;
			n -= k;
			if (n == 0 || c->failed)
				break;
		}
		k = n < CSV_SLICE ? n : CSV_SLICE;
		if ((nl = memchr(in, '\n', k)) != NULL)
			k = (size_t)(nl - in) + 1;
		if (csv_slice(c, in, k) == -1)
			break;
		in += k;
		n -= k;
	}
	return c->failed ? -1 : 0;
}

/* csv_finish - the end of CSV input: a last row without its newline */
static int
csv_finish(struct conv *c)
{
	if (csv_fini(&c->csv, csv_field, csv_row, c) != 0 && !c->failed)
		fail(c, "%s: unterminated quoted field", where(c));
	return c->failed ? -1 : 0;
}

/* find_col - the column named s (hint: where it usually is), or -1 */
static inline ssize_t
find_col(const struct conv *c, const char *s, size_t n, size_t hint)
{
	size_t i;

	if (hint < c->ncols && c->cols[hint].len == n &&
	    memcmp(c->cols[hint].name, s, n) == 0)
		return (ssize_t)hint;
	for (i = 0; i < c->ncols; i++)
		if (c->cols[i].len == n && memcmp(c->cols[i].name, s, n) == 0)
			return (ssize_t)i;
	return -1;
}

/* jkey - key token t unescaped: into c->key only when it has escapes */
static int
jkey(struct conv *c, const char *text, const jsmntok_t *t, const char **s,
    size_t *n)
{
	*s = text + t->start;
	*n = (size_t)(t->end - t->start);
	if (memchr(*s, '\\', *n) == NULL)
		return 0;
	buf_reset(&c->key);
	if (json_unescape(&c->key, *s, *n) == -1)
		return -1;
	*s = c->key.p ? c->key.p : "";
	*n = c->key.len;
	return 0;
}

/* jsonl_header - the first record's keys are the header */
static int
jsonl_header(struct conv *c, const struct jdoc *d)
{
	const char *s;
	size_t n;
	int i, k;

	for (i = 1, k = 0; k < d->tok[0].size; k++) {
		if (jkey(c, d->text, &d->tok[i], &s, &n) == -1) {
			fail(c, "%s: bad escape in a key", where(c));
			return -1;
		}
		col_add(c, s, n);
		i = json_skip(d, i + 1);
	}
	return header_done(c);
}

/* jsonl_value - value token t of column col, kept for the CSV row */
static int
jsonl_value(struct conv *c, const struct jdoc *d, int i, struct col *col)
{
	const jsmntok_t *t = &d->tok[i];
	const char *s = d->text + t->start;
	size_t n = (size_t)(t->end - t->start);

	col->intmp = 0;
	col->off = (size_t)t->start;
	col->vlen = n;
	if (t->type == JSMN_STRING && memchr(s, '\\', n) != NULL) {
		col->intmp = 1;
		col->off = c->tmp.len;
		if (json_unescape(&c->tmp, s, n) == -1)
			return -1;
		col->vlen = c->tmp.len - col->off;
	} else if (t->type == JSMN_PRIMITIVE && n == 4 &&
	    memcmp(s, "null", 4) == 0)
		col->vlen = 0;		/* null is an empty cell */
	return 0;
}

/* jsonl_csv_row - the record's cells in header order */
static void
jsonl_csv_row(struct conv *c, const char *text)
{
	const struct col *col;
	const char *s;
	size_t i;

	for (i = 0; i < c->ncols; i++) {
		col = &c->cols[i];
		if (i > 0)
			put(c->out, ",", 1);
		if (col->seen != c->nrec) {
			put_cfield(c->out, "", 0, 0, c->ncols == 1);
			continue;
		}
		s = (col->intmp ? c->tmp.p : text) + col->off;
		put_cfield(c->out, s, col->vlen, classify((const unsigned
		    char *)s, col->vlen), c->ncols == 1);
	}
	put(c->out, "\r\n", 2);
}

/* jsonl_json_member - one key and value copied into the JSON object */
static int
jsonl_json_member(struct conv *c, const struct jdoc *d, int i,
    const char *key, size_t klen, int first)
{
	const jsmntok_t *t = &d->tok[i + 1];
	const char *s = d->text + t->start;
	size_t n = (size_t)(t->end - t->start);

	put(c->out, first ? "{" : ",", 1);
	put_jstr(c->out, key, klen, classify((const unsigned char *)key,
	    klen));
	put(c->out, ":", 1);
	if (t->type != JSMN_STRING) {
		put(c->out, s, n);	/* primitive, or nested as it is */
		return 0;
	}
	if (memchr(s, '\\', n) == NULL) {
		put(c->out, s - 1, n + 2);
		return 0;
	}
	buf_reset(&c->tmp);
	if (json_unescape(&c->tmp, s, n) == -1)
		return -1;
	put_jstr(c->out, c->tmp.p, c->tmp.len,
	    classify((const unsigned char *)c->tmp.p, c->tmp.len));
	return 0;
}

/* jsonl_record - the members of object d onto the output */
static int
jsonl_record(struct conv *c, const struct jdoc *d)
{
	struct col *col;
	struct buf v;
	const char *s;
	size_t n;
	ssize_t ci;
	int i, k;

	buf_reset(&c->tmp);
	buf_init(&v);
	if (c->fmt == FMT_JSON)
		rec_open(c);
	for (i = 1, k = 0; k < d->tok[0].size; k++) {
		if (jkey(c, d->text, &d->tok[i], &s, &n) == -1) {
			fail(c, "%s: bad escape in a key", where(c));
			goto fail;
		}
		if ((ci = find_col(c, s, n, (size_t)k)) == -1) {
			fail(c, "%s: unknown field %s", where(c),
			    show(&v, s, n));
			goto fail;
		}
		col = &c->cols[ci];
		if (col->seen == c->nrec) {
			fail(c, "%s: duplicate field %s", where(c),
			    show(&v, s, n));
			goto fail;
		}
		col->seen = c->nrec;
		if ((c->fmt == FMT_CSV ? jsonl_value(c, d, i + 1, col) :
		    jsonl_json_member(c, d, i, s, n, k == 0)) == -1) {
			fail(c, "%s: bad escape in field %s", where(c),
			    show(&v, s, n));
			goto fail;
		}
		i = json_skip(d, i + 1);
	}
	if (c->fmt == FMT_CSV)
		jsonl_csv_row(c, d->text);
	else
		put(c->out, k == 0 ? "{}" : "}", k == 0 ? 2 : 1);
	c->nrec++;
	buf_free(&v);
	return 0;
fail:
	buf_free(&v);
	return -1;
}

/* jsonl_line - one line (without its "\n") */
static int
jsonl_line(struct conv *c, const char *s, size_t n)
{
	struct jdoc d;
	char jerr[ERRLEN - 64];
	size_t i;

	c->lineno++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i == n)
		return 0;		/* blank */
	if (json_parse(&d, s, n, jerr, sizeof(jerr)) == -1) {
		fail(c, "%s: invalid JSON: %s", where(c), jerr);
		return -1;
	}
	if (d.tok[0].type != JSMN_OBJECT) {
		fail(c, "%s: not a JSON object", where(c));
		goto fail;
	}
	if (!c->have_header && jsonl_header(c, &d) == -1)
		goto fail;
	if (jsonl_record(c, &d) == -1)
		goto fail;
	json_free(&d);
	return 0;
fail:
	json_free(&d);
	return -1;
}

/* jsonl_feed - split into lines; a line that spans chunks is copied */
static int
jsonl_feed(struct conv *c, const char *in, size_t n)
{
	const char *nl;
	size_t k;
	int r;

	while (n > 0 && !c->failed) {
		nl = memchr(in, '\n', n);
		k = nl ? (size_t)(nl - in) : n;
		if (c->line.len + k > REC_MAX) {
			c->lineno++;		/* the line being read */
			fail(c, "%s: longer than " REC_MAX_TEXT, where(c));
			break;
		}
		if (nl == NULL) {
			buf_add(&c->line, in, n);
			break;
		}
		if (c->line.len > 0) {
			buf_add(&c->line, in, k);
			r = jsonl_line(c, c->line.p, c->line.len);
			buf_reset(&c->line);
		} else
			r = jsonl_line(c, in, k);
		if (r == -1)
			break;
		in += k + 1;
		n -= k + 1;
	}
	return c->failed ? -1 : 0;
}

/* body - input past the BOM check */
static int
body(struct conv *c, const char *in, size_t n)
{
	return c->in == EMITS_CSV ? csv_feed(c, in, n) : jsonl_feed(c, in, n);
}

/* unbom - drop a UTF-8 BOM at the very start, which may come a byte at a
 * time; returns how much of in it used */
static size_t
unbom(struct conv *c, const char *in, size_t n)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };
	size_t used = 0;

	while (!c->started && used < n) {
		c->bom[c->nbom++] = (unsigned char)in[used++];
		if (c->bom[c->nbom - 1] != bom[c->nbom - 1]) {
			c->started = 1;
			body(c, (const char *)c->bom, c->nbom);
		} else if (c->nbom == 3)
			c->started = 1;
	}
	return used;
}

/* report - copy the error out */
static int
report(struct conv *c, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", c->err);
	return -1;
}

struct conv *
conv_new(enum emits in, enum format fmt, const struct column *types,
    size_t ntypes)
{
	struct conv *c;
	size_t i;

	kind_init();
	c = xcalloc(1, sizeof(*c));
	c->in = in == EMITS_JSONL ? EMITS_JSONL : EMITS_CSV;
	c->fmt = fmt == FMT_CSV ? FMT_CSV : FMT_JSON;	/* JSON by default */
	if (ntypes > 0) {
		c->types = xreallocarray(NULL, ntypes, sizeof(*c->types));
		for (i = 0; i < ntypes; i++) {
			c->types[i].name = xstrdup(types[i].name);
			c->types[i].type = types[i].type;
		}
		c->ntypes = ntypes;
	}
	buf_init(&c->line);
	buf_init(&c->tmp);
	buf_init(&c->key);
	buf_init(&c->fld);
	if (c->in == EMITS_CSV) {
		csv_init(&c->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
		c->lineno = 1;
		csv_set_space_func(&c->csv, nospace);
		csv_set_realloc_func(&c->csv, xrealloc);
		csv_set_blk_size(&c->csv, 64 * 1024);
		c->csv_ok = 1;
	}
	return c;
}

int
conv_feed(struct conv *c, const char *in, size_t n, struct buf *out,
    char *err, size_t errlen)
{
	size_t used;

	if (c->done && !c->failed)
		fail(c, "conversion already finished");
	if (c->failed)
		return report(c, err, errlen);
	c->out = out;
	used = unbom(c, in, n);
	if (!c->failed && used < n)
		body(c, in + used, n - used);
	c->out = NULL;
	return c->failed ? report(c, err, errlen) : 0;
}

int
conv_finish(struct conv *c, struct buf *out, char *err, size_t errlen)
{
	if (c->done && !c->failed)
		fail(c, "conversion already finished");
	if (c->failed)
		return report(c, err, errlen);
	c->done = 1;
	c->out = out;
	if (!c->started && c->nbom > 0) {
		c->started = 1;
		body(c, (const char *)c->bom, c->nbom);
	}
	if (c->failed)
		;
	else if (c->in == EMITS_CSV)
		csv_finish(c);
	else if (c->line.len > 0) {
		jsonl_line(c, c->line.p, c->line.len);
		buf_reset(&c->line);
	}
	if (!c->failed && c->fmt == FMT_JSON)
		put(out, c->nrec ? "\n]\n" : "[]\n", 3);
	c->out = NULL;
	return c->failed ? report(c, err, errlen) : 0;
}

int64_t
conv_records(const struct conv *c)
{
	return c->nrec;
}

void
conv_free(struct conv *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->csv_ok)
		csv_free(&c->csv);
	for (i = 0; i < c->ncols; i++) {
		free(c->cols[i].name);
		free(c->cols[i].jkey);
	}
	free(c->cols);
	for (i = 0; i < c->ntypes; i++)
		free(c->types[i].name);
	free(c->types);
	buf_free(&c->line);
	buf_free(&c->tmp);
	buf_free(&c->key);
	buf_free(&c->fld);
	free(c);
}
