/* t-util.c - durations, sizes, times, UTF-8, paths and file helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "tap.h"

static void
t_duration(void)
{
	static const struct { const char *s; int64_t ms; } good[] = {
		{ "250ms", 250 }, { "30s", 30000 }, { "10m", 600000 },
		{ "2h", 7200000 }, { "7d", 604800000 }, { "45", 45000 },
		{ "0", 0 }, { "0ms", 0 }, { "0009s", 9000 },
		{ "9223372036854775807ms", INT64_MAX },
		{ "106751991167d", INT64_C(106751991167) * 86400000 },
	};
	static const char *bad[] = {
		"", "s", "-1s", "+1s", "1.5h", "10 m", " 10m", "10m ", "10M",
		"10x", "10mm", "1e3", "9223372036854775808ms",
		"9223372036854775807s", "106751991168d", "99999999999999999999",
		"0x10", "h1",
	};
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		ok(parse_duration(good[i].s, &v) == 0 && v == good[i].ms,
		    "duration \"%s\" = %lld ms (got %lld)", good[i].s,
		    (long long)good[i].ms, (long long)v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(parse_duration(bad[i], &v) == -1,
		    "duration \"%s\" refused", bad[i]);
	ok(parse_duration(NULL, &v) == -1, "duration NULL refused");
}

static void
t_size(void)
{
	static const struct { const char *s; int64_t b; } good[] = {
		{ "512", 512 }, { "512K", 512 * 1024 }, { "512k", 512 * 1024 },
		{ "10M", 10 << 20 }, { "10G", INT64_C(10) << 30 },
		{ "1T", INT64_C(1) << 40 }, { "100B", 100 }, { "64MB", 64 << 20 },
		{ "2KiB", 2048 }, { "0", 0 }, { "0G", 0 }, { "64mb", 64 << 20 },
		{ "7b", 7 }, { "1kib", 1024 },
		{ "8388607T", INT64_C(8388607) << 40 },
	};
	static const char *bad[] = {
		"", "K", "-1", "+1", "1.5G", "10 G", "10P", "10X", "10KK",
		"10Bytes", "10iB", "10Ki", "10BB", "8388608T",
		"9223372036854775808", "9007199254740992K", " 1",
	};
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		ok(parse_size(good[i].s, &v) == 0 && v == good[i].b,
		    "size \"%s\" = %lld (got %lld)", good[i].s,
		    (long long)good[i].b, (long long)v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(parse_size(bad[i], &v) == -1, "size \"%s\" refused", bad[i]);
}

static void
t_fmt_size(void)
{
	char b[32];

	is_str(fmt_size(0, b), "0 B", "fmt_size 0");
	is_str(fmt_size(1023, b), "1023 B", "fmt_size 1023");
	is_str(fmt_size(1536, b), "1.5 KiB", "fmt_size 1536");
	is_str(fmt_size(INT64_C(10) << 30, b), "10.0 GiB", "fmt_size 10G");
	is_str(fmt_size(INT64_MAX, b), "8.0 EiB", "fmt_size INT64_MAX");
}

static void
t_time(void)
{
	static const struct { const char *s; int64_t ms; } good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-11-30T10:00:00Z", INT64_C(1796032800000) },
		{ "2026-11-30T10:00:00.250Z", INT64_C(1796032800250) },
		{ "2000-02-29T23:59:59Z", INT64_C(951868799000) },
		{ "1969-12-31T23:59:59.999Z", -1 },
		{ "9999-12-31T23:59:59Z", INT64_C(253402300799000) },
	};
	static const char *bad[] = {
		"", "2026-11-30", "2026-11-30T10:00:00", "2026-11-30 10:00:00Z",
		"2026-11-30T10:00:00+01:00", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-11-30T24:00:00Z", "2026-11-30T10:60:00Z",
		"2026-11-30T10:00:60Z", "2026-11-30T10:00:00.Z",
		"2026-11-30T10:00:00.1234567890Z", "2026-11-30T1a:00:00Z",
		"2026-11-30T10:00:00.2x0Z", "+026-11-30T10:00:00Z",
	};
	const char *s;
	char b[32];
	size_t i;
	int64_t v, t;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		ok(parse_time(good[i].s, strlen(good[i].s), &v) == 0 &&
		    v == good[i].ms, "parse_time %s (got %lld)", good[i].s,
		    (long long)v);
		is_str(fmt_time(good[i].ms, b), good[i].s, "fmt_time %lld",
		    (long long)good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(parse_time(bad[i], strlen(bad[i]), &v) == -1,
		    "parse_time \"%s\" refused", bad[i]);
	s = "2026-11-30T10:00:00.1Z";
	ok(parse_time(s, strlen(s), &v) == 0 && v == INT64_C(1796032800100),
	    "one fraction digit is tenths");
	s = "2026-11-30T10:00:00.123456789Z";
	ok(parse_time(s, strlen(s), &v) == 0 && v == INT64_C(1796032800123),
	    "nine fraction digits truncate to ms");
	s = "2026-11-30T10:00:00Zjunk";
	ok(parse_time(s, 20, &v) == 0 && v == INT64_C(1796032800000),
	    "parse_time honours len, not the NUL");
	ok(parse_time(s, strlen(s), &v) == -1, "trailing junk refused");
	t = now_ms();
	fmt_time(t, b);
	ok(parse_time(b, strlen(b), &v) == 0 && v == t,
	    "now round trips through fmt_time/parse_time (%s)", b);
	for (t = -86400000 * 3; t < INT64_C(4102444800000);
	    t += INT64_C(86400000) * 37 + 1234567) {
		fmt_time(t, b);
		if (parse_time(b, strlen(b), &v) != 0 || v != t)
			break;
	}
	ok(t >= INT64_C(4102444800000), "round trip 1969..2100 every 37 days"
	    " (stopped at %lld)", (long long)t);
	ok(mono_ms() > 0 && now_ms() > INT64_C(1700000000000),
	    "clocks give plausible values");
}

static void
t_utf8(void)
{
	static const struct { const char *s; size_t n; int valid; } c[] = {
		{ "", 0, 1 },
		{ "plain ascii text longer than eight bytes", 40, 1 },
		{ "caf\xc3\xa9", 5, 1 },
		{ "\xe2\x82\xac euro", 8, 1 },
		{ "\xf0\x9f\x98\x80", 4, 1 },			/* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, 1 },			/* U+10FFFF */
		{ "\xed\x9f\xbf", 3, 1 },			/* U+D7FF */
		{ "\xee\x80\x80", 3, 1 },			/* U+E000 */
		{ "a\0b", 3, 1 },				/* NUL is UTF-8 */
		{ "\xc0\x80", 2, 0 },				/* overlong NUL */
		{ "\xc1\xbf", 2, 0 },				/* overlong */
		{ "\xe0\x80\xaf", 3, 0 },			/* overlong '/' */
		{ "\xe0\x9f\xbf", 3, 0 },			/* overlong */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },			/* overlong */
		{ "\xed\xa0\x80", 3, 0 },			/* U+D800 */
		{ "\xed\xbf\xbf", 3, 0 },			/* U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0 },			/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 }, { "\x80", 1, 0 }, { "\xbf", 1, 0 },
		{ "caf\xc3", 4, 0 },				/* truncated */
		{ "\xe2\x82", 2, 0 },
		{ "\xf0\x9f\x98", 3, 0 },
		{ "\xc3\x28", 2, 0 },				/* bad cont. */
		{ "\xe2\x28\xa1", 3, 0 },
		{ "12345678\xc3\xa9" "abcdefgh", 18, 1 },
		{ "12345678abcdefg\x80", 16, 0 },		/* at the end */
		{ "1234567\xc3\xa9", 9, 1 },			/* straddling */
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		ok(utf8_valid(c[i].s, c[i].n) == c[i].valid,
		    "utf8_valid case %zu is %s", i, c[i].valid ? "valid" :
		    "invalid");
	ok(utf8_valid("\xc3\xa9", 1) == 0, "utf8_valid stops at n");
}

