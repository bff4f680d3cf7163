/* t-json.c - unit tests of json.c: strict parsing, escaping both ways,
 * helpers, and linear time on a large array. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xspool.h"
#include "tap.h"

/* parses - 1 when s parses; the reason goes in err */
static int
parses(const char *s, size_t n, char *err)
{
	struct jdoc d;
	int r;

	err[0] = '\0';
	r = json_parse(&d, s, n, err, ERRLEN);
	json_free(&d);
	return r == 0;
}

static void
good(const char *s, const char *why)
{
	char err[ERRLEN];
	int r = parses(s, strlen(s), err);

	ok(r, "accepts %s", why);
	if (err[0])
		printf("#   %s\n", err);
}

/* bad - refused, and the reason mentions want */
static void
bad(const char *s, size_t n, const char *want, const char *why)
{
	char err[ERRLEN];
	int r = parses(s, n, err);

	ok(!r && strstr(err, want) != NULL && strstr(err, "byte") != NULL,
	    "refuses %s", why);
	if (r || strstr(err, want) == NULL)
		printf("#   err: '%s' (want '%s')\n", err, want);
}

static void
test_valid(void)
{
	good("{}", "an empty object");
	good(" [ ] ", "an empty array with blanks");
	good("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
	    "nested values");
	good("42", "a bare number at the end");
	good("42 \n", "a bare number and blanks");
	good("-0.5e+10", "a bare float with exponent");
	good("true", "a bare literal");
	good("\"x\"", "a bare string");
	good("[0,-1,1.5,2e3,2E-3,-0.0]", "numbers in all RFC 8259 forms");
	good("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"",
	    "every escape and a surrogate pair");
	good("\"\xc5\xbdlu\xc5\xa5ou\xc4\x8dk\xc3\xbd k\xc5\xaf\xc5\x88 "
	    "\xf0\x9f\x90\xb4\"", "UTF-8 text");
	good("{\"a\" : 1 ,\n\t\"b\" :\r\n2}", "blanks around separators");
}

