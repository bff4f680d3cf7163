/* sqlq.c - the ":name" placeholders of a SQL query, found the way the
 * database's lexer would (strings, identifiers, comments skipped), so
 * that config_type.c can check them against the type's params and
 * xspool-sql can bind them: a value is never pasted into the query's
 * text. */
#include <string.h>

#include "xspool.h"

static int
name_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* skip_quoted - past the closing q of a string opened at s[-1]; a
 * doubled q stays inside; with bs, a backslash escapes the next byte */
static const char *
skip_quoted(const char *s, char q, int bs)
{
	for (; *s != '\0'; s++) {
		if (bs && *s == '\\' && s[1] != '\0')
			s++;
		else if (*s == q) {
			if (s[1] != q)
				return s + 1;
			s++;
		}
	}
	return s;
}

/* skip_dollar - s at '$': past a $tag$...$tag$ body, or NULL when s does
 * not open one ($1 is a positional parameter) */
static const char *
skip_dollar(const char *s)
{
	const char *t = s + 1, *e;
	size_t n;

	while (name_char((unsigned char)*t) && !(t == s + 1 && *t >= '0' &&
	    *t <= '9'))
		t++;
	if (*t != '$')
		return NULL;
	n = (size_t)(t - s) + 1;	/* "$tag$" */
	for (e = t + 1; (e = strchr(e, '$')) != NULL; e++)
		if (strncmp(e, s, n) == 0)
			return e + n;
	return s + strlen(s);
}

/* skip_block - past a (PostgreSQL: nested) block comment opened at s */
static const char *
skip_block(const char *s, int pg)
{
	int depth = 1;

	for (s += 2; *s != '\0'; s++) {
		if (s[0] == '*' && s[1] == '/') {
			s++;
			if (--depth == 0)
				return s + 1;
		} else if (pg && s[0] == '/' && s[1] == '*') {
			s++;
			depth++;
		}
	}
	return s;
}

int
sqlq_scan(const char *q, int pg, sqlq_fn fn, void *arg)
{
	const char *s = q, *e;
	int r;

	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;

		if (c == '\'') {
			int bs = pg && s > q && (s[-1] == 'E' ||
			    s[-1] == 'e') && (s - 1 == q ||
			    !name_char((unsigned char)s[-2]));
			s = skip_quoted(s + 1, '\'', bs);
		} else if (c == '"')
			s = skip_quoted(s + 1, '"', 0);
		else if (!pg && c == '`')
			s = skip_quoted(s + 1, '`', 0);
		else if (!pg && c == '[')
			s = (e = strchr(s, ']')) ? e + 1 : s + strlen(s);
		else if (c == '-' && s[1] == '-')
			s += strcspn(s, "\n");
		else if (c == '/' && s[1] == '*')
			s = skip_block(s, pg);
		else if (pg && c == '$' && (s == q ||
		    !name_char((unsigned char)s[-1])) &&
		    (e = skip_dollar(s)) != NULL)
			s = e;
		else if (c == ':' && s[1] == ':')
			s += 2;
		else if (c == ':' && name_start((unsigned char)s[1]) &&
		    (s == q || s[-1] != ':')) {
			for (e = s + 1; name_char((unsigned char)*e); e++)
				;
			if ((r = fn(s + 1, (size_t)(e - s - 1),
			    (size_t)(s - q), arg)) != 0)
				return r;
			s = e;
		} else if (name_char(c)) {
			while (name_char((unsigned char)*s) || *s == '$')
				s++;	/* a word: "a$b" is one in PostgreSQL */
		} else
			s++;
	}
	return 0;
}