static void
t_path(void)
{
	char b[16];
	int r;

	ok(path_join(b, sizeof(b), "a", "b") == 0 && strcmp(b, "a/b") == 0,
	    "path_join a b");
	ok(path_join(b, sizeof(b), "a/", "b") == 0 && strcmp(b, "a/b") == 0,
	    "path_join keeps one slash");
	ok(path_join(b, sizeof(b), "", "b") == 0 && strcmp(b, "b") == 0,
	    "path_join empty first");
	ok(path_join(b, sizeof(b), "/x", "") == 0 && strcmp(b, "/x") == 0,
	    "path_join empty second");
	ok(path_join(b, sizeof(b), "0123456", "89abcde") == 0 &&
	    strlen(b) == 15, "path_join fits exactly");
	errno = 0;
	r = path_join(b, sizeof(b), "0123456", "89abcdef");
	ok(r == -1 && errno == ENAMETOOLONG,
	    "path_join one too long: ENAMETOOLONG");
	strcpy(b, "dir");
	r = path_join(b, sizeof(b), b, "f");
	ok(r == 0 && strcmp(b, "dir/f") == 0, "path_join onto itself");
}

static void
t_files(void)
{
	char dir[] = "/tmp/t-util.XXXXXX", path[64], *s = NULL;
	size_t len = 0;
	int fd, r, e;

	/* tap.h's ok() evaluates its condition twice: no side effects in it */
	r = mkdtemp(dir) != NULL;
	ok(r, "temporary directory");
	path_join(path, sizeof(path), dir, "f");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	r = fd != -1 && write_all(fd, "hello\0world", 11) == 0;
	ok(r, "write_all writes");
	close(fd);
	r = read_file(path, 11, &s, &len);
	ok(r == 0 && len == 11 && memcmp(s, "hello\0world", 12) == 0,
	    "read_file reads it whole, NUL-terminated");
	free(s);
	s = NULL;
	r = read_file(path, 10, &s, &len);
	e = errno;
	ok(r == -1 && e == EFBIG && !s, "read_file over max: EFBIG");
	r = read_file("/nonexistent/x", 10, &s, &len);
	e = errno;
	ok(r == -1 && e == ENOENT, "read_file missing: ENOENT");
	ok(fsync_dir(dir) == 0, "fsync_dir on a directory");
	r = fsync_dir(path);
	e = errno;
	ok(r == -1 && e == ENOTDIR, "fsync_dir on a file");
	r = write_all(-1, "x", 1);
	e = errno;
	ok(r == -1 && e == EBADF, "write_all reports errors");
	unlink(path);
	rmdir(dir);
}

/* t_backoff - doubling, the cap, and jitter within +-20% that varies */
static void
t_backoff(void)
{
	int64_t lo = INT64_MAX, hi = 0, v;
	int i, inside = 1;

	for (i = 0; i < 200; i++) {
		v = backoff_ms(1000, 60000, 3);		/* 4000 +- 20% */
		inside &= v >= 3200 && v <= 4800;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	ok(inside, "backoff: attempt 3 of base 1s is 4s +-20%%");
	ok(hi - lo > 400, "backoff: the jitter varies (%lld..%lld)",
	    (long long)lo, (long long)hi);
	inside = 1;
	for (i = 0; i < 50; i++) {
		v = backoff_ms(1000, 60000, 40);	/* capped, no overflow */
		inside &= v >= 48000 && v <= 72000;
	}
	ok(inside, "backoff: capped at max +-20%% however many attempts");
	v = backoff_ms(1000, 60000, 1);
	ok(v >= 800 && v <= 1200, "backoff: the first wait is base +-20%%");
}

int
main(void)
{
	t_duration();
	t_size();
	t_fmt_size();
	t_time();
	t_utf8();
	t_path();
	t_files();
	t_backoff();
	return done_testing();
}