static void
test_invalid(void)
{
	char deep[2 * (JSON_MAX_DEPTH + 10) + 1];
	size_t i;

	bad("", 0, "empty", "an empty text");
	bad("   ", 3, "empty", "blanks only");
	bad("{\"a\":1", 6, "end of input", "a truncated object");
	bad("[1,2", 4, "end of input", "a truncated array");
	bad("\"abc", 4, "end of input", "an unterminated string");
	bad("{\"a\":tru}", 9, "tru", "tru");
	bad("[1.2.3e]", 8, "1.2.3e", "1.2.3e");
	bad("[01]", 4, "01", "a leading zero");
	bad("[1.]", 4, "1.", "a number ending in a dot");
	bad("[.5]", 4, "unexpected", "a number starting with a dot");
	bad("[1e]", 4, "1e", "an empty exponent");
	bad("[-]", 3, "-", "a lone minus");
	bad("[nul]", 5, "nul", "nul");
	bad("[TRUE]", 6, "unexpected", "TRUE");
	bad("[1,2,]", 6, "trailing comma", "[1,2,]");
	bad("{\"a\":1,}", 8, "trailing comma", "a trailing comma in an object");
	bad("[1 2]", 5, "expected ','", "a missing comma in an array");
	bad("{\"a\":1 \"b\":2}", 13, "expected ','",
	    "a missing comma in an object");
	bad("{\"a\" 1}", 7, "", "a missing colon");
	bad("{\"a\" \"b\"}", 9, "expected ':'", "a missing colon before a "
	    "string");
	bad("{\"a\":}", 6, "missing value", "a key without a value");
	bad("{\"a\"}", 5, "missing value", "a key alone");
	bad("[,1]", 4, "unexpected ','", "a leading comma");
	bad("\"a\nb\"", 5, "control character 0x0a", "a raw newline in a "
	    "string");
	bad("\"a\tb\"", 5, "control character 0x09", "a raw tab in a string");
	bad("\"\\x\"", 4, "invalid escape", "a bad escape \\x");
	bad("\"\\u12\"", 6, "", "a short \\u escape");
	bad("\"\\u12g4\"", 8, "", "a non-hex \\u escape");
	bad("\"\\ud800\"", 8, "lone high surrogate", "a lone high surrogate");
	bad("\"\\ud800\\u0041\"", 14, "lone high surrogate",
	    "a high surrogate before a non-surrogate");
	bad("\"\\udc00\"", 8, "lone low surrogate", "a lone low surrogate");
	bad("\"\xff\"", 3, "UTF-8", "the byte 0xff");
	bad("\"\x80\"", 3, "UTF-8", "a stray continuation byte");
	bad("\"\xc3\"", 3, "UTF-8", "a truncated sequence");
	bad("\"\xc0\xaf\"", 4, "UTF-8", "an overlong 2-byte '/'");
	bad("\"\xe0\x80\xaf\"", 5, "UTF-8", "an overlong 3-byte '/'");
	bad("\"\xf0\x80\x80\xaf\"", 6, "UTF-8", "an overlong 4-byte '/'");
	bad("\"\xed\xa0\x80\"", 5, "UTF-8", "a surrogate encoded in UTF-8");
	bad("\"\xf4\x90\x80\x80\"", 6, "UTF-8", "a code point over U+10FFFF");
	bad("{} {}", 5, "more than one top-level", "two top-level objects");
	bad("1 2", 3, "more than one top-level", "two top-level numbers");
	bad("{}x", 3, "", "trailing garbage");
	bad("{}\0", 3, "NUL", "a trailing NUL byte");
	bad("{\"a\":\"b\0c\"}", 10, "NUL", "a NUL byte in a string");
	bad("{1:2}", 5, "", "a number as key");
	bad("[1}", 3, "", "mismatched brackets");
	bad("tru", 3, "'tru'", "a bare tru at the end");
	bad("fals", 4, "'fals'", "a bare fals at the end");
	bad("-", 1, "'-'", "a bare minus at the end");
	bad("[1, 2", 5, "end of input", "an array cut after a number");
	bad("]", 1, "", "a lone closing bracket");
	for (i = 0; i < JSON_MAX_DEPTH + 10; i++) {
		deep[i] = '[';
		deep[2 * (JSON_MAX_DEPTH + 10) - 1 - i] = ']';
	}
	bad(deep, sizeof(deep) - 1, "nesting", "nesting deeper than the "
	    "limit");
	memset(deep, 0, sizeof(deep));
	for (i = 0; i < JSON_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[2 * JSON_MAX_DEPTH - 1 - i] = ']';
	}
	good(deep, "nesting at the limit");
}

/* rep - n copies of s onto b */
static void
rep(struct buf *b, const char *s, size_t n)
{
	size_t k = strlen(s);

	while (n-- > 0)
		buf_add(b, s, k);
}

/*
 * test_depth - nesting past the limit is refused by the pass before
 * jsmn (which would take 30 s over 100,000 levels, quadratic in depth):
 * jsmn is never given a token, and the message names the depth and the
 * offending bracket's offset.  Brackets inside strings and primitives
 * (as jsmn reads them) do not count.  Under the limit, the token array
 * is exactly what jsmn used.
 */
