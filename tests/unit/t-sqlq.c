/* t-sqlq.c - the ":name" placeholders sqlq_scan finds in a query, and
 * those it must not (inside strings, identifiers, comments, casts,
 * dollar quoting); and param_value_ok, the typed parameter check. */
#include <stdio.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

/* names - the placeholders of q, "name@offset" joined by blanks */
static int
collect(const char *name, size_t len, size_t off, void *arg)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s%.*s@%zu", n ? " " : "", (int)len, name,
	    off);
	return 0;
}

static const char *
names(const char *q, int pg)
{
	static char out[512];

	out[0] = '\0';
	sqlq_scan(q, pg, collect, out);
	return out;
}

static int
stop_at_first(const char *name, size_t len, size_t off, void *arg)
{
	(void)name; (void)len; (void)off; (void)arg;
	return 7;
}

int
main(void)
{
	is_str(names("SELECT * FROM t WHERE a >= :from AND b < :to", 1),
	    "from@27 to@41", "two placeholders, at their ':'");
	is_str(names("SELECT :a, :a", 1), "a@7 a@11", "one name used twice");
	is_str(names("SELECT ':no', \"x:no\" FROM t WHERE c = :yes", 1),
	    "yes@38", "not in a string or a quoted identifier");
	is_str(names("SELECT 'it''s :no' || :yes", 1), "yes@22",
	    "a doubled quote stays inside the string");
	is_str(names("SELECT E'\\' :no' || :yes", 1), "yes@20",
	    "E'' strings: a backslash escapes the quote (PostgreSQL)");
	is_str(names("SELECT x::int, :v::text FROM t", 1), "v@15",
	    "'::' casts are not placeholders");
	is_str(names("SELECT 1 -- :no\n, :yes /* :no /* :no */ :no */ , :y2",
	    1), "yes@18 y2@49", "line and nested block comments (PostgreSQL)");
	is_str(names("SELECT $$ :no $$, $tag$ :no $tag$, :yes, $1", 1),
	    "yes@35", "dollar-quoted bodies skipped, $1 is not one");
	is_str(names("SELECT [a:no], `b:no`, :yes", 0), "yes@23",
	    "SQLite: [ident] and `ident` skipped");
	is_str(names("SELECT a[1:2], :ok_2", 1), "ok_2@15",
	    "an array slice with digits is not a placeholder");
	is_str(names("SELECT 'unterminated :no", 1), "",
	    "an unterminated string hides the rest");
	is_str(names(":first", 1), "first@0", "at the very start");
	ok(sqlq_scan("SELECT :a, :b", 1, stop_at_first, NULL) == 7,
	    "a callback's non-zero value stops the scan and is returned");

	ok(param_value_ok(PT_INT, "-42") && param_value_ok(PT_INT,
	    "9223372036854775807"), "int: signed 64-bit");
	ok(!param_value_ok(PT_INT, "9223372036854775808") &&
	    !param_value_ok(PT_INT, "1.0") && !param_value_ok(PT_INT, "") &&
	    !param_value_ok(PT_INT, "+1") && !param_value_ok(PT_INT, " 1") &&
	    !param_value_ok(PT_INT, "1; DROP TABLE t"),
	    "int: overflow, fraction, empty, sign, blank, SQL refused");
	ok(param_value_ok(PT_NUMBER, "-0.5e+3") && !param_value_ok(PT_NUMBER,
	    "1,5") && !param_value_ok(PT_NUMBER, ".5") &&
	    !param_value_ok(PT_NUMBER, "NaN"), "number: a JSON number only");
	ok(param_value_ok(PT_BOOL, "TRUE") && param_value_ok(PT_BOOL, "0") &&
	    !param_value_ok(PT_BOOL, "yes"), "bool: true/false/1/0");
	ok(param_value_ok(PT_DATE, "2024-02-29") &&
	    !param_value_ok(PT_DATE, "2026-02-29") &&
	    !param_value_ok(PT_DATE, "2026-04-31") &&
	    !param_value_ok(PT_DATE, "2026-1-01") &&
	    !param_value_ok(PT_DATE, "2026-01-01x"),
	    "date: a day that exists, YYYY-MM-DD exactly");
	ok(param_value_ok(PT_TIMESTAMP, "2026-01-01T10:00") &&
	    param_value_ok(PT_TIMESTAMP, "2026-01-01 10:00:59.123Z") &&
	    param_value_ok(PT_TIMESTAMP, "2026-01-01T10:00:00-05:30") &&
	    !param_value_ok(PT_TIMESTAMP, "2026-01-01") &&
	    !param_value_ok(PT_TIMESTAMP, "2026-01-01T24:00") &&
	    !param_value_ok(PT_TIMESTAMP, "2026-01-01T10:00+5"),
	    "timestamp: date, time, optional seconds, fraction and offset");
	ok(param_value_ok(PT_STRING, "'; DROP TABLE t; --"),
	    "string: any text (bound, never pasted)");
	return done_testing();
}
