/* convert.h - what the converter's files share (convert.c: the output
 * and the interface; convert_csv.c: CSV input; convert_jsonl.c: JSON
 * Lines input): the converter's state, the byte classes and the inlined
 * writers of the hot loops.  Private to them; xspool.h's convert.c
 * section is the interface. */
#ifndef CONVERT_H
#define CONVERT_H

#include <csv.h>
#include <stdint.h>

#define REC_MAX		CONV_REC_MAX	/* one record, or one line */
#define REC_MAX_TEXT	"16 MiB"
#define CSV_SLICE	(64 * 1024)	/* libcsv gets at most this at once */
#define CSV_ROW_NOT_BEGUN 0	/* libcsv's pstate between rows (libcsv.c) */
#define SHOW_MAX	48	/* bytes of a bad value quoted in an error */
#define BADQUOTE	"malformed CSV: a quote inside an unquoted field, " \
			"or text after a closing quote"


/* byte classes for the hot loops */
#define K_HIGH	1	/* >= 0x80: the field must be checked as UTF-8 */
#define K_JESC	2	/* escaped in a JSON string */
#define K_CQUOTE 4	/* makes a CSV field need quotes */
#define K_STOP	8	/* ends an unquoted field for the fast path */

extern unsigned char conv_kind[256];	/* K_ bits of each byte */

struct col {
	char		*name;		/* unescaped, NUL-terminated */
	size_t		 len;
	char		*jkey;		/* "{\"name\":" or ",\"name\":" */
	size_t		 jlen;
	enum coltype	 type;
	int64_t		 seen;		/* JSONL: record that last set it */
	int		 intmp;		/* JSONL: value is in tmp, not line */
	size_t		 off, vlen;	/* JSONL: the value */
	int		 plain;		/* JSONL: the name needs no escape
					 * in a key (the fast path) */
	int		 fstr, fesc;	/* JSONL fast path: the value is a
					 * string, holding an escape */
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
				k |= conv_kind[s[i]];
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
			k |= conv_kind[s[i + j]];
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
static inline void
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

/* rec_open - what goes before a record's first field in JSON */
static inline void
rec_open(struct conv *c)
{
	if (c->fmt == FMT_JSON)
		put(c->out, c->nrec == 0 ? "[\n" : ",\n", 2);
}

const char *show(struct buf *b, const char *s, size_t n);
void	 fail(struct conv *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
const char *where(struct conv *c);
void	 col_add(struct conv *c, const char *name, size_t len);
int	 header_done(struct conv *c);
void	 field_put(struct conv *c, const char *s, size_t n, int k);
int	 nospace(unsigned char ch);
int	 csv_feed(struct conv *c, const char *in, size_t n);
int	 csv_finish(struct conv *c);
int	 jsonl_line(struct conv *c, const char *s, size_t n);
int	 jsonl_feed(struct conv *c, const char *in, size_t n);

#endif /* CONVERT_H */