static void
test_depth(void)
{
	char err[ERRLEN], want[64];
	struct jdoc d;
	struct buf b;
	int r;

	buf_init(&b);
	rep(&b, "{\"a\":", 100000);		/* the 600 KB drop of issue 11 */
	buf_add(&b, "1", 1);
	rep(&b, "}", 100000);
	r = json_parse(&d, b.p, b.len, err, sizeof(err));
	snprintf(want, sizeof(want), "nesting deeper than %d at byte %d",
	    JSON_MAX_DEPTH, 5 * JSON_MAX_DEPTH);
	ok(r == -1 && strcmp(err, want) == 0, "100,000 nested objects "
	    "(%zu bytes) are refused: %s", b.len, err);
	ok(d.tokcap == 0 && d.tok == NULL, "... before jsmn is given a "
	    "single token (tokcap %d)", d.tokcap);

	buf_reset(&b);
	rep(&b, "[", 100000);			/* not even closed */
	r = json_parse(&d, b.p, b.len, err, sizeof(err));
	snprintf(want, sizeof(want), "nesting deeper than %d at byte %d",
	    JSON_MAX_DEPTH, JSON_MAX_DEPTH);
	ok(r == -1 && strcmp(err, want) == 0 && d.tokcap == 0,
	    "100,000 unclosed '[' are refused at the first one too many: %s",
	    err);

	buf_reset(&b);
	buf_add(&b, "{\"k\":[\"", 7);
	rep(&b, "[{\\\"", 1000);		/* [{\" inside a string */
	buf_add(&b, "\"]}", 3);
	ok(json_parse(&d, b.p, b.len, err, sizeof(err)) == 0 &&
	    d.ntok == 4 && d.tokcap == 4,
	    "brackets and escaped quotes inside a string do not nest");
	json_free(&d);

	buf_reset(&b);
	buf_add(&b, "[1", 2);
	rep(&b, "[", 1000);			/* one primitive to jsmn */
	buf_add(&b, "]", 1);
	r = json_parse(&d, b.p, b.len, err, sizeof(err));
	ok(r == -1 && strstr(err, "nesting") == NULL &&
	    strstr(err, "invalid literal") != NULL,
	    "brackets inside a primitive are jsmn's primitive: %.40s", err);

	buf_reset(&b);
	buf_add(&b, "[", 1);
	rep(&b, "[", JSON_MAX_DEPTH - 1);
	buf_add(&b, "}", 1);
	rep(&b, "[", 1000);
	r = json_parse(&d, b.p, b.len, err, sizeof(err));
	ok(r == -1 && strstr(err, "mismatched") != NULL,
	    "a mismatched bracket is reported before depth after it: %s",
	    err);

	buf_reset(&b);				/* many nests at the limit */
	buf_add(&b, "[", 1);
	for (r = 0; r < 200; r++) {
		if (r > 0)
			buf_add(&b, ",", 1);
		rep(&b, "[", JSON_MAX_DEPTH - 1);
		buf_add(&b, "1", 1);
		rep(&b, "]", JSON_MAX_DEPTH - 1);
	}
	buf_add(&b, "]", 1);
	r = json_parse(&d, b.p, b.len, err, sizeof(err));
	ok(r == 0 && d.ntok == 1 + 200 * JSON_MAX_DEPTH &&
	    d.tokcap == d.ntok, "200 nests at the limit parse, into exactly "
	    "the tokens counted (%d of %d)", d.ntok, d.tokcap);
	json_free(&d);

	buf_reset(&b);				/* every kind of token */
	buf_adds(&b, "{\"a\":[1,-2.5e3,true,false,null,\"x\",{},[]],"
	    "\"b\":{\"c\":\"\\u00e9\\\"\"}} ");
	r = json_parse(&d, b.p, b.len, err, sizeof(err));
	ok(r == 0 && d.tokcap == d.ntok && d.ntok == 15,
	    "a mixed document: %d tokens counted, %d made", d.tokcap, d.ntok);
	json_free(&d);
	r = json_parse(&d, "42", 2, err, sizeof(err));
	ok(r == 0 && d.tokcap == 1 && d.ntok == 1,
	    "a bare number at the end is counted once (retried with a blank)");
	json_free(&d);
	buf_free(&b);
}

/* unesc - json_unescape of s, or "(error)" */
static char *
unesc(const char *s)
{
	struct buf b;

	buf_init(&b);
	if (json_unescape(&b, s, strlen(s)) < 0) {
		buf_free(&b);
		return xstrdup("(error)");
	}
	return buf_steal(&b);
}

