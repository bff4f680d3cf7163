/* keys.c - the API keys file: one key a line, holding only the KeyId and a
 * salted SHA-256 of the secret; constant-time checks; each key's IP
 * allow-list (its addresses and ranges are net.c's). */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "xspool.h"

#define KEYID_LEN	16	/* hex chars */
#define SECRET_LEN	32
#define SALT_LEN	32
#define KEYS_MAX_SIZE	(4 * 1024 * 1024)
#define CLIENT_NAME_MAX	64

/* hex_ok - exactly n lowercase hex digits */
static int
hex_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' &&
		    s[i] <= 'f'))
			return 0;
	return s[n] == '\0';
}

/* client_ok - client names: [A-Za-z0-9._-]{1,64}, used in job files */
static int
client_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= CLIENT_NAME_MAX || !(isalnum((unsigned char)s[i]) ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return i > 0;
}

/* allow_ok - an allow-list as the file holds it: addresses and ranges,
 * comma-separated, no blanks (fields are blank-separated) */
static int
allow_ok(const char *allow)
{
	return strpbrk(allow, " \t\r\n") == NULL &&
	    net_list_ranges_valid(allow);
}

/* sha256_hex - hex SHA-256 of a then b into out (65 bytes) */
static void
sha256_hex(const char *a, const char *b, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, a, strlen(a)) != 1 ||
	    EVP_DigestUpdate(ctx, b, strlen(b)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		/* cannot happen with a working libcrypto; match nothing */
		EVP_MD_CTX_free(ctx);
		memset(out, 'x', 64);
		out[64] = '\0';
		return;
	}
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* parse_line - "KEYID CLIENT admin|user enabled|disabled SALT HASH ALLOW|-" */
static int
parse_line(char *line, struct apikey *k)
{
	char *f[8], *save = NULL, *p;
	int n = 0;

	for (p = strtok_r(line, " \t", &save); p != NULL && n < 8;
	    p = strtok_r(NULL, " \t", &save))
		f[n++] = p;
	if (n != 7)
		return -1;
	if (!hex_ok(f[0], KEYID_LEN) || !client_ok(f[1]) ||
	    !hex_ok(f[4], SALT_LEN) || !hex_ok(f[5], 64))
		return -1;
	memset(k, 0, sizeof(*k));
	if (strcmp(f[2], "admin") == 0)
		k->admin = 1;
	else if (strcmp(f[2], "user") != 0)
		return -1;
	if (strcmp(f[3], "disabled") == 0)
		k->disabled = 1;
	else if (strcmp(f[3], "enabled") != 0)
		return -1;
	if (strcmp(f[6], "-") != 0 && !allow_ok(f[6]))
		return -1;
	memcpy(k->keyid, f[0], KEYID_LEN + 1);
	memcpy(k->salt, f[4], SALT_LEN + 1);
	memcpy(k->hash, f[5], 65);
	k->client = xstrdup(f[1]);
	k->allow = strcmp(f[6], "-") == 0 ? NULL : xstrdup(f[6]);
	return 0;
}

int
keys_load(struct keys *ks, const char *path, char *err, size_t errlen)
{
	char *text = NULL, *line, *next;
	struct apikey k;
	size_t len;
	int lineno = 0;

	ks->k = NULL;
	ks->n = 0;
	if (read_file(path, KEYS_MAX_SIZE, &text, &len) == -1) {
		if (errno == ENOENT)
			return 0;	/* no file yet: no keys */
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (line = text; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if (parse_line(line, &k) == -1) {
			keys_free(ks);
			free(text);
			errno = EINVAL;
			seterr(err, errlen, "%s:%d: malformed key line", path,
			    lineno);
			return -1;
		}
		ks->k = xreallocarray(ks->k, ks->n + 1, sizeof(*ks->k));
		ks->k[ks->n++] = k;
	}
	free(text);
	return 0;
}

/* keys_text - the file's text */
static void
keys_text(const struct keys *ks, struct buf *b)
{
	const struct apikey *k;
	size_t i;

	buf_adds(b, "# xspool API keys: KEYID CLIENT admin|user "
	    "enabled|disabled SALT SHA256(SALT||SECRET) ALLOW|-\n"
	    "# managed with xspool key; see xspool(7)\n");
	for (i = 0; i < ks->n; i++) {
		k = &ks->k[i];
		buf_addf(b, "%s %s %s %s %s %s %s\n", k->keyid, k->client,
		    k->admin ? "admin" : "user",
		    k->disabled ? "disabled" : "enabled", k->salt, k->hash,
		    k->allow ? k->allow : "-");
	}
}

/* keep_owner - root rewriting the file keeps its owner (or gives a new
 * file its directory's owner), so xspool-httpd running as that user can
 * still read it */
static void
keep_owner(int fd, const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat sb;

	if (geteuid() != 0)
		return;
	if (stat(path, &sb) == -1) {
		snprintf(dir, sizeof(dir), "%s", path);
		if ((slash = strrchr(dir, '/')) == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &sb) == -1)
			return;
	}
	/* best effort (root squashed on NFS): a failure leaves it root's;
	 * tested, not cast to void: glibc's _FORTIFY_SOURCE warns */
	if (sb.st_uid != 0 && fchown(fd, sb.st_uid, sb.st_gid) == -1)
		return;
}

