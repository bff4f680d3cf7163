/* id.c - job ids (UUIDv4 from getrandom) and the validation of every
 * outside name (ids, type names, parameter names) before it becomes a
 * path, an environment variable or a file name. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "xspool.h"

static const char hexdig[] = "0123456789abcdef";

/* get_random - n bytes from the kernel, retrying EINTR and short reads */
static int
get_random(unsigned char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
id_new(char *out)
{
	unsigned char r[16];
	size_t i;
	char *o = out;

	if (get_random(r, sizeof(r)) == -1)
		return -1;
	r[6] = (r[6] & 0x0f) | 0x40;	/* version 4 */
	r[8] = (r[8] & 0x3f) | 0x80;	/* variant 10 */
	for (i = 0; i < sizeof(r); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hexdig[r[i] >> 4];
		*o++ = hexdig[r[i] & 0x0f];
	}
	*o = '\0';
	return 0;
}

int
random_hex(char *out, size_t nbytes)
{
	unsigned char r[64];
	size_t i, n;

	while (nbytes > 0) {
		n = nbytes < sizeof(r) ? nbytes : sizeof(r);
		if (get_random(r, n) == -1) {
			*out = '\0';
			return -1;
		}
		for (i = 0; i < n; i++) {
			*out++ = hexdig[r[i] >> 4];
			*out++ = hexdig[r[i] & 0x0f];
		}
		nbytes -= n;
	}
	*out = '\0';
	return 0;
}

/* isalpha/isalnum depend on the locale; names must not */
static int
is_alpha(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* name_ok - first char by first(), the rest in alnum or extra, 1..max */
static int
name_ok(const char *s, int (*first)(int), const char *extra, size_t max)
{
	size_t i;

	if (s == NULL || !first((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= max)
			return 0;
		if (!is_alnum((unsigned char)s[i]) && strchr(extra, s[i]) == NULL)
			return 0;
	}
	return 1;
}

int
id_valid(const char *s)
{
	/* [A-Za-z0-9][A-Za-z0-9._-]{0,127}: no "/", no "..", no dotfile */
	return name_ok(s, is_alnum, "._-", ID_MAX);
}

int
type_valid(const char *s)
{
	return name_ok(s, is_alpha, "_-", TYPE_MAX);
}

int
param_name_valid(const char *s)
{
	return name_ok(s, is_alpha, "_", 64);
}
