/* json.c - JSON tokens from jsmn plus the checks jsmn leaves out (strict
 * literals and numbers, escapes, UTF-8, separators, a single value), and
 * JSON string escaping both ways. */
#define JSMN_IMPL
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"

/* One open container while the text between tokens is checked. */
struct jframe {
	int	 end;		/* offset just after its closing bracket */
	int	 obj;		/* 1 object, 0 array */
	int	 want_value;	/* object: a key was seen, its value is next */
	int	 n;		/* members seen */
};

/* jerr - "reason at byte N" into err; returns -1 */
static int __attribute__((format(printf, 4, 5)))
jerr(char *err, size_t errlen, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, " at byte %zu", off);
	return -1;
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_ws(const char *s, size_t p, size_t end)
{
	while (p < end && is_ws((unsigned char)s[p]))
		p++;
	return p;
}

/* what - a printable name for byte c in messages */
static const char *
what(int c, char *tmp)
{
	if (c > 0x20 && c < 0x7f)
		snprintf(tmp, 8, "'%c'", c);
	else
		snprintf(tmp, 8, "0x%02x", c & 0xff);
	return tmp;
}

/* hex4 - the code unit of the 4 hex digits at p, or -1 */
static long
hex4(const unsigned char *p)
{
	int a = hex_digit(p[0]), b = hex_digit(p[1]), c = hex_digit(p[2]),
	    d = hex_digit(p[3]);

	if (a < 0 || b < 0 || c < 0 || d < 0)
		return -1;
	return (long)a << 12 | b << 8 | c << 4 | d;
}

/*
 * escape - decodes the escape at p[0] == '\\' (n bytes available) into
 * code point *cp, joining a surrogate pair.  Returns its length, or 0
 * with *why set.
 */
static size_t
escape(const unsigned char *p, size_t n, long *cp, const char **why)
{
	long hi, lo;

	if (n < 2) {
		*why = "truncated escape";
		return 0;
	}
	switch (p[1]) {
	case '"':	*cp = '"'; return 2;
	case '\\':	*cp = '\\'; return 2;
	case '/':	*cp = '/'; return 2;
	case 'b':	*cp = '\b'; return 2;
	case 'f':	*cp = '\f'; return 2;
	case 'n':	*cp = '\n'; return 2;
	case 'r':	*cp = '\r'; return 2;
	case 't':	*cp = '\t'; return 2;
	case 'u':
		break;
	default:
		*why = "invalid escape";
		return 0;
	}
	if (n < 6 || (hi = hex4(p + 2)) < 0) {
		*why = "invalid \\u escape";
		return 0;
	}
	if (hi >= 0xDC00 && hi <= 0xDFFF) {
		*why = "lone low surrogate";
		return 0;
	}
	if (hi < 0xD800 || hi > 0xDBFF) {
		*cp = hi;
		return 6;
	}
	if (n < 12 || p[6] != '\\' || p[7] != 'u' ||
	    (lo = hex4(p + 8)) < 0xDC00 || lo > 0xDFFF) {
		*why = "lone high surrogate";
		return 0;
	}
	*cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	return 12;
}

/* utf8_seq - length of the well-formed UTF-8 sequence at p, or 0 */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;		/* stray continuation or overlong */
	if (c < 0xE0)
		return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c < 0xF0) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0;	/* overlong */
		if (c == 0xED && p[1] >= 0xA0)
			return 0;	/* UTF-16 surrogate */
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 ||
		    (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;	/* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* str_tab - 1 for the bytes in a string that need a closer look:
 * control characters, '\\' and non-ASCII */
static const unsigned char str_tab[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* check_string - escapes, control characters and UTF-8 of s[a..b) */
static int
check_string(const char *s, size_t a, size_t b, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *why;
	size_t i = a, k;
	long cp;

	while (i < b) {
		unsigned c = p[i];

		if (!str_tab[c]) {
			i++;
			continue;
		}
		if (c == '\\') {
			if ((k = escape(p + i, b - i, &cp, &why)) == 0)
				return jerr(err, errlen, i, "%s in a string",
				    why);
			i += k;
		} else if (c < 0x20) {
			return jerr(err, errlen, i, "raw control character "
			    "0x%02x in a string", c);
		} else {
			if ((k = utf8_seq(p + i, b - i)) == 0)
				return jerr(err, errlen, i,
				    "invalid UTF-8 in a string");
			i += k;
		}
	}
	return 0;
}

int
json_primitive_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0))
		return 1;
	if (n == 5 && memcmp(s, "false", 5) == 0)
		return 1;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return 0;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

