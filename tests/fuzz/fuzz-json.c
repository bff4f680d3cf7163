/* fuzz-json.c - json.c on any bytes: json_parse, then every accessor on
 * every token; a string unescaped and quoted again parses back to itself;
 * json_quote_lossy of anything is valid JSON. */
#include "fuzz.h"

/* json_requote - string token i: json_str, json_quote, parse, json_str
 * again gives the same bytes */
static void
json_requote(const struct jdoc *d, int i)
{
	struct jdoc d2;
	struct buf b;
	char err[ERRLEN], *s, *s2;
	size_t n, n2;

	if ((s = json_str(d, i, &n)) == NULL)
		return;		/* a \u0000: refused, as documented */
	fuzz_check(json_eq(d, i, s), "json_eq of its own json_str");
	buf_init(&b);
	json_quote(&b, s, n);
	fuzz_check(json_parse(&d2, b.p, b.len, err, sizeof(err)) == 0,
	    "json_quote output does not parse: %s", err);
	s2 = json_str(&d2, 0, &n2);
	fuzz_check(s2 != NULL && n2 == n && memcmp(s, s2, n) == 0,
	    "quote/unquote changed the string");
	free(s2);
	json_free(&d2);
	buf_free(&b);
	free(s);
}

/* json_tokens - every accessor on every token of d */
static void
json_tokens(const struct jdoc *d)
{
	int64_t v;
	int i, k, n, next;

	for (i = 0; i < d->ntok; i++) {
		fuzz_check(d->tok[i].start >= 0 && d->tok[i].end >= 0 &&
		    d->tok[i].start <= d->tok[i].end &&
		    (size_t)d->tok[i].end <= d->len, "token %d out of the"
		    " text", i);
		next = json_skip(d, i);
		fuzz_check(next > i && next <= d->ntok, "json_skip(%d) = %d",
		    i, next);
		switch (d->tok[i].type) {
		case JSMN_STRING:
			json_requote(d, i);
			break;
		case JSMN_PRIMITIVE:
			fuzz_check(json_primitive_valid(d->text +
			    d->tok[i].start, (size_t)(d->tok[i].end -
			    d->tok[i].start)), "an invalid primitive passed");
			(void)json_int(d, i, &v);
			(void)json_bool(d, i);
			break;
		case JSMN_OBJECT:
			n = d->tok[i].size;
			for (k = i + 1; n > 0; n--, k = json_skip(d, k + 1)) {
				char *key = json_str(d, k, NULL);

				if (key != NULL)
					fuzz_check(json_get(d, i, key) != -1,
					    "json_get misses a key");
				free(key);
			}
			(void)json_get(d, i, "type");
			break;
		default:
			break;
		}
	}
}

int
fuzz_json(const uint8_t *data, size_t size)
{
	struct jdoc d;
	struct buf b;
	char err[ERRLEN], *text;

	/* an exact-size copy: a read past the end is caught */
	text = xmalloc(size ? size : 1);
	memcpy(text, data, size);
	if (json_parse(&d, text, size, err, sizeof(err)) == 0) {
		fuzz_check(d.ntok > 0, "a document without tokens");
		fuzz_check(d.tokcap == d.ntok, "prescan counted %d tokens, "
		    "jsmn made %d", d.tokcap, d.ntok);
		json_tokens(&d);
		json_free(&d);
	} else
		fuzz_check(err[0] != '\0', "a refusal without a reason");
	(void)json_primitive_valid(text, size);
	(void)utf8_valid(text, size);

	buf_init(&b);
	json_quote_lossy(&b, text, size);
	fuzz_check(json_parse(&d, b.p, b.len, err, sizeof(err)) == 0,
	    "json_quote_lossy output does not parse: %s", err);
	json_free(&d);
	buf_reset(&b);
	(void)json_unescape(&b, text, size);
	buf_free(&b);
	free(text);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_json(data, size);
}
#endif
