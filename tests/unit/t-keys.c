/* t-keys.c - API keys: add, secret hashing, save/load, mode 0600, malformed
 * files, delete, IP allow-lists. */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "tap.h"

#define T(cond, ...) do {						\
	int t_ = !!(cond);						\
	ok(t_, __VA_ARGS__);						\
} while (0)

static struct sockaddr_storage ss;

static const struct sockaddr *
v4(const char *s)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	a->sin_family = AF_INET;
	inet_pton(AF_INET, s, &a->sin_addr);
	return (const struct sockaddr *)&ss;
}

static const struct sockaddr *
v6(const char *s)
{
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	a->sin6_family = AF_INET6;
	inet_pton(AF_INET6, s, &a->sin6_addr);
	return (const struct sockaddr *)&ss;
}

static void
test_addr(void)
{
	struct apikey k;

	memset(&k, 0, sizeof(k));
	T(keys_addr_ok(&k, v4("1.2.3.4")), "no allow-list: everyone");
	k.allow = "10.0.0.0/8,192.168.1.5,2001:db8::/32";
	T(keys_addr_ok(&k, v4("10.200.0.1")), "in 10/8");
	T(!keys_addr_ok(&k, v4("11.0.0.1")), "not in 10/8");
	T(keys_addr_ok(&k, v4("192.168.1.5")), "exact address");
	T(!keys_addr_ok(&k, v4("192.168.1.6")), "next address refused");
	T(keys_addr_ok(&k, v6("2001:db8:1::9")), "in 2001:db8::/32");
	T(!keys_addr_ok(&k, v6("2001:db9::1")), "not in 2001:db8::/32");
	T(keys_addr_ok(&k, v6("::ffff:10.1.1.1")),
	    "v4-mapped IPv6 peer matches a v4 CIDR");
	T(!keys_addr_ok(&k, v6("::1")), "::1 refused");
	k.allow = "0.0.0.0/0";
	T(keys_addr_ok(&k, v4("8.8.8.8")), "0.0.0.0/0 takes any v4");
}

int
main(void)
{
	char dir[] = "/tmp/t-keys.XXXXXX", path[64], token[128], err[ERRLEN];
	char keyid[128], secret[128], *dot, c0;
	struct keys ks, ks2;
	struct keys_perm perm;
	struct apikey *k;
	struct stat sb;
	FILE *f;
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/keys", dir);
	T(keys_load(&ks, path, err, sizeof(err)) == 0 && ks.n == 0,
	    "a missing keys file is no keys");
	r = keys_add(&ks, "erp", 0, NULL, token, sizeof(token));
	T(r == 0, "add");
	dot = strchr(token, '.');
	T(dot != NULL && dot - token == 16 && strlen(dot + 1) == 32,
	    "token is KeyId(16).Secret(32): %s", token);
	*dot = '\0';
	snprintf(keyid, sizeof(keyid), "%s", token);
	snprintf(secret, sizeof(secret), "%s", dot + 1);
	k = keys_find(&ks, keyid);
	T(k != NULL && strcmp(k->client, "erp") == 0 && !k->admin &&
	    !k->disabled, "found by KeyId");
	T(k != NULL && strstr(k->hash, secret) == NULL &&
	    strlen(k->hash) == 64, "only a hash is kept");
	T(keys_secret_ok(k, secret), "right secret");
	c0 = secret[0];
	secret[0] = c0 == 'a' ? 'b' : 'a';
	T(!keys_secret_ok(k, secret), "wrong secret");
	secret[0] = c0;
	T(!keys_secret_ok(k, ""), "empty secret");
	T(keys_add(&ks, "bad name", 0, NULL, token, sizeof(token)) == -1 &&
	    errno == EINVAL, "client with a space refused");
	T(keys_add(&ks, "x", 0, "10.0.0.0/33", token, sizeof(token)) == -1,
	    "bad CIDR refused");
	r = keys_add(&ks, "ops", 1, "127.0.0.1,::1", token, sizeof(token));
	T(r == 0 && ks.n == 2, "second key, admin, allow-list");
	keys_perm(path, dir, -1, &perm);
	T(stat(dir, &sb) == 0 && perm.uid == sb.st_uid &&
	    perm.gid == sb.st_gid && perm.mode == 0600 && !perm.strict,
	    "a new keys file: the spool directory's owner, 0600");
	T(keys_save(&ks, path, &perm, err, sizeof(err)) == 0, "save");
	T(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "keys file mode 0600");
	chmod(path, 0640);
	keys_perm(path, "/nonexistent", -1, &perm);
	T(perm.uid == sb.st_uid && perm.gid == sb.st_gid &&
	    perm.mode == 0640, "an existing group-readable file: kept 0640");
	keys_perm(path, dir, 4242, &perm);
	T(perm.gid == 4242 && perm.mode == 0640 && perm.strict,
	    "[spool] group: that group, 0640, must hold");
	chmod(path, 0600);
	keys_perm(path, dir, -1, &perm);
	T(perm.mode == 0600, "an existing 0600 file stays 0600");
	T(keys_load(&ks2, path, err, sizeof(err)) == 0 && ks2.n == 2,
	    "load back");
	k = keys_find(&ks2, keyid);
	T(k != NULL && keys_secret_ok(k, secret), "secret still good");
	T(ks2.n == 2 && ks2.k[1].admin && ks2.k[1].allow != NULL &&
	    strcmp(ks2.k[1].allow, "127.0.0.1,::1") == 0, "admin and allow");
	T(keys_del(&ks2, keyid) == 0 && ks2.n == 1 &&
	    keys_find(&ks2, keyid) == NULL, "del");
	T(keys_del(&ks2, keyid) == -1, "del again fails");
	keys_free(&ks2);
	keys_free(&ks);

	f = fopen(path, "a");
	fprintf(f, "0123456789abcdef erp user maybe 00 11 -\n");
	fclose(f);
	T(keys_load(&ks, path, err, sizeof(err)) == -1 &&
	    strstr(err, ":5:") != NULL, "malformed line named: %s", err);
	test_addr();
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	system(path);
	return done_testing();
}