/* lex - what jsmn (strict) makes of a byte outside strings */
enum { LX_OTHER, LX_WS, LX_OPEN, LX_CLOSE, LX_QUOTE, LX_SEP, LX_PRIM };

static const unsigned char lex_tab[256] = {
	[' '] = LX_WS, ['\t'] = LX_WS, ['\r'] = LX_WS, ['\n'] = LX_WS,
	['['] = LX_OPEN, ['{'] = LX_OPEN, [']'] = LX_CLOSE, ['}'] = LX_CLOSE,
	[','] = LX_SEP, [':'] = LX_SEP, ['"'] = LX_QUOTE,
	['-'] = LX_PRIM, ['0'] = LX_PRIM, ['1'] = LX_PRIM, ['2'] = LX_PRIM,
	['3'] = LX_PRIM, ['4'] = LX_PRIM, ['5'] = LX_PRIM, ['6'] = LX_PRIM,
	['7'] = LX_PRIM, ['8'] = LX_PRIM, ['9'] = LX_PRIM, ['t'] = LX_PRIM,
	['f'] = LX_PRIM, ['n'] = LX_PRIM,
};

/*
 * prescan - one linear pass over text that reads it as jsmn will (its
 * strings, its strict primitives) up to where jsmn would stop.  Refuses
 * nesting deeper than JSON_MAX_DEPTH at the bracket that passes it,
 * before jsmn runs: jsmn with parent links walks up from the last token
 * at each closing bracket, quadratic in depth (100,000 levels: 30 s).
 * The tokens jsmn will make go in *ntok, so that their array is
 * allocated once.  A bracket that does not match the open one stops the
 * scan there: jsmn stops on it too, and says why.
 */
static int
prescan(const char *text, size_t len, size_t *ntok, char *err,
    size_t errlen)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char open[JSON_MAX_DEPTH];	/* '[' or '{' per level */
	size_t i = 0, n = 0, depth = 0;
	unsigned c;

	while (i < len) {
		c = s[i];
		switch (lex_tab[c]) {
		case LX_WS:
		case LX_SEP:
			i++;
			break;
		case LX_OPEN:
			if (depth == JSON_MAX_DEPTH)
				return jerr(err, errlen, i, "nesting deeper "
				    "than %d", JSON_MAX_DEPTH);
			open[depth++] = (unsigned char)c;
			n++;
			i++;
			break;
		case LX_CLOSE:
			/* at depth 0 jsmn may go on (after "{}:" say); a
			 * mismatch it always refuses */
			if (depth > 0 && open[depth - 1] != (c == ']' ?
			    '[' : '{'))
				goto stop;
			if (depth > 0)
				depth--;
			i++;
			break;
		case LX_QUOTE:
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (i >= len)
				goto stop;	/* not closed */
			n++;
			i++;
			break;
		case LX_PRIM:
			/* to a blank, ',', ']' or '}', as jsmn reads it; one
			 * at the very end is counted (json_parse retries it
			 * with a blank after it) */
			for (; i < len; i++) {
				c = s[i];
				if (lex_tab[c] == LX_WS || c == ',' ||
				    lex_tab[c] == LX_CLOSE)
					break;
				if (c < 0x20 || c >= 0x7f)
					goto stop;
			}
			n++;
			break;
		default:
			goto stop;	/* jsmn refuses this byte */
		}
	}
