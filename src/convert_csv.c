/* convert_csv.c - the converter's CSV reader: libcsv, and a fast path
 * for rows of plain unquoted fields, each field handed to field_put. */
#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "convert.h"

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
int
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
		if (conv_kind[*s] & K_STOP) {
			*kp = k;
			return (const char *)s;
		}
		k |= conv_kind[*s];
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
int
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
int
csv_finish(struct conv *c)
{
	if (csv_fini(&c->csv, csv_field, csv_row, c) != 0 && !c->failed)
		fail(c, "%s: unterminated quoted field", where(c));
	return c->failed ? -1 : 0;
}
