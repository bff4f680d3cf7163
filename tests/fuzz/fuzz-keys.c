/* fuzz-keys.c - keys.c on any bytes, fed as the API keys file: a file
 * that loads is saved and loaded again to the same keys; each key's
 * secret and address checks run on it. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "fuzz.h"

/* keys_same - two loads of the same keys */
static void
keys_same(const struct keys *a, const struct keys *b)
{
	size_t i;

	fuzz_check(a->n == b->n, "%zu keys, then %zu", a->n, b->n);
	for (i = 0; i < a->n; i++) {
		fuzz_check(strcmp(a->k[i].keyid, b->k[i].keyid) == 0 &&
		    strcmp(a->k[i].client, b->k[i].client) == 0 &&
		    a->k[i].admin == b->k[i].admin &&
		    a->k[i].disabled == b->k[i].disabled &&
		    strcmp(a->k[i].salt, b->k[i].salt) == 0 &&
		    strcmp(a->k[i].hash, b->k[i].hash) == 0 &&
		    (a->k[i].allow == NULL) == (b->k[i].allow == NULL) &&
		    (a->k[i].allow == NULL ||
		    strcmp(a->k[i].allow, b->k[i].allow) == 0),
		    "key %zu changed in the round trip", i);
	}
}

/* keys_addrs - every key against a few peers, v4 and v6 */
static void
keys_addrs(const struct keys *ks)
{
	static const char *v4[] = { "127.0.0.1", "10.1.2.3", "0.0.0.0" };
	static const char *v6[] = { "::1", "::ffff:192.168.0.1",
	    "2001:db8::1" };
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	size_t i, k;

	for (k = 0; k < ks->n; k++) {
		(void)keys_secret_ok(&ks->k[k], "0123456789abcdef");
		fuzz_check(keys_find(ks, ks->k[k].keyid) != NULL,
		    "keys_find misses %s", ks->k[k].keyid);
		for (i = 0; i < 3; i++) {
			memset(&s4, 0, sizeof(s4));
			s4.sin_family = AF_INET;
			inet_pton(AF_INET, v4[i], &s4.sin_addr);
			(void)keys_addr_ok(&ks->k[k],
			    (const struct sockaddr *)&s4);
			memset(&s6, 0, sizeof(s6));
			s6.sin6_family = AF_INET6;
			inet_pton(AF_INET6, v6[i], &s6.sin6_addr);
			(void)keys_addr_ok(&ks->k[k],
			    (const struct sockaddr *)&s6);
		}
	}
}

int
fuzz_keys(const uint8_t *data, size_t size)
{
	struct keys ks, again;
	struct keys_perm perm;
	char err[ERRLEN], *saved;
	const char *path;

	path = fuzz_tmpfile("keys", data, size);
	err[0] = '\0';
	if (keys_load(&ks, path, err, sizeof(err)) == 0) {
		keys_addrs(&ks);
		if (ks.n > 0) {
			saved = xstrdup(path);
			keys_perm(saved, "/nonexistent", -1, &perm);
			fuzz_check(keys_save(&ks, saved, &perm, err, sizeof(err)) ==
			    0, "keys_save: %s", err);
			fuzz_check(keys_load(&again, saved, err,
			    sizeof(err)) == 0, "saved keys do not load: %s",
			    err);
			keys_same(&ks, &again);
			keys_free(&again);
			free(saved);
		}
		keys_free(&ks);
	} else
		fuzz_check(err[0] != '\0', "a refusal without a reason");
	unlink(path);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_keys(data, size);
}
#endif
