/* fuzz-util.c - the small text parsers of util.c and id.c on any bytes:
 * durations, sizes and times (a time that parses is written and parsed
 * back to the same instant), UTF-8, path joins, and the id, type and
 * parameter name checks (what passes is safe as a file name). */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"

/* util_time - parse_time on s[0..n); fmt_time's text parses back */
static void
util_time(const char *s, size_t n)
{
	char t[32];
	int64_t ms, ms2;

	if (parse_time(s, n, &ms) == -1)
		return;
	fmt_time(ms, t);
	fuzz_check(parse_time(t, strlen(t), &ms2) == 0 && ms2 == ms,
	    "time %lld -> '%s' does not parse back", (long long)ms, t);
}

/* util_name - a name id_valid (or type_valid) accepts is a safe file
 * name of the documented alphabet */
static void
util_name(const char *s)
{
	size_t i, n = strlen(s);

	if (id_valid(s)) {
		fuzz_check(n >= 1 && n <= ID_MAX, "id of %zu bytes", n);
		fuzz_check(strcmp(s, ".") && strcmp(s, "..") && s[0] != '.' &&
		    s[0] != '-', "id '%s'", s);
		for (i = 0; i < n; i++)
			fuzz_check(strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]),
			    "id '%s'", s);
	}
	if (type_valid(s)) {
		fuzz_check(n >= 1 && n <= TYPE_MAX, "type of %zu bytes", n);
		for (i = 0; i < n; i++)
			fuzz_check(strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", s[i]),
			    "type '%s'", s);
	}
	if (param_name_valid(s)) {
		fuzz_check(n >= 1 && n <= 64, "param name of %zu bytes", n);
		for (i = 0; i < n; i++)
			fuzz_check(strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", s[i]),
			    "param name '%s'", s);
	}
}

int
fuzz_util(const uint8_t *data, size_t size)
{
	struct fuzz_fields ff;
	char t[32], path[64], *exact;
	int64_t v, base, max;
	int r;
	size_t i;

	exact = xmalloc(size ? size : 1);
	memcpy(exact, data, size);
	util_time(exact, size);
	(void)utf8_valid(exact, size);
	for (i = 0; i < size; i++) {
		r = hex_digit((unsigned char)exact[i]);
		fuzz_check(r >= -1 && r < 16, "hex_digit %d", r);
	}
	free(exact);

	fuzz_split(&ff, data, size);
	if (parse_duration(fuzz_field(&ff, 0), &v) == 0)
		fuzz_check(v >= 0, "negative duration %lld", (long long)v);
	if (parse_size(fuzz_field(&ff, 0), &v) == 0) {
		fuzz_check(v >= 0, "negative size %lld", (long long)v);
		fmt_size(v, t);
		fuzz_check(strlen(t) < sizeof(t), "fmt_size");
	}
	util_name(fuzz_field(&ff, 0));
	util_time(fuzz_field(&ff, 1), strlen(fuzz_field(&ff, 1)));
	r = path_join(path, sizeof(path), fuzz_field(&ff, 1),
	    fuzz_field(&ff, 2));
	fuzz_check(r == 0 ? strlen(path) < sizeof(path) :
	    errno == ENAMETOOLONG, "path_join");
	/* backoff within the bounds config.c allows */
	if (parse_duration(fuzz_field(&ff, 3), &base) == 0 &&
	    parse_duration(fuzz_field(&ff, 4), &max) == 0 &&
	    base <= 365 * 86400000LL && max <= 365 * 86400000LL) {
		v = backoff_ms(base, max, (int)(strlen(fuzz_field(&ff, 5)) %
		    1001));
		fuzz_check(v >= 0, "backoff %lld", (long long)v);
	}
	free(ff.copy);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_util(data, size);
}
#endif
