/* t-id.c - UUIDv4 format and uniqueness; id, type and parameter name
 * validation, path traversal attempts first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

#define NIDS 10000

static int
uuid_shape(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (strchr("0123456789abcdef", s[i]) == NULL)
			return 0;
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

/* vis - s with control and non-ASCII bytes as \xNN, for TAP lines */
static const char *
vis(const char *s)
{
	static char out[4][256];
	static int k;
	char *o = out[k++ % 4];
	size_t n = 0;

	for (; *s && n < 250; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(o + n, 256 - n, "\\x%02x", c);
		else
			o[n++] = (char)c;
	}
	o[n] = '\0';
	return o;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
t_uuid(void)
{
	static char ids[NIDS][37];
	int i, r, shape = 1, valid = 1, dup = 0;
	unsigned seen19 = 0;

	for (i = 0; i < NIDS; i++) {
		memset(ids[i], 'X', sizeof(ids[i]));
		r = id_new(ids[i]);
		if (r != 0 || !uuid_shape(ids[i]))
			shape = 0;
		if (!id_valid(ids[i]))
			valid = 0;
		seen19 |= 1u << (strchr("89ab", ids[i][19]) - "89ab");
	}
	ok(shape, "%d ids are lowercase UUIDv4 (e.g. %s)", NIDS, ids[0]);
	ok(valid, "every new id passes id_valid");
	ok(seen19 == 0xf, "the variant nibble takes all of 8, 9, a, b");
	qsort(ids, NIDS, sizeof(ids[0]), cmp);
	for (i = 1; i < NIDS; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			dup++;
	ok(dup == 0, "%d ids, no duplicates", NIDS);
}

static void
t_random_hex(void)
{
	char a[2 * 200 + 2], b[2 * 200 + 2];
	size_t i;
	int r, hex = 1;

	memset(a, 'X', sizeof(a));
	r = random_hex(a, 200);
	for (i = 0; i < 400; i++)
		if (strchr("0123456789abcdef", a[i]) == NULL || a[i] == '\0')
			hex = 0;
	ok(r == 0 && hex && a[400] == '\0',
	    "random_hex 200 bytes: 400 hex digits and a NUL");
	random_hex(b, 200);
	ok(strcmp(a, b) != 0, "two random_hex calls differ");
	r = random_hex(a, 0);
	ok(r == 0 && a[0] == '\0', "random_hex 0 bytes: empty string");
}

static void
t_id_valid(void)
{
	static const char *good[] = {
		"a", "A", "0", "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		"job.1", "a..b", "a-", "a_b", "x.job", "Z9._-",
	};
	static const char *bad[] = {
		"", ".", "..", "../x", "a/b", "/etc", "x/../y", ".hidden",
		"-rf", "_x", "a b", "a\tb", "a\nb", "a\\b", "caf\xc3\xa9",
		"a:b", "a%2fb", "a*", "x\x7f",
	};
	char longid[ID_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(id_valid(good[i]) == 1, "id \"%s\" valid", vis(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(id_valid(bad[i]) == 0, "id \"%s\" refused", vis(bad[i]));
	ok(id_valid(NULL) == 0, "id NULL refused");
	memset(longid, 'a', sizeof(longid));
	longid[ID_MAX] = '\0';
	ok(id_valid(longid) == 1, "id of %d chars valid", ID_MAX);
	longid[ID_MAX] = 'a';
	longid[ID_MAX + 1] = '\0';
	ok(id_valid(longid) == 0, "id of %d chars refused", ID_MAX + 1);
}

static void
t_type_valid(void)
{
	static const char *good[] = {
		"Invoices", "a", "A1", "my_type", "my-type", "T2-x_y",
	};
	static const char *bad[] = {
		"", "1abc", "_a", "-a", ".a", "a.b", "../x", "a/b", "a b",
		"Inv\xc3\xb6ices", "a\nb", "type:x",
	};
	char t[TYPE_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(type_valid(good[i]) == 1, "type \"%s\" valid", vis(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(type_valid(bad[i]) == 0, "type \"%s\" refused", vis(bad[i]));
	memset(t, 'T', sizeof(t));
	t[TYPE_MAX] = '\0';
	ok(type_valid(t) == 1, "type of %d chars valid", TYPE_MAX);
	t[TYPE_MAX] = 'T';
	t[TYPE_MAX + 1] = '\0';
	ok(type_valid(t) == 0, "type of %d chars refused", TYPE_MAX + 1);
}

static void
t_param_valid(void)
{
	static const char *good[] = { "from", "to_date", "X", "a1_" };
	static const char *bad[] = {
		"", "1a", "_a", "a-b", "a.b", "a b", "a=b", "a/b", "PATH=x",
	};
	char p[66];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(param_name_valid(good[i]) == 1, "param \"%s\" valid",
		    vis(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(param_name_valid(bad[i]) == 0, "param \"%s\" refused",
		    vis(bad[i]));
	memset(p, 'p', sizeof(p));
	p[64] = '\0';
	ok(param_name_valid(p) == 1, "param of 64 chars valid");
	p[64] = 'p';
	p[65] = '\0';
	ok(param_name_valid(p) == 0, "param of 65 chars refused");
}

int
main(void)
{
	t_uuid();
	t_random_hex();
	t_id_valid();
	t_type_valid();
	t_param_valid();
	return done_testing();
}