stop:
	*ntok = n;
	return 0;
}

/*
 * tokenize - jsmn over text into a token array of ntok (what prescan
 * counted, at least 1); the offset where jsmn stopped goes in *stop.
 * The count is exact (fuzz-json checks it); were it short, jsmn says
 * so and resumes in an array twice as large.
 */
static int
tokenize(struct jdoc *d, const char *text, size_t len, size_t ntok,
    size_t *stop)
{
	jsmn_parser p;
	int r;

	if (ntok == 0)
		ntok = 1;
	d->tok = xreallocarray(d->tok, ntok, sizeof(*d->tok));
	jsmn_init(&p);
	while ((r = jsmn_parse(&p, text, len, d->tok, (unsigned)ntok)) ==
	    JSMN_ERROR_NOMEM && ntok <= INT_MAX / 4) {
		ntok *= 2;
		d->tok = xreallocarray(d->tok, ntok, sizeof(*d->tok));
	}
	d->tokcap = (int)ntok;
	d->ntok = (int)p.toknext;
	*stop = p.pos;
	return r < 0 ? r : 0;
}

/*
 * jsmn_fail - explains a jsmn error.  jsmn stops on the offending byte,
 * or on the opening quote of a bad string, or on the first byte of a
 * primitive holding a bad character.
 */
static int
jsmn_fail(struct jdoc *d, int r, const char *text, size_t len, size_t p,
    char *err, size_t errlen)
{
	char tmp[8];
	size_t q;
	int i;

	if (r == JSMN_ERROR_NOMEM)
		return jerr(err, errlen, 0, "document too large");
	if (r == JSMN_ERROR_PART) {
		/* where the innermost unclosed container starts */
		for (q = 0, i = 0; i < d->ntok; i++)
			if (d->tok[i].end == -1)
				q = (size_t)d->tok[i].start;
		if (p < len && text[p] == '"')
			q = p;
		return jerr(err, errlen, len, "unexpected end of input "
		    "(the value at byte %zu is not closed)", q);
	}
	if (p >= len)
		return jerr(err, errlen, len, "malformed JSON");
	if (text[p] == '"' && check_string(text, p + 1, len, err, errlen) < 0)
		return -1;
	if (strchr("-0123456789tfn", text[p]) != NULL) {
		for (q = p; q < len && strchr(" \t\r\n,]}", text[q]) == NULL;
		    q++)
			if ((unsigned char)text[q] < 0x20 ||
			    (unsigned char)text[q] >= 0x7f)
				return jerr(err, errlen, q, "unexpected %s in "
				    "a literal", what(text[q], tmp));
	}
	if (strchr("{[\"-0123456789tfn", text[p]) != NULL) {
		/* a value where jsmn wanted a key: what came before? */
		for (q = p; q > 0 && is_ws((unsigned char)text[q - 1]); q--)
			;
		return jerr(err, errlen, p, "unexpected %s (%s)",
		    what(text[p], tmp), q == 0 || strchr("{,", text[q - 1]) ?
		    "a key must be a string" : text[q - 1] == '"' ?
		    "expected ':' or ','" : "expected ','");
	}
	if (strchr("]}", text[p]) != NULL)
		return jerr(err, errlen, p, "unexpected %s (unmatched or "
		    "mismatched bracket)", what(text[p], tmp));
	return jerr(err, errlen, p, "unexpected %s", what(text[p], tmp));
}

/* sep - only blanks and the one separator sep (0: none) in s[a..b) */
static int
sep(const char *s, size_t a, size_t b, int want, const char *ctx,
    char *err, size_t errlen)
{
	char tmp[8];
	size_t p = skip_ws(s, a, b);

	if (want) {
		if (p == b || s[p] != want)
			return jerr(err, errlen, p < b ? p : b,
			    "expected '%c' %s", want, ctx);
		p = skip_ws(s, p + 1, b);
	}
	if (p != b)
		return jerr(err, errlen, p, "unexpected %s %s",
		    what(s[p], tmp), ctx);
	return 0;
}

