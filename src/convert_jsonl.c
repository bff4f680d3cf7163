/* convert_jsonl.c - the converter's JSON Lines reader: one object a line
 * (json.c checks it), its keys the header, its values typed as the
 * columns say, into JSON or CSV records. */
#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "convert.h"

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

/*
 * The fast path, for every record after the first: a flat object whose
 * keys are the header's, in its order (what an exporter writes, and
 * xspool-sql always), checked and converted in one pass over the line
 * instead of json_parse's three (counting, jsmn, the checks).  It takes
 * a line only when json_parse would take it and writes the same bytes
 * as jsonl_record; anything else (a nested value, another order, a
 * key with an escape, an error) goes the general way, which writes
 * nothing before it.
 */

/* fast_ws - past blanks (all a line can hold: it has no LF) */
static inline size_t
fast_ws(const char *s, size_t p, size_t n)
{
	while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r'))
		p++;
	return p;
}

/* fast_string - the string that starts after the quote at p: its end
 * (the closing quote), *esc when it holds an escape; 0 when it is not
 * one json_parse takes */
static inline size_t
fast_string(const char *s, size_t p, size_t n, int *esc)
{
	const char *q;
	size_t e;
	int k;

	if ((q = memchr(s + p, '"', n - p)) == NULL)
		return 0;
	e = (size_t)(q - s);
	k = classify_in((const unsigned char *)s + p, e - p, n - p);
	*esc = 0;
	if (!(k & (K_JESC | K_HIGH)))
		return e;		/* plain text */
	/* the true end, past escaped quotes */
	for (e = p; e < n && s[e] != '"'; e++)
		if (s[e] == '\\') {
			*esc = 1;
			e++;
		}
	if (e >= n || !json_string_valid(s + p, e - p))
		return 0;
	return e;
}

/* jsonl_fast - the record on line s[0..n) by the fast path: 1 done, 0
 * not taken (nothing written) */
static int
jsonl_fast(struct conv *c, const char *s, size_t n)
{
	struct col *col;
	size_t p, e, k;
	int esc;

	p = fast_ws(s, 0, n);
	if (p >= n || s[p] != '{')
		return 0;
	p = fast_ws(s, p + 1, n);
	for (k = 0; ; k++) {
		if (k >= c->ncols || p >= n || s[p] != '"')
			return 0;
		col = &c->cols[k];
		/* the key, as it is, is the column's name (a plain one) */
		if (!col->plain || p + 1 + col->len >= n ||
		    memcmp(s + p + 1, col->name, col->len) != 0 ||
		    s[p + 1 + col->len] != '"')
			return 0;
		p = fast_ws(s, p + col->len + 2, n);
		if (p >= n || s[p] != ':')
			return 0;
		p = fast_ws(s, p + 1, n);
		if (p >= n)
			return 0;
		if (s[p] == '"') {
			if ((e = fast_string(s, p + 1, n, &esc)) == 0)
				return 0;
			col->fstr = 1;
			col->fesc = esc;
			col->off = p + 1;
			col->vlen = e - p - 1;
			p = e + 1;
		} else {
			for (e = p; e < n && s[e] != ',' && s[e] != '}' &&
			    s[e] != ' ' && s[e] != '\t' && s[e] != '\r'; e++)
				;
			if (!json_primitive_valid(s + p, e - p))
				return 0;	/* nested, or not JSON */
			col->fstr = 0;
			col->off = p;
			col->vlen = e - p;
			p = e;
		}
		p = fast_ws(s, p, n);
		if (p < n && s[p] == ',') {
			p = fast_ws(s, p + 1, n);
			continue;
		}
		if (p < n && s[p] == '}' && fast_ws(s, p + 1, n) == n)
			break;
		return 0;
	}
	/* checked: now written, as jsonl_record would */
	buf_reset(&c->tmp);
	if (c->fmt == FMT_JSON) {
		rec_open(c);
		for (e = 0; e <= k; e++) {
			col = &c->cols[e];
			put(c->out, col->jkey, col->jlen);
			if (!col->fstr)
				put(c->out, s + col->off, col->vlen);
			else if (!col->fesc)
				put(c->out, s + col->off - 1, col->vlen + 2);
			else {
				buf_reset(&c->tmp);
				if (json_unescape(&c->tmp, s + col->off,
				    col->vlen) == -1)
					return -1;	/* checked above */
				put_jstr(c->out, c->tmp.p, c->tmp.len,
				    classify((const unsigned char *)c->tmp.p,
				    c->tmp.len));
			}
		}
		put(c->out, "}", 1);
	} else {
		for (e = 0; e <= k; e++) {
			col = &c->cols[e];
			col->seen = c->nrec;
			col->intmp = 0;
			if (col->fstr && col->fesc) {
				size_t at = c->tmp.len;

				if (json_unescape(&c->tmp, s + col->off,
				    col->vlen) == -1)
					return -1;
				col->intmp = 1;
				col->off = at;
				col->vlen = c->tmp.len - at;
			} else if (!col->fstr && col->vlen == 4 &&
			    memcmp(s + col->off, "null", 4) == 0)
				col->vlen = 0;
		}
		jsonl_csv_row(c, s);
	}
	c->nrec++;
	return 1;
}

/* jsonl_line - one line (without its "\n") */
int
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
	if (c->have_header && c->ncols > 0) {
		switch (jsonl_fast(c, s, n)) {
		case 1:
			return 0;
		case -1:
			fail(c, "%s: bad escape", where(c));
			return -1;
		}
	}
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
int
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
