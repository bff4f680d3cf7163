/* convert.c - the exporter's records (CSV through libcsv, or JSON Lines
 * through json.c) into one JSON array or RFC 4180 CSV, streaming, holding
 * at most one record (REC_MAX bytes) whatever the size of the export.
 * Here: the output (header, typed values, records) and the interface;
 * the CSV reader is convert_csv.c's, the JSON Lines reader
 * convert_jsonl.c's (convert.h is what they share). */
#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "convert.h"

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


unsigned char conv_kind[256];

/* kind_init - fill the byte class table (idempotent) */
static void
kind_init(void)
{
	int i;

	for (i = 0; i < 256; i++) {
		conv_kind[i] = 0;
		if (i >= 0x80)
			conv_kind[i] |= K_HIGH;
		if (i < 0x20 || i == '"' || i == '\\' || i == 0x7f)
			conv_kind[i] |= K_JESC;
		if (i == ',' || i == '"' || i == '\r' || i == '\n')
			conv_kind[i] |= K_CQUOTE | K_STOP;
	}
}

/* show - s as a short quoted string for an error message */
const char *
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
void
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
const char *
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
void
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
int
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
		col->plain = !(classify((const unsigned char *)col->name,
		    col->len) & K_JESC);
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
void
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
		seterr(err, errlen, "%s", c->err);
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

void
conv_csv_field(struct buf *b, const char *s, size_t n, int alone)
{
	if (!(conv_kind[','] & K_CQUOTE))
		kind_init();	/* no converter made the table yet */
	put_cfield(b, s, n, classify((const unsigned char *)s, n), alone);
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