/* close_frame - the text before a container's closing bracket */
static int
close_frame(const char *s, size_t pos, const struct jframe *f,
    char *err, size_t errlen)
{
	size_t b = (size_t)f->end - 1, p = skip_ws(s, pos, b);

	if (f->obj && f->want_value)
		return jerr(err, errlen, p, "missing value after key");
	if (p < b && s[p] == ',')
		return jerr(err, errlen, p, "trailing comma");
	return sep(s, pos, b, 0, "before closing bracket", err, errlen);
}

/* walk - checks every token and the text between tokens */
static int
walk(const struct jdoc *d, char *err, size_t errlen)
{
	const char *s = d->text;
	struct jframe local[32], *st = local, *f;
	size_t pos = 0, ts;
	int sp = 0, cap = 32, i, want;
	const char *ctx;
	const jsmntok_t *t;

	for (i = 0; i < d->ntok; i++) {
		t = &d->tok[i];
		ts = (size_t)t->start - (t->type == JSMN_STRING);
		while (sp > 0 && (size_t)st[sp - 1].end <= ts) {
			if (close_frame(s, pos, &st[sp - 1], err, errlen) < 0)
				goto fail;
			pos = (size_t)st[--sp].end;
		}
		want = 0;
		ctx = "before the value";
		if (sp == 0) {
			if (i != 0) {
				jerr(err, errlen, ts, "more than one "
				    "top-level value");
				goto fail;
			}
		} else if ((f = &st[sp - 1])->obj && !f->want_value) {
			if (t->type != JSMN_STRING) {
				jerr(err, errlen, ts, "expected a string key");
				goto fail;
			}
			want = f->n ? ',' : 0;
			ctx = "between members";
			f->want_value = 1;
		} else if (f->obj) {
			want = ':';
			ctx = "after key";
			f->want_value = 0;
			f->n++;
		} else {
			want = f->n++ ? ',' : 0;
			ctx = "between array elements";
		}
		if (sep(s, pos, ts, want, ctx, err, errlen) < 0)
			goto fail;
		switch (t->type) {
		case JSMN_OBJECT:
		case JSMN_ARRAY:
			if (sp >= JSON_MAX_DEPTH) {
				jerr(err, errlen, ts, "nesting deeper than %d",
				    JSON_MAX_DEPTH);
				goto fail;
			}
			if (sp == cap) {
				cap *= 2;
				if (st == local) {
					st = xreallocarray(NULL, (size_t)cap,
					    sizeof(*st));
					memcpy(st, local, sizeof(local));
				} else
					st = xreallocarray(st, (size_t)cap,
					    sizeof(*st));
			}
			st[sp].end = t->end;
			st[sp].obj = t->type == JSMN_OBJECT;
			st[sp].want_value = st[sp].n = 0;
			sp++;
			pos = ts + 1;
			break;
		case JSMN_STRING:
			if (check_string(s, (size_t)t->start, (size_t)t->end,
			    err, errlen) < 0)
				goto fail;
			pos = (size_t)t->end + 1;
			break;
		default:
			if (!json_primitive_valid(s + t->start,
			    (size_t)(t->end - t->start))) {
				jerr(err, errlen, ts, "invalid literal or "
				    "number '%.*s'", t->end - t->start > 32 ?
				    32 : t->end - t->start, s + t->start);
				goto fail;
			}
			pos = (size_t)t->end;
			break;
		}
	}
	while (sp > 0) {
		if (close_frame(s, pos, &st[sp - 1], err, errlen) < 0)
			goto fail;
		pos = (size_t)st[--sp].end;
	}
	ts = skip_ws(s, pos, d->len);
	if (ts != d->len) {
		jerr(err, errlen, ts, "trailing data after the value");
		goto fail;
	}
	if (st != local)
		free(st);
	return 0;
fail:
	if (st != local)
		free(st);
	return -1;
}