static void
test_unescape(void)
{
	char *s;
	struct buf b;
	int c;

#define UNESC(in, want, why) do {					\
	s = unesc(in);							\
	is_str(s, want, "unescapes %s", why);				\
	free(s);							\
} while (0)
	UNESC("plain text", "plain text", "plain text unchanged");
	UNESC("a\\\"b\\\\c\\/d", "a\"b\\c/d", "quote, backslash, slash");
	UNESC("\\b\\f\\n\\r\\t", "\b\f\n\r\t", "the letter escapes");
	UNESC("\\u0041\\u00e9\\u20AC", "A\xc3\xa9\xe2\x82\xac",
	    "\\u to 1, 2 and 3 UTF-8 bytes");
	UNESC("x\\ud83d\\ude00y", "x\xf0\x9f\x98\x80y",
	    "a surrogate pair to 4 bytes");
	UNESC("\\udbff\\udfff", "\xf4\x8f\xbf\xbf", "U+10FFFF");
	UNESC("\\ud83d", "(error)", "a lone high surrogate as an error");
	UNESC("\\ude00", "(error)", "a lone low surrogate as an error");
	UNESC("\\ud83dx", "(error)", "a high surrogate then text as an error");
	UNESC("\\q", "(error)", "an unknown escape as an error");
	UNESC("abc\\", "(error)", "a trailing backslash as an error");
	UNESC("\\u00", "(error)", "a short \\u as an error");
#undef UNESC
	buf_init(&b);
	c = json_unescape(&b, "a\\u0000b", 8);
	ok(c == 0 && b.len == 3 && b.p[1] == '\0',
	    "json_unescape decodes \\u0000 to a NUL byte");
	buf_free(&b);
}

/* quote - json_quote of s[0..n) as a new string */
static char *
quote(const char *s, size_t n)
{
	struct buf b;

	buf_init(&b);
	json_quote(&b, s, n);
	return buf_steal(&b);
}