int
keys_save(const struct keys *ks, const char *path, long gid, char *err,
    size_t errlen)
{
	struct atomic a;
	struct buf b;
	int r;

	if (atomic_open(&a, path, 0600, 1) == -1)
		goto fail;
	keep_owner(a.fd, path);
	/* [spool] group: the shim may run as another user of that group */
	if ((gid >= 0 && fchown(a.fd, (uid_t)-1, (gid_t)gid) == -1) ||
	    fchmod(a.fd, gid >= 0 ? 0640 : 0600) == -1) {
		atomic_abort(&a);
		goto fail;
	}
	buf_init(&b);
	keys_text(ks, &b);
	r = atomic_write(&a, b.p, b.len);
	buf_free(&b);
	if (r == -1 || atomic_commit(&a, path) == -1)
		goto fail;
	return 0;
 fail:
	seterr(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

void
keys_free(struct keys *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++) {
		free(ks->k[i].client);
		free(ks->k[i].allow);
	}
	free(ks->k);
	ks->k = NULL;
	ks->n = 0;
}

int
keys_add(struct keys *ks, const char *client, int admin, const char *allow,
    char *token, size_t size)
{
	char secret[SECRET_LEN + 1];
	struct apikey k;
	int tries = 0;

	if (!client_ok(client) || (allow != NULL && !allow_ok(allow)) ||
	    size < KEYID_LEN + 1 + SECRET_LEN + 1) {
		errno = EINVAL;
		return -1;
	}
	memset(&k, 0, sizeof(k));
	do {
		if (random_hex(k.keyid, KEYID_LEN / 2) == -1)
			return -1;
	} while (keys_find(ks, k.keyid) != NULL && ++tries < 10);
	if (tries == 10) {
		errno = EEXIST;
		return -1;
	}
	if (random_hex(secret, SECRET_LEN / 2) == -1 ||
	    random_hex(k.salt, SALT_LEN / 2) == -1)
		return -1;
	sha256_hex(k.salt, secret, k.hash);
	k.client = xstrdup(client);
	k.admin = admin != 0;
	k.allow = allow ? xstrdup(allow) : NULL;
	ks->k = xreallocarray(ks->k, ks->n + 1, sizeof(*ks->k));
	ks->k[ks->n++] = k;
	snprintf(token, size, "%s.%s", k.keyid, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}

struct apikey *
keys_find(const struct keys *ks, const char *keyid)
{
	size_t i;

	if (keyid == NULL)
		return NULL;
	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i].keyid, keyid) == 0)
			return &ks->k[i];
	return NULL;
}

int
keys_del(struct keys *ks, const char *keyid)
{
	struct apikey *k;
	size_t i;

	if ((k = keys_find(ks, keyid)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	i = (size_t)(k - ks->k);
	free(k->client);
	free(k->allow);
	memmove(&ks->k[i], &ks->k[i + 1], (ks->n - i - 1) * sizeof(*k));
	ks->n--;
	return 0;
}

int
keys_secret_ok(const struct apikey *k, const char *secret)
{
	char hash[65];

	if (k == NULL || secret == NULL)
		return 0;
	sha256_hex(k->salt, secret, hash);
	return CRYPTO_memcmp(hash, k->hash, 64) == 0;
}

int
keys_addr_ok(const struct apikey *k, const struct sockaddr *sa)
{
	unsigned char peer[16];

	if (k->allow == NULL || k->allow[0] == '\0')
		return 1;
	return net_addr_sa(sa, peer) == 0 && net_list_has_addr(k->allow, peer);
}