int
json_string_valid(const char *s, size_t n)
{
	return check_string(s, 0, n, NULL, 0) == 0;
}

int
json_parse(struct jdoc *d, const char *text, size_t len, char *err,
    size_t errlen)
{
	const char *nul;
	char *copy = NULL;
	size_t stop, ntok;
	int r;

	d->text = text;
	d->len = len;
	d->tok = NULL;
	d->ntok = 0;
	d->tokcap = 0;
	if (len >= INT_MAX / 2) {
		jerr(err, errlen, 0, "document too large");
		goto fail;
	}
	if ((nul = memchr(text, '\0', len)) != NULL) {
		jerr(err, errlen, (size_t)(nul - text), "NUL byte");
		goto fail;
	}
	if (prescan(text, len, &ntok, err, errlen) < 0)
		goto fail;
	r = tokenize(d, text, len, ntok, &stop);
	if (r == JSMN_ERROR_PART && len > 0 &&
	    strchr("]}\" \t\r\n", text[len - 1]) == NULL) {
		/* strict jsmn calls a bare number or literal that ends the
		 * text partial: once more with a blank after it */
		copy = xmalloc(len + 2);
		memcpy(copy, text, len);
		memcpy(copy + len, " ", 2);
		r = tokenize(d, copy, len + 1, ntok, &stop);
		free(copy);
	}
	if (r < 0) {
		jsmn_fail(d, r, text, len, stop, err, errlen);
		goto fail;
	}
	if (d->ntok == 0) {
		jerr(err, errlen, skip_ws(text, 0, len), "empty document");
		goto fail;
	}
	if (walk(d, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	json_free(d);
	return -1;
}

void
json_free(struct jdoc *d)
{
	free(d->tok);
	d->tok = NULL;
	d->ntok = 0;
}

int
json_skip(const struct jdoc *d, int i)
{
	int end;

	if (i < 0 || i >= d->ntok)
		return d->ntok;
	if (d->tok[i].type != JSMN_OBJECT && d->tok[i].type != JSMN_ARRAY)
		return i + 1;
	end = d->tok[i].end;
	for (i++; i < d->ntok && d->tok[i].start < end; i++)
		;
	return i;
}

int
json_get(const struct jdoc *d, int obj, const char *key)
{
	int k, n;

	if (obj < 0 || obj >= d->ntok || d->tok[obj].type != JSMN_OBJECT)
		return -1;
	k = obj + 1;
	for (n = d->tok[obj].size; n > 0; n--) {
		if (json_eq(d, k, key))
			return k + 1;
		k = json_skip(d, k + 1);
	}
	return -1;
}

int
json_eq(const struct jdoc *d, int i, const char *s)
{
	const jsmntok_t *t;
	struct buf b;
	size_t n;
	int eq;

	if (i < 0 || i >= d->ntok || d->tok[i].type != JSMN_STRING)
		return 0;
	t = &d->tok[i];
	n = (size_t)(t->end - t->start);
	if (memchr(d->text + t->start, '\\', n) == NULL)
		return strlen(s) == n && memcmp(d->text + t->start, s, n) == 0;
	buf_init(&b);
	eq = json_unescape(&b, d->text + t->start, n) == 0 &&
	    b.len == strlen(s) && memcmp(b.p, s, b.len) == 0;
	buf_free(&b);
	return eq;
}

char *
json_str(const struct jdoc *d, int i, size_t *len)
{
	const jsmntok_t *t;
	struct buf b;

	if (i < 0 || i >= d->ntok || d->tok[i].type != JSMN_STRING) {
		errno = EINVAL;
		return NULL;
	}
	t = &d->tok[i];
	buf_init(&b);
	buf_add(&b, "", 0);
	if (json_unescape(&b, d->text + t->start,
	    (size_t)(t->end - t->start)) < 0 ||
	    memchr(b.p, '\0', b.len) != NULL) {
		buf_free(&b);
		errno = EINVAL;
		return NULL;
	}
	if (len)
		*len = b.len;
	return buf_steal(&b);
}

/* put_utf8 - code point cp as UTF-8 onto out */
static void
put_utf8(struct buf *out, long cp)
{
	char u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		buf_add(out, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 3);
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		buf_add(out, u, 4);
	}
}

int
json_unescape(struct buf *out, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *q;
	const char *why;
	size_t k;
	long cp;

	while (p < end) {
		if ((q = memchr(p, '\\', (size_t)(end - p))) == NULL) {
			buf_add(out, p, (size_t)(end - p));
			break;
		}
		if (q > p)
			buf_add(out, p, (size_t)(q - p));
		k = escape((const unsigned char *)q, (size_t)(end - q), &cp,
		    &why);
		if (k == 0)
			return -1;
		put_utf8(out, cp);
		p = q + k;
	}
	return 0;
}

int
json_int(const struct jdoc *d, int i, int64_t *v)
{
	const char *s;
	size_t n, k = 0;
	int neg = 0;
	uint64_t x = 0, lim;

	if (i < 0 || i >= d->ntok || d->tok[i].type != JSMN_PRIMITIVE)
		return -1;
	s = d->text + d->tok[i].start;
	n = (size_t)(d->tok[i].end - d->tok[i].start);
	if (n > 0 && s[0] == '-') {
		neg = 1;
		k = 1;
	}
	if (k == n)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		if (x > (lim - (uint64_t)(s[k] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[k] - '0');
	}
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

int
json_bool(const struct jdoc *d, int i)
{
	const jsmntok_t *t;

	if (i < 0 || i >= d->ntok || d->tok[i].type != JSMN_PRIMITIVE)
		return -1;
	t = &d->tok[i];
	if (t->end - t->start == 4 && memcmp(d->text + t->start, "true", 4) == 0)
		return 1;
	if (t->end - t->start == 5 &&
	    memcmp(d->text + t->start, "false", 5) == 0)
		return 0;
	return -1;
}

/* esc_tab - 1 for the bytes json_quote must not copy as they are:
 * control characters, '"', '\\' and DEL */
static const unsigned char esc_tab[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

void
json_quote(struct buf *out, const char *s, size_t n)
{
	buf_add(out, "\"", 1);
	json_escape(out, s, n);
	buf_add(out, "\"", 1);
}

void
json_escape(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char e[6];
	size_t i = 0, j;

	while (i < n) {
		for (j = i; j < n && !esc_tab[p[j]]; j++)
			;
		if (j > i)
			buf_add(out, s + i, j - i);
		if (j == n)
			break;
		e[0] = '\\';
		switch (p[j]) {
		case '"':	e[1] = '"'; break;
		case '\\':	e[1] = '\\'; break;
		case '\b':	e[1] = 'b'; break;
		case '\f':	e[1] = 'f'; break;
		case '\n':	e[1] = 'n'; break;
		case '\r':	e[1] = 'r'; break;
		case '\t':	e[1] = 't'; break;
		default:
			memcpy(e + 1, "u00", 3);
			e[4] = hex[p[j] >> 4];
			e[5] = hex[p[j] & 0xf];
			buf_add(out, e, 6);
			i = j + 1;
			continue;
		}
		buf_add(out, e, 2);
		i = j + 1;
	}
}

void
json_quote_lossy(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf clean;
	size_t i = 0, k;

	while (i < n && (k = utf8_seq(p + i, n - i)) != 0)
		i += k;
	if (i == n) {
		json_quote(out, s, n);
		return;
	}
	buf_init(&clean);
	buf_add(&clean, s, i);
	while (i < n) {
		if ((k = utf8_seq(p + i, n - i)) == 0) {
			buf_add(&clean, "\xef\xbf\xbd", 3);	/* U+FFFD */
			k = 1;
		} else
			buf_add(&clean, s + i, k);
		i += k;
	}
	json_quote(out, clean.p, clean.len);
	buf_free(&clean);
}
