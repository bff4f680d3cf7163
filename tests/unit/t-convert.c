/* t-convert.c - the converter fed in every chunking gives the same output
 * and errors as fed whole; records are counted; errors stick. */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"
#include "convrun.h"

/* same_any_chunking - chunk sizes 1, 2, 3, 7 and 4096 all agree with the
 * whole buffer; returns the whole-buffer result in *whole */
static int
same_any_chunking(enum emits e, enum format f, const struct column *cols,
    size_t ncols, const char *in, size_t n, struct conv_outcome *whole)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 4096 };
	struct conv_outcome r;
	size_t i;
	int same = 1;

	conv_run(e, f, cols, ncols, in, n, 0, whole);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		conv_run(e, f, cols, ncols, in, n, chunks[i], &r);
		if (r.rc != whole->rc || strcmp(r.err, whole->err) != 0 ||
		    (r.rc == 0 && (r.out.len != whole->out.len ||
		    (r.out.len > 0 &&
		    memcmp(r.out.p, whole->out.p, r.out.len) != 0) ||
		    r.records != whole->records))) {
			printf("# chunk %zu differs: rc %d '%s'\n", chunks[i],
			    r.rc, r.err);
			same = 0;
		}
		buf_free(&r.out);
	}
	return same;
}

/* parse_columns - "a:int,b:number" (the golden tests' spec files) */
static size_t
parse_columns(char *spec, struct column *cols, size_t max)
{
	static const char *names[] = { "string", "int", "number", "bool" };
	char *item, *colon, *save = NULL;
	size_t n = 0, t;

	spec[strcspn(spec, "\n")] = '\0';
	for (item = strtok_r(spec, ",", &save); item && n < max;
	    item = strtok_r(NULL, ",", &save)) {
		if ((colon = strchr(item, ':')) == NULL)
			continue;
		*colon++ = '\0';
		for (t = 0; t < 4 && strcmp(colon, names[t]) != 0; t++)
			;
		cols[n].name = item;
		cols[n++].type = t < 4 ? (enum coltype)t : COL_STRING;
	}
	return n;
}

