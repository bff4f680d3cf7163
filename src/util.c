/* util.c - small helpers every part needs: millisecond times, durations
 * and sizes for people, UTF-8 checking, whole-file I/O and path joining. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "xspool.h"

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* days_from_civil - days since 1970-01-01 (H. Hinnant's algorithm) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* civil_from_days - the inverse of days_from_civil */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

char *
fmt_time(int64_t ms, char *buf)
{
	int64_t days, secs, y;
	int m, d, frac;

	days = ms / 86400000;
	secs = ms % 86400000;
	if (secs < 0) {
		secs += 86400000;
		days--;
	}
	frac = (int)(secs % 1000);
	secs /= 1000;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;	/* keep the fixed width */
	if (frac)
		snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    (int)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
		    (int)(secs % 60), frac);
	else
		snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    (int)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
		    (int)(secs % 60));
	return buf;
}

/* digits - n decimal digits at s into *v; 0 or -1 */
static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
parse_time(const char *s, size_t len, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, sec, frac = 0, scale = 100, leap;
	size_t i;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[len - 1] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (len > 20) {
		/* ".f" to ".fffffffff": 0-9 fraction digits, ms kept */
		if (s[19] != '.' || len < 22 || len > 30)
			return -1;
		for (i = 20; i < len - 1; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 59)
		return -1;
	*ms = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec) * 1000 + frac;
	return 0;
}

/* parse_num - leading decimal digits into *v, end in *end; -1 on none or
 * overflow */
static int
parse_num(const char *s, int64_t *v, const char **end)
{
	int64_t n = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	*end = s;
	return 0;
}

/* scale - *v times mult, refusing overflow */
static int
scale(int64_t *v, int64_t mult)
{
	if (*v > INT64_MAX / mult)
		return -1;
	*v *= mult;
	return 0;
}

int
parse_duration(const char *s, int64_t *ms)
{
	static const struct { const char *unit; int64_t mult; } units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	const char *end;
	int64_t v;
	size_t i;

	if (s == NULL || parse_num(s, &v, &end) == -1)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) == 0) {
			if (scale(&v, units[i].mult) == -1)
				return -1;
			*ms = v;
			return 0;
		}
	}
	return -1;
}

int
parse_size(const char *s, int64_t *bytes)
{
	static const char units[] = "KMGT";
	const char *end, *u;
	int64_t v;
	int i, n = 0;

	if (s == NULL || parse_num(s, &v, &end) == -1)
		return -1;
	if (*end != '\0' &&
	    (u = strchr(units, toupper((unsigned char)*end))) != NULL) {
		n = (int)(u - units) + 1;
		end++;
		if (end[0] == 'i' && toupper((unsigned char)end[1]) == 'B')
			end++;		/* "KiB" */
	}
	if (toupper((unsigned char)*end) == 'B')
		end++;
	if (*end != '\0')
		return -1;
	for (i = 0; i < n; i++)
		if (scale(&v, 1024) == -1)
			return -1;
	*bytes = v;
	return 0;
}

char *
fmt_size(int64_t bytes, char *buf)
{
	static const char *units[] = { "KiB", "MiB", "GiB", "TiB", "PiB",
	    "EiB" };
	double v;
	int i;

	if (bytes < 1024 && bytes > -1024) {
		snprintf(buf, 32, "%lld B", (long long)bytes);
		return buf;
	}
	v = (double)bytes / 1024;
	for (i = 0; i < 5 && (v >= 1024 || v <= -1024); i++)
		v /= 1024;
	snprintf(buf, 32, "%.1f %s", v, units[i]);
	return buf;
}

/* utf8_seq - length of the well-formed sequence at s (n bytes left), 0
 * when it is not one (RFC 3629 table 3-7) */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* > U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int
utf8_valid(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, len;
	uint64_t w;

	while (i < n) {
		/* ASCII runs eight bytes at a time */
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((len = utf8_seq(s + i, n - i)) == 0)
			return 0;
		i += len;
	}
	return 1;
}

int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* read_open - read_file's open: never blocks (a FIFO), never takes a
 * device or a directory: only a regular file is read */
static int
read_open(const char *path, int flags)
{
	struct stat sb;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | flags)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	return fd;
 fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
read_fd(int fd, size_t max, char **out, size_t *lenp)
{
	struct buf b;
	char chunk[8192];
	ssize_t r;
	int saved;

	buf_init(&b);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		if (b.len + (size_t)r > max) {
			errno = EFBIG;
			goto fail;
		}
		buf_add(&b, chunk, (size_t)r);
	}
	close(fd);
	if (lenp)
		*lenp = b.len;
	*out = buf_steal(&b);
	return 0;
fail:
	saved = errno;
	close(fd);
	buf_free(&b);
	errno = saved;
	return -1;
}

int
read_file(const char *path, size_t max, char **out, size_t *lenp)
{
	int fd;

	if ((fd = read_open(path, 0)) == -1)
		return -1;
	return read_fd(fd, max, out, lenp);
}

int
read_spool_file(const char *path, size_t max, char **out, size_t *lenp)
{
	int fd;

	if ((fd = read_open(path, O_NOFOLLOW)) == -1)
		return -1;
	return read_fd(fd, max, out, lenp);
}

/* fsync_path - open path with flags and fsync it */
static int
fsync_path(const char *path, int flags)
{
	int fd, saved;

	if ((fd = open(path, flags | O_CLOEXEC)) == -1)
		return -1;
	/* some file systems cannot sync a directory: nothing to do there */
	if (fsync(fd) == -1 && errno != EINVAL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

int
fsync_dir(const char *path)
{
	return fsync_path(path, O_RDONLY | O_DIRECTORY);
}

int
fsync_file(const char *path)
{
	return fsync_path(path, O_RDONLY);
}

/* path_join - a and b may point into buf: lengths first, then memmove */
int
path_join(char *buf, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), sep;

	sep = la > 0 && lb > 0 && a[la - 1] != '/';
	if (la + sep + lb >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memmove(buf, a, la);
	if (sep)
		buf[la] = '/';
	memmove(buf + la + sep, b, lb);
	buf[la + sep + lb] = '\0';
	return 0;
}

/* seterr - a message into the caller's err buffer (if any), keeping errno */
void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

int64_t
backoff_ms(int64_t base, int64_t max, int n)
{
	uint32_t r = 0;
	int64_t ms = base;

	while (--n > 0 && ms < max)
		ms *= 2;
	if (ms > max)
		ms = max;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)mono_ms();
	return ms * (80 + (int64_t)(r % 41)) / 100;
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
str_hash(const char *s, uint64_t seed)
{
	uint64_t h = 14695981039346656037ULL ^ seed;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}