static void
test_quote(void)
{
	static const char *ctl[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004",
		"\\u0005", "\\u0006", "\\u0007", "\\b", "\\t", "\\n",
		"\\u000b", "\\f", "\\r", "\\u000e", "\\u000f", "\\u0010",
		"\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015",
		"\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001a",
		"\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f"
	};
	char in[3], want[16], *s, err[ERRLEN];
	const char *cz = "\xc5\xbdlu\xc5\xa5ou\xc4\x8dk\xc3\xbd k\xc5\xaf\xc5\x88"
	    " \xf0\x9f\x98\x80";
	struct buf b;
	int c, all = 1;
	size_t n;

	for (c = 0; c < 32; c++) {
		in[0] = 'a';
		in[1] = (char)c;
		in[2] = 'z';
		snprintf(want, sizeof(want), "\"a%sz\"", ctl[c]);
		s = quote(in, 3);
		if (strcmp(s, want) != 0) {
			printf("#   0x%02x: got %s want %s\n", c, s, want);
			all = 0;
		}
		/* and back */
		n = strlen(want + 1);
		buf_init(&b);
		if (json_unescape(&b, want + 1, n - 1) < 0 || b.len != 3 ||
		    memcmp(b.p, in, 3) != 0)
			all = 0;
		buf_free(&b);
		free(s);
	}
	ok(all, "json_quote escapes each of the 32 control characters and "
	    "json_unescape restores them");
	s = quote("\x7f", 1);
	is_str(s, "\"\\u007f\"", "json_quote escapes DEL as \\u007f");
	free(s);
	s = quote("say \"hi\" \\o/", 12);
	is_str(s, "\"say \\\"hi\\\" \\\\o/\"", "json_quote escapes quotes "
	    "and backslashes, keeps '/'");
	free(s);
	s = quote(cz, strlen(cz));
	ok(s[0] == '"' && strncmp(s + 1, cz, strlen(cz)) == 0 &&
	    strcmp(s + 1 + strlen(cz), "\"") == 0,
	    "json_quote keeps Czech text and an emoji as UTF-8 bytes");
	c = parses(s, strlen(s), err);
	ok(c, "the quoted Czech text parses back");
	free(s);
	s = quote("", 0);
	is_str(s, "\"\"", "json_quote of the empty string");
	free(s);
	buf_init(&b);
	json_quote_lossy(&b, "a\xff" "b\xc3\n\xc3\xa9\xed\xa0\x80", 10);
	is_str(b.p, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd\\n\xc3\xa9"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	    "json_quote_lossy turns each bad UTF-8 byte into U+FFFD");
	buf_reset(&b);
	json_quote_lossy(&b, cz, strlen(cz));
	s = quote(cz, strlen(cz));
	is_str(b.p, s, "json_quote_lossy keeps valid UTF-8 as json_quote does");
	free(s);
	buf_free(&b);
	/* every byte 0..255 except invalid UTF-8 round trips via a doc */
	{
		char all256[128], *back;
		struct jdoc d;
		size_t len;

		for (c = 0; c < 128; c++)
			all256[c] = (char)(c + 1 == 128 ? 0x7f : c + 1);
		s = quote(all256, 127);
		c = json_parse(&d, s, strlen(s), err, sizeof(err));
		ok(c == 0, "all of ASCII quoted parses");
		back = json_str(&d, 0, &len);
		ok(back && len == 127 && memcmp(back, all256, 127) == 0,
		    "all of ASCII round trips through json_quote and json_str");
		free(back);
		json_free(&d);
		free(s);
	}
}

static void
test_helpers(void)
{
	const char *t = "{\"a\":{\"x\":[1,2,{\"y\":3}]},\"b\\u0063\":\"v\\n\","
	    "\"n\":-9223372036854775808,\"big\":9223372036854775808,"
	    "\"f\":1.5,\"t\":true,\"z\":\"nul\\u0000\"}";
	char err[ERRLEN], *s;
	struct jdoc d;
	int64_t v = 0;
	size_t len;
	int i, r;

	r = json_parse(&d, t, strlen(t), err, sizeof(err));
	ok(r == 0, "helper document parses");
	i = json_get(&d, 0, "bc");
	ok(i > 0 && json_eq(&d, i, "v\n"), "json_get finds an escaped key, "
	    "json_eq compares unescaped");
	ok(json_get(&d, 0, "x") == -1, "json_get does not find nested keys");
	i = json_get(&d, 0, "a");
	ok(i == 2 && json_skip(&d, i) == 10, "json_skip steps over a nested "
	    "value");
	ok(json_get(&d, json_get(&d, 0, "a"), "x") == 4,
	    "json_get in a nested object");
	ok(json_int(&d, json_get(&d, 0, "n"), &v) == 0 && v == INT64_MIN,
	    "json_int reads INT64_MIN");
	ok(json_int(&d, json_get(&d, 0, "big"), &v) == -1,
	    "json_int refuses an overflow");
	ok(json_int(&d, json_get(&d, 0, "f"), &v) == -1,
	    "json_int refuses a fraction");
	ok(json_int(&d, json_get(&d, 0, "bc"), &v) == -1,
	    "json_int refuses a string");
	ok(json_bool(&d, json_get(&d, 0, "t")) == 1 &&
	    json_bool(&d, json_get(&d, 0, "f")) == -1, "json_bool");
	s = json_str(&d, json_get(&d, 0, "bc"), &len);
	ok(s && strcmp(s, "v\n") == 0 && len == 2, "json_str unescapes");
	free(s);
	ok(json_str(&d, json_get(&d, 0, "z"), NULL) == NULL,
	    "json_str refuses \\u0000");
	ok(json_str(&d, json_get(&d, 0, "t"), NULL) == NULL,
	    "json_str refuses a non-string");
	json_free(&d);
	ok(json_primitive_valid("0", 1) && json_primitive_valid("-1.0e-5", 7) &&
	    !json_primitive_valid("+1", 2) && !json_primitive_valid("1e+", 3) &&
	    !json_primitive_valid("", 0) && !json_primitive_valid("truex", 5),
	    "json_primitive_valid");
}

/* test_grow - many tokens in a short text: the token array must grow */
static void
test_grow(void)
{
	struct buf b;
	struct jdoc d;
	char err[ERRLEN];
	size_t i, n = 200000;
	int r;

	buf_init(&b);
	buf_adds(&b, "[");
	for (i = 0; i < n; i++)
		buf_adds(&b, i ? ",[]" : "[]");
	buf_adds(&b, "]");
	r = json_parse(&d, b.p, b.len, err, sizeof(err));
	ok(r == 0 && d.ntok == (int)n + 1 && d.tok[0].size == (int)n &&
	    json_skip(&d, 0) == (int)n + 1 && d.tok[n].start == (int)b.len - 3,
	    "the token array grows (200,000 tokens in 600 KB)");
	json_free(&d);
	buf_free(&b);
}

/* array - "[{...},{...},...]" of n small objects */
static void
array(struct buf *b, size_t n)
{
	char one[64];
	size_t i;

	buf_init(b);
	buf_adds(b, "[");
	for (i = 0; i < n; i++) {
		snprintf(one, sizeof(one), "%s{\"k\":%zu,\"s\":\"v\\u00e9\"}",
		    i ? "," : "", i);
		buf_adds(b, one);
	}
	buf_adds(b, "]");
}

/*
 * test_linear - jsmn finds a token's parent by walking back over the
 * tokens before it unless built with JSMN_PARENT_LINKS, which makes a
 * large array quadratic (LIBRARY-NOTES).  What is asserted is the parent
 * links themselves, on 400,000 objects: every object's parent is the
 * array, every key's its object, every value's its key.  The times are
 * printed, not asserted: a loaded machine must not fail the suite.
 */
static void
test_linear(void)
{
	struct timespec a, z;
	struct buf b;
	struct jdoc d;
	char err[ERRLEN];
	size_t n, i, bad = 0;
	double t[2];
	int r, k;

	for (k = 0; k < 2; k++) {
		n = k == 0 ? 100000 : 400000;
		array(&b, n);
		clock_gettime(CLOCK_MONOTONIC, &a);
		r = json_parse(&d, b.p, b.len, err, sizeof(err));
		clock_gettime(CLOCK_MONOTONIC, &z);
		t[k] = (double)(z.tv_sec - a.tv_sec) +
		    (double)(z.tv_nsec - a.tv_nsec) / 1e9;
		ok(r == 0 && d.ntok == (int)(1 + 5 * n) &&
		    d.tok[0].size == (int)n, "%zu objects parse", n);
		for (i = 0; r == 0 && i < n; i++) {
			int o = 1 + 5 * (int)i;

			bad += d.tok[o].parent != 0 ||
			    d.tok[o + 1].parent != o ||
			    d.tok[o + 2].parent != o + 1 ||
			    d.tok[o + 3].parent != o ||
			    d.tok[o + 4].parent != o + 3;
		}
		if (k == 1)
			ok(r == 0 && bad == 0, "parent links on all %zu "
			    "objects (%zu wrong)", n, bad);
		json_free(&d);
		buf_free(&b);
	}
	printf("# 100k objects: %.4f s, 400k: %.4f s (x%.1f; linear is x4)\n",
	    t[0], t[1], t[0] > 0 ? t[1] / t[0] : 0.0);
}

int
main(void)
{
	test_valid();
	test_invalid();
	test_depth();
	test_unescape();
	test_quote();
	test_helpers();
	test_grow();
	test_linear();
	return done_testing();
}