/* golden - every golden input, both formats, in every chunking */
static void
golden(const char *dir)
{
	struct column cols[16];
	struct conv_outcome whole;
	struct dirent *de;
	char path[512], *in, *spec;
	size_t n, ncols, slen;
	DIR *d;
	int f, same;

	if ((d = opendir(dir)) == NULL) {
		printf("ok %d - golden inputs # SKIP no %s\n", ++tap_n, dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char *dot = strstr(de->d_name, ".in.");
		enum emits e;

		if (dot == NULL)
			continue;
		e = strcmp(dot, ".in.csv") == 0 ? EMITS_CSV : EMITS_JSONL;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (read_file(path, 1 << 20, &in, &n) == -1)
			continue;
		snprintf(path, sizeof(path), "%s/%.*s.columns", dir,
		    (int)(dot - de->d_name), de->d_name);
		ncols = 0;
		spec = NULL;
		if (read_file(path, 4096, &spec, &slen) == 0)
			ncols = parse_columns(spec, cols, 16);
		for (f = FMT_JSON; f <= FMT_CSV; f++) {
			same = same_any_chunking(e, (enum format)f, cols,
			    ncols, in, n, &whole);
			ok(same, "%s to %s: same in every chunking",
			    de->d_name, f == FMT_JSON ? "JSON" : "CSV");
			buf_free(&whole.out);
		}
		free(spec);
		free(in);
	}
	closedir(d);
}

/* many - a 100000-record CSV, fed in 64 KiB chunks and byte by byte */
static void
many(void)
{
	struct buf in;
	struct conv_outcome r, r1;
	int i;

	buf_init(&in);
	buf_adds(&in, "id,name,note\r\n");
	for (i = 0; i < 100000; i++)
		buf_addf(&in, "%d,\"Dvořák, %d\",\"a \"\"b\"\"\nc\"\r\n", i, i);
	conv_run(EMITS_CSV, FMT_JSON, NULL, 0, in.p, in.len, 65536, &r);
	ok(r.rc == 0 && r.records == 100000, "100000 records counted (%lld)",
	    (long long)r.records);
	ok(r.out.len > 10 && memcmp(r.out.p, "[\n{\"id\":\"0\",\"name\":"
	    "\"Dvořák, 0\",\"note\":\"a \\\"b\\\"\\nc\"},\n", 53) == 0 &&
	    strcmp(r.out.p + r.out.len - 3, "\n]\n") == 0,
	    "the array opens and closes");
	conv_run(EMITS_CSV, FMT_JSON, NULL, 0, in.p, in.len, 1, &r1);
	ok(r1.rc == 0 && r1.out.len == r.out.len &&
	    memcmp(r1.out.p, r.out.p, r.out.len) == 0,
	    "byte by byte gives the same %zu bytes", r.out.len);
	buf_free(&r.out);
	buf_free(&r1.out);
	buf_free(&in);
}

/* rnd - a fixed sequence (xorshift64), so a failure can be replayed */
static unsigned
rnd(unsigned n)
{
	static uint64_t x = 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (unsigned)(x % n);
}

/* show_input - a failing input, C-escaped, as a TAP comment */
static void
show_input(const char *s, size_t n)
{
	size_t i;

	printf("#   input: \"");
	for (i = 0; i < n; i++)
		if (s[i] == '"' || s[i] == '\\')
			printf("\\%c", s[i]);
		else if ((unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			printf("\\x%02x\"\"", (unsigned char)s[i]);
		else
			putchar(s[i]);
	printf("\"\n");
}

/* fuzz - random CSV, mostly well formed, with every edge of the fast path
 * (quoted fields with "" and line breaks, CR, CRLF, blank lines, empty
 * fields, wrong field counts, stray quotes, bad UTF-8, escapes for JSON,
 * a missing last newline, rows cut anywhere by the chunking): fed whole,
 * the rows go through the fast path; fed a byte at a time, through
 * libcsv.  Output, errors and record counts must agree. */
static void
fuzz(void)
{
	static const char *cells[] = { "", "x", "42", "-0012", "1e5", "true",
	    "\"q\"", "\"\"", "\"a\"\"b\"", "\"l\nm\"", "\"c,d\"", "\"r\r\n\"",
	    "\"\"\"\"", " sp ", "\xc3\xa9t\xc3\xa9", "\xff", "\xc3", "back\\",
	    "t\tab", "\x01", "del\x7f", "longer text of a few words",
	    "\"lone\rcr\"" };
	static const char *raw[] = { ",", "\n", "\r\n", "\r", "\"", "x\"y",
	    "\"x\"y", "\"open", " \"", "\n\n", "\r\r\n" };
	static const char *heads[] = { "a,b,c", "a", "a,b", "\"h,1\",h2",
	    "\"h\"\"q\",\"h\nl\"" };
	struct column cols[] = { { "a", COL_INT }, { "b", COL_BOOL } };
	struct conv_outcome whole;
	struct buf in;
	size_t nf;
	int i, r, f, k, bad = 0, shown = 0, failed = 0, typed;

	buf_init(&in);
	for (i = 0; i < 4000; i++) {
		buf_reset(&in);
		k = (int)rnd(5);
		buf_adds(&in, heads[k]);
		nf = k == 1 ? 1 : k == 0 ? 3 : 2;
		buf_adds(&in, rnd(2) ? "\n" : "\r\n");
		for (r = (int)rnd(12); r > 0; r--) {
			for (f = 0; f < (int)nf + (rnd(30) == 0) -
			    (rnd(30) == 0); f++) {
				if (f > 0)
					buf_adds(&in, ",");
				buf_adds(&in, cells[rnd(sizeof(cells) /
				    sizeof(cells[0]))]);
			}
			if (rnd(10) == 0)
				buf_adds(&in, raw[rnd(sizeof(raw) /
				    sizeof(raw[0]))]);
			if (r > 1 || rnd(4) != 0)
				buf_adds(&in, rnd(3) ? "\n" : "\r\n");
		}
		typed = rnd(3) == 0;
		for (f = FMT_JSON; f <= FMT_CSV; f++) {
			if (!same_any_chunking(EMITS_CSV, (enum format)f,
			    cols, typed ? 2 : 0, in.p, in.len, &whole)) {
				bad++;
				if (shown++ < 3)
					show_input(in.p, in.len);
			}
			failed += whole.rc != 0;
			buf_free(&whole.out);
		}
	}
	ok(bad == 0, "4000 random CSV inputs, both formats: fed whole as a "
	    "byte at a time (%d differ, %d fail alike)", bad, failed);
	buf_free(&in);
}

/* huge - rows longer than a read fed whole, so the fast path splits them:
 * 1 MiB cells, quoted with "" and line breaks or not, agree with libcsv's
 * reading; a 17 MB row is refused the same way */
static void
huge(void)
{
	struct conv_outcome whole, r;
	struct buf in;
	char x[1000];
	int i, j, same;

	buf_init(&in);
	buf_adds(&in, "a,b\n1,2\n\"");
	for (i = 0; i < 1 << 20; i++)
		buf_add(&in, i % 1000 == 0 ? "\"\"" : i % 777 == 0 ? "\n" :
		    "x", i % 1000 == 0 ? 2 : 1);
	buf_adds(&in, "\",");
	for (i = 0; i < 1 << 20; i++)
		buf_add(&in, i % 500 == 0 ? "\xc5\x99" : "y",
		    i % 500 == 0 ? 2 : 1);
	buf_adds(&in, "\r\n3,4\n");
	same = same_any_chunking(EMITS_CSV, FMT_JSON, NULL, 0, in.p, in.len,
	    &whole);
	ok(same && whole.rc == 0 && whole.records == 3,
	    "2 MiB row, quoted and not: the same in every chunking (%s)",
	    whole.err);
	buf_free(&whole.out);
	buf_reset(&in);
	buf_adds(&in, "a,b\n1,2\n3,");
	memset(x, 'x', sizeof(x));
	for (i = 0; i < 17000000 / (int)sizeof(x); i++)
		buf_add(&in, x, sizeof(x));
	buf_adds(&in, ",5\n");
	conv_run(EMITS_CSV, FMT_JSON, NULL, 0, in.p, in.len, 0, &whole);
	conv_run(EMITS_CSV, FMT_JSON, NULL, 0, in.p, in.len, 65536, &r);
	is_str(whole.err, "record 2, line 3: longer than 16 MiB",
	    "a 17 MB row fed whole is refused");
	is_str(r.err, whole.err, "as it is fed 64 KiB at a time");
	buf_free(&whole.out);
	buf_free(&r.out);
	/* the same cell quoted, with "" in it (unescaped in a copy), before
	 * and after the long text */
	for (j = 0; j < 2; j++) {
		buf_reset(&in);
		buf_adds(&in, j ? "a,b\n1,2\n3,\"\"\"" : "a,b\n1,2\n3,\"");
		for (i = 0; i < 17000000 / (int)sizeof(x); i++)
			buf_add(&in, x, sizeof(x));
		buf_adds(&in, "\"\"\",5\n");
		conv_run(EMITS_CSV, FMT_JSON, NULL, 0, in.p, in.len, 0, &whole);
		conv_run(EMITS_CSV, FMT_JSON, NULL, 0, in.p, in.len, 65536, &r);
		is_str(whole.err, "record 2, line 3: longer than 16 MiB",
		    "a 17 MB quoted cell with \"\" %s fed whole is refused",
		    j ? "first" : "last");
		is_str(r.err, whole.err, "as it is fed 64 KiB at a time");
		buf_free(&whole.out);
		buf_free(&r.out);
	}
	buf_free(&in);
}

/* errors - an error sticks; finishing twice is refused (ok() evaluates
 * its condition twice: calls are made before it) */
static void
errors(void)
{
	struct buf out;
	struct conv *c;
	char err[ERRLEN];
	int r1, r2;

	buf_init(&out);
	c = conv_new(EMITS_CSV, FMT_JSON, NULL, 0);
	r1 = conv_feed(c, "a,b\n1", 6, &out, err, sizeof(err));
	ok(r1 == 0, "a short last row is not known until the end");
	r1 = conv_finish(c, &out, err, sizeof(err));
	ok(r1 == -1, "finish reports the short row");
	is_str(err, "record 1, line 2: 1 field, header has 2", "its message");
	err[0] = '\0';
	r1 = conv_feed(c, "x", 1, &out, err, sizeof(err));
	ok(r1 == -1 && strcmp(err, "record 1, line 2: 1 field, header has 2") == 0,
	    "a later feed gives the same error");
	conv_free(c);

	c = conv_new(EMITS_JSONL, FMT_CSV, NULL, 0);
	buf_reset(&out);
	r1 = conv_feed(c, "{\"a\":1}", 7, &out, err, sizeof(err));
	r2 = conv_finish(c, &out, err, sizeof(err));
	ok(r1 == 0 && r2 == 0, "a last line without its newline");
	is_str(out.p, "a\r\n1\r\n", "is converted");
	r1 = conv_finish(c, &out, err, sizeof(err));
	ok(r1 == -1, "finishing twice is refused");
	ok(conv_records(c) == 1, "one record");
	conv_free(c);
	buf_free(&out);
}

/* bom - a BOM is dropped only at the start, even a byte at a time */
static void
bom(void)
{
	struct conv_outcome r;
	const char *s = "\xef\xbb\xbf" "a\n\xef\xbb\xbfx\n";

	conv_run(EMITS_CSV, FMT_JSON, NULL, 0, s, strlen(s), 1, &r);
	is_str(r.out.p, "[\n{\"a\":\"\xef\xbb\xbfx\"}\n]\n",
	    "a BOM at the start goes, one later stays");
	buf_free(&r.out);
	conv_run(EMITS_CSV, FMT_CSV, NULL, 0, "\xef\xbb", 2, 1, &r);
	ok(r.rc == -1 && strcmp(r.err, "header, column 1: invalid UTF-8") == 0,
	    "half a BOM is data (%s)", r.err);
	buf_free(&r.out);
	conv_run(EMITS_JSONL, FMT_JSON, NULL, 0, "\xef\xbb\xbf", 3, 1, &r);
	is_str(r.out.p, "[]\n", "a BOM alone is no record");
	buf_free(&r.out);
}

/* typed - the typing of columns, CSV to JSON */
static void
typed(void)
{
	struct column cols[] = { { "n", COL_INT }, { "x", COL_NUMBER },
	    { "b", COL_BOOL }, { "missing", COL_INT } };
	struct conv_outcome r;
	const char *s = "n,x,b,s\n-0012,1e5,True,1\n,,,\n";

	conv_run(EMITS_CSV, FMT_JSON, cols, 4, s, strlen(s), 0, &r);
	is_str(r.out.p, "[\n{\"n\":-12,\"x\":1e5,\"b\":true,\"s\":\"1\"},\n"
	    "{\"n\":null,\"x\":null,\"b\":null,\"s\":\"\"}\n]\n",
	    "int, number, bool, empty cells and untyped columns");
	buf_free(&r.out);
	s = "x\n1\nnull\n";
	conv_run(EMITS_CSV, FMT_JSON, cols, 4, s, strlen(s), 0, &r);
	is_str(r.err, "record 2, line 3, column \"x\": \"null\" is not a number",
	    "a literal is not a number");
	buf_free(&r.out);
}

/* jsonl_fast - records after the first take the one-pass path when they
 * are flat and in the header's order, the general one otherwise: the
 * same bytes and errors either way */
static void
jsonl_fast(void)
{
	static const char in[] =
	    "{\"a\":1,\"b\":\"x\"}\n"
	    "{\"a\":2,\"b\":\"\\u00e9\\/\\\"q\\\"\"}\n"
	    "{ \"a\" : 3 , \"b\" : \"s p\" }\r\n"
	    "{\"b\":\"r\",\"a\":4}\n"
	    "{\"a\":5}\n"
	    "{\"a\":6,\"b\":null}\n"
	    "{\"a\":-1.5e3,\"b\":\"c,d\"}\n";
	static const struct { const char *in, *err; } bad[] = {
	    { "{\"a\":2,\"b\":\"x\x01\"}", "record 2, line 2: invalid JSON: "
	      "raw control character 0x01 in a string at byte 13" },
	    { "{\"a\":tru,\"b\":\"x\"}", "record 2, line 2: invalid JSON: "
	      "invalid literal or number 'tru' at byte 5" },
	    { "{\"a\":1,\"b\":\"x\",\"a\":2}",
	      "record 2, line 2: duplicate field \"a\"" },
	    { "{\"a\":1,\"b\":\"\xc3\"}", "record 2, line 2: invalid JSON: "
	      "invalid UTF-8 in a string at byte 12" },
	    { "{\"a\":1,\"b\":\"\\x\"}", "record 2, line 2: invalid JSON: "
	      "invalid escape in a string at byte 12" },
	    { "{\"a\":1,\"b\":\"x\"} x", "record 2, line 2: invalid JSON: "
	      "unexpected 'x' at byte 16" },
	};
	struct conv_outcome r;
	struct buf b;
	size_t i;

	ok(same_any_chunking(EMITS_JSONL, FMT_JSON, NULL, 0, in,
	    sizeof(in) - 1, &r), "fast path to JSON: same in every chunking");
	is_str(r.out.p, "[\n{\"a\":1,\"b\":\"x\"},\n"
	    "{\"a\":2,\"b\":\"\xc3\xa9/\\\"q\\\"\"},\n"
	    "{\"a\":3,\"b\":\"s p\"},\n{\"b\":\"r\",\"a\":4},\n{\"a\":5},\n"
	    "{\"a\":6,\"b\":null},\n{\"a\":-1.5e3,\"b\":\"c,d\"}\n]\n",
	    "  escapes normalised, blanks dropped, another order kept");
	buf_free(&r.out);
	ok(same_any_chunking(EMITS_JSONL, FMT_CSV, NULL, 0, in,
	    sizeof(in) - 1, &r), "fast path to CSV: same in every chunking");
	is_str(r.out.p, "a,b\r\n1,x\r\n2,\"\xc3\xa9/\"\"q\"\"\"\r\n3,s p\r\n"
	    "4,r\r\n5,\r\n6,\r\n-1.5e3,\"c,d\"\r\n",
	    "  in the header's order, null and missing empty");
	buf_free(&r.out);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_init(&b);
		buf_addf(&b, "{\"a\":1,\"b\":\"x\"}\n%s\n", bad[i].in);
		conv_run(EMITS_JSONL, FMT_JSON, NULL, 0, b.p, b.len, 0, &r);
		is_str(r.err, bad[i].err, "record 2 refused as json_parse "
		    "does (%zu)", i);
		buf_free(&r.out);
		buf_free(&b);
	}
}

int
main(void)
{
	golden("tests/golden");
	many();
	fuzz();
	huge();
	errors();
	bom();
	typed();
	jsonl_fast();
	return done_testing();
}
