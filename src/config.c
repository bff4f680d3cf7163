/* config.c - the INI file (inih) into struct config: one table of keys
 * with their kind, place and default, the reader, the global values and
 * the checks across keys; every error is "FILE:LINE: reason".  A [type
 * NAME] section's values are config_type.c's (config.h: what they share). */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "xspool.h"
#include "config.h"

#if INI_HANDLER_LINENO
#error "inih built with INI_HANDLER_LINENO: adapt cf_handler"
#endif

#define CONF_LINE_MAX	65536	/* bytes in one line */
#define F_DASH	0x01	/* a path that may be "-" (stderr) */
#define F_FILE	0x02	/* the value is a file holding the value of the key
			 * just before it in cf_keys[] (NAME_file after NAME) */
#define SECRET_FILE_MAX	4096	/* bytes of a secret's file */

#define C(s, n, k, f, lo, hi, d) \
	{ s, n, k, offsetof(struct config, f), lo, hi, d, 0 }
#define T(n, k, f, lo, hi, d) \
	{ S_TYPE, n, k, offsetof(struct xtype, f), lo, hi, d, 0 }
#define DAY	INT64_C(86400000)
#define TB	(INT64_C(1) << 40)

/* Every key of the file; man/xspool.conf.5 documents the same list. */
const struct ckey cf_keys[] = {
	C(S_SPOOL, "dir", K_PATH, dir, 0, 0, "spool"),
	C(S_SPOOL, "node", K_STRING, node, 0, 0, NULL),
	C(S_SPOOL, "workers", K_INT, workers, 1, 1024, "2"),
	C(S_SPOOL, "max_attempts", K_INT, max_attempts, 1, 1000, "3"),
	C(S_SPOOL, "retry_base", K_DURATION, retry_base_ms, 0, 365 * DAY,
	    "30s"),
	C(S_SPOOL, "retry_max", K_DURATION, retry_max_ms, 0, 365 * DAY, "1h"),
	C(S_SPOOL, "lease", K_DURATION, lease_ms, 1000, 365 * DAY, "2m"),
	C(S_SPOOL, "rescan", K_DURATION, rescan_ms, 10, DAY, "30s"),
	C(S_SPOOL, "retention", K_DURATION, retention_ms, 0, 36500 * DAY,
	    "7d"),
	C(S_SPOOL, "drop_grace", K_DURATION, drop_grace_ms, 0, DAY, "60s"),
	C(S_SPOOL, "min_free", K_SIZE, min_free, 0, 1024 * TB, "64M"),
	C(S_SPOOL, "kill_grace", K_DURATION, kill_grace_ms, 0, DAY, "5s"),
	C(S_SPOOL, "sync", K_BOOL, sync, 0, 1, "yes"),
	C(S_SPOOL, "zip_level", K_INT, zip_level, 0, 9, "6"),
	C(S_SPOOL, "group", K_STRING, group, 0, 0, NULL),
	C(S_SPOOL, "schedule", K_SCHEDULE, fair, 0, 0, "fair"),
	C(S_SPOOL, "weights", K_CMAP, weights, 1, 1000, "1"),
	C(S_SPOOL, "max_queued", K_CMAP, max_queued, 0, 100000000, "0"),
	C(S_HTTP, "listen", K_STRING, listen, 0, 0, "127.0.0.1:8080"),
	C(S_HTTP, "keys", K_PATH, keys, 0, 0, "etc/keys"),
	C(S_HTTP, "max_connections", K_INT, max_connections, 1, 1000000,
	    "1024"),
	C(S_HTTP, "max_per_ip", K_INT, max_per_ip, 0, 1000000, "0"),
	C(S_HTTP, "max_header", K_SIZE, max_header, 256, 1 << 20, "8K"),
	C(S_HTTP, "header_timeout", K_DURATION, header_timeout_ms, 100,
	    DAY, "5s"),
	C(S_HTTP, "request_timeout", K_DURATION, request_timeout_ms, 1,
	    DAY, "30s"),
	C(S_HTTP, "rate", K_INT, rate, 0, 100000000, "0"),
	C(S_HTTP, "threads", K_INT, threads, 1, 1024, "2"),
	C(S_HTTP, "tls_cert", K_PATH, tls_cert, 0, 0, NULL),
	C(S_HTTP, "tls_key", K_PATH, tls_key, 0, 0, NULL),
	{ S_HTTP, "access_log", K_PATH, offsetof(struct config, access_log),
	    0, 0, NULL, F_DASH },
	C(S_NOTIFY, "smtp", K_STRING, smtp, 0, 0, NULL),
	C(S_NOTIFY, "smtp_user", K_STRING, smtp_user, 0, 0, NULL),
	C(S_NOTIFY, "smtp_password", K_STRING, smtp_password, 0, 0, NULL),
	{ S_NOTIFY, "smtp_password_file", K_STRING,
	    offsetof(struct config, smtp_password), 0, 0, NULL, F_FILE },
	C(S_NOTIFY, "from", K_STRING, from, 0, 0, NULL),
	C(S_NOTIFY, "webhook_secret", K_SECRET, webhook_secret, 0, 0, NULL),
	{ S_NOTIFY, "webhook_secret_file", K_SECRET,
	    offsetof(struct config, webhook_secret), 0, 0, NULL, F_FILE },
	C(S_NOTIFY, "webhook_timeout", K_DURATION, webhook_timeout_ms, 1,
	    DAY, "10s"),
	C(S_NOTIFY, "webhook_attempts", K_INT, webhook_attempts, 1, 1000,
	    "5"),
	C(S_NOTIFY, "webhook_retry_base", K_DURATION, webhook_retry_base_ms,
	    0, DAY, "10s"),
	C(S_NOTIFY, "callback_allow", K_STRING, callback_allow, 0, 0, NULL),
	C(S_NOTIFY, "notify_each_failure", K_BOOL, notify_each_failure, 0, 1,
	    "no"),
	C(S_NOTIFY, "base_url", K_STRING, base_url, 0, 0, NULL),
	C(S_NOTIFY, "ca_file", K_PATH, ca_file, 0, 0, NULL),
	T("command", K_COMMAND, command, 0, 0, NULL),
	T("emits", K_EMITS, emits, 0, 0, "csv"),
	T("formats", K_FORMATS, formats, 0, 0, "JSON,CSV"),
	T("timeout", K_DURATION, timeout_ms, 1, 365 * DAY, "10m"),
	T("max_bytes", K_SIZE, max_bytes, 1, 1024 * TB, "10G"),
	T("columns", K_COLUMNS, columns, 0, 0, NULL),
	T("level", K_INT, level, 0, 9, NULL),
	T("params", K_PARAMS, params, 0, 0, NULL),
	T("database", K_DATABASE, database, 0, 0, NULL),
	T("query", K_QUERY, query, 0, 0, NULL),
	T("query_file", K_QUERY_FILE, query, 0, 0, NULL),
	T("max_running", K_INT, max_running, 0, 1024, "0"),
};
#define NKEYS	(sizeof(cf_keys) / sizeof(cf_keys[0]))
const size_t cf_nkeys = NKEYS;

static const char *sect_names[] = { "", "spool", "http", "notify", "type" };

/* The parse in progress. */
struct cfparse {
	struct config	*c;
	FILE		*fp;
	char		*linebuf;
	size_t		 linecap;
	char		*longval;	/* the value of a long line */
	int		 line;		/* the line inih is working on */
	int		 errline;	/* the first error's, -1: no line */
	char		*err;
	size_t		 errlen;
	char		 cwd[PATH_MAX];
	enum sect	 sect;
	int		 gseen[NKEYS];	/* line each global key was set on */
	int		 (*tseen)[NKEYS];	/* the same per type */
};

/* cf_err - the first error wins; line 0 means "no line" */
int
cf_err(struct cfparse *x, int line, const char *fmt, ...)
{
	char msg[ERRLEN];
	va_list ap;

	if (x->errline != 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(x->err, x->errlen, "%s:%d: %s", x->c->path, line, msg);
	else
		snprintf(x->err, x->errlen, "%s: %s", x->c->path, msg);
	x->errline = line > 0 ? line : -1;
	return 0;
}

int
cf_line(const struct cfparse *x)
{
	return x->line;
}

const char *
cf_file(const struct cfparse *x)
{
	return x->c->path;
}

/* cf_abs_path - s made absolute against the current directory */
char *
cf_abs_path(struct cfparse *x, const char *s)
{
	char *p;

	if (*s == '/')
		return xstrdup(s);
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	if (strcmp(s, ".") == 0 || *s == '\0')
		return xstrdup(x->cwd);
	xasprintf(&p, "%s%s%s", x->cwd, strcmp(x->cwd, "/") ? "/" : "", s);
	return p;
}

/* cf_next_item - the next comma-separated item of *sp, blanks trimmed */
char *
cf_next_item(char **sp)
{
	char *s = *sp, *e;

	if (s == NULL)
		return NULL;
	if ((e = strchr(s, ',')) != NULL) {
		*e = '\0';
		*sp = e + 1;
	} else
		*sp = NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int
parse_bool(const char *v)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* set_number - K_INT, K_BOOL, K_DURATION, K_SIZE into base + k->off */
static int
set_number(struct cfparse *x, const struct ckey *k, char *base, const char *v)
{
	static const char *want[] = {
		[K_INT] = "an integer", [K_BOOL] = "yes or no",
		[K_DURATION] = "a duration such as 30s, 10m, 2h, 7d",
		[K_SIZE] = "a size such as 512K, 10M, 10G",
	};
	char *end;
	long long ll;
	int64_t n;
	int r = 0, b;

	errno = 0;
	switch (k->kind) {
	case K_INT:
		ll = strtoll(v, &end, 10);
		r = (*v == '\0' || *end != '\0' || errno) ? -1 : 0;
		n = ll;
		break;
	case K_BOOL:
		b = parse_bool(v);
		r = b < 0 ? -1 : 0;
		n = b;
		break;
	case K_DURATION:
		r = parse_duration(v, &n);
		break;
	default:
		r = parse_size(v, &n);
		break;
	}
	if (r == -1)
		return cf_err(x, x->line, "%s: bad value '%s' (want %s)",
		    k->name, v, want[k->kind]);
	if (n < k->min || n > k->max)
		return cf_err(x, x->line, "%s: '%s' out of range", k->name, v);
	if (k->kind == K_DURATION || k->kind == K_SIZE)
		*(int64_t *)(void *)(base + k->off) = n;
	else
		*(int *)(void *)(base + k->off) = (int)n;
	return 1;
}

int
config_secret_key(const char *secret, unsigned char *key, size_t *keylen,
    char *err, size_t errlen)
{
	char in[SECRET_MAX * 4 / 3 + 8];
	size_t n, pad = 0;
	int r;

	if (strncmp(secret, "whsec_", 6) == 0)
		secret += 6;
	n = strlen(secret);
	if (n == 0 || n > SECRET_MAX * 4 / 3) {
		seterr(err, errlen, "webhook_secret: empty or too long");
		return -1;
	}
	memcpy(in, secret, n);
	while (n % 4 != 0)		/* accept the unpadded form */
		in[n++] = '=';
	in[n] = '\0';
	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	r = EVP_DecodeBlock(key, (unsigned char *)in, (int)n);
	if (r < 0 || (size_t)r < pad || strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/") != n - pad) {
		seterr(err, errlen, "webhook_secret: not base64");
		return -1;
	}
	*keylen = (size_t)r - pad;
	return 0;
}

static int set_key(struct cfparse *, const struct ckey *, char *, const char *);

/* set_from_file - NAME_file = PATH: the value of NAME is the file's one
 * line (a trailing newline dropped); the file must not be readable by
 * others, as the secret it holds */
static int
set_from_file(struct cfparse *x, const struct ckey *k, char *base,
    const char *v)
{
	struct ckey plain = *k;
	struct stat sb;
	char *path, *text = NULL;
	size_t len = 0;
	int r;

	path = cf_abs_path(x, v);
	if (stat(path, &sb) == -1 ||
	    read_file(path, SECRET_FILE_MAX, &text, &len) == -1)
		r = cf_err(x, x->line, "%s: %s: %s", k->name, path,
		    strerror(errno));
	else if (sb.st_mode & (S_IROTH | S_IWOTH))
		r = cf_err(x, x->line, "%s: %s is readable by others (chmod"
		    " o-rw)", k->name, path);
	else {
		while (len > 0 && (text[len - 1] == '\n' ||
		    text[len - 1] == '\r'))
			text[--len] = '\0';
		if (len == 0 || strlen(text) != len || strchr(text, '\n'))
			r = cf_err(x, x->line, "%s: %s: want one non-empty"
			    " line", k->name, path);
		else {
			plain.flags &= ~F_FILE;
			r = set_key(x, &plain, base, text);
		}
	}
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	free(text);
	free(path);
	return r;
}

#define CNAME_CHARS	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789._-"

static void
cmap_free(struct cmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->name[i]);
	free(m->name);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int
config_client(const struct cmap *m, const char *client)
{
	size_t i;

	if (client == NULL)
		client = "-";
	for (i = 0; i < m->n; i++)
		if (strcmp(m->name[i], client) == 0)
			return m->v[i];
	return m->dflt;
}

/* set_cmap - "N, client:N, ...": a bare number is the default, "-" the
 * jobs without a client */
static int
set_cmap(struct cfparse *x, const struct ckey *k, struct cmap *m, const char *v)
{
	char *copy = xstrdup(v), *rest = copy, *it, *colon, *end;
	const char *why = NULL;
	long long n;

	cmap_free(m);
	m->dflt = (int)k->min;
	while (why == NULL && (it = cf_next_item(&rest)) != NULL) {
		colon = strrchr(it, ':');
		errno = 0;
		n = strtoll(colon ? colon + 1 : it, &end, 10);
		if (end == (colon ? colon + 1 : it) || *end != '\0' || errno ||
		    n < k->min || n > k->max)
			why = "a value is not a number in range";
		else if (colon == NULL)
			m->dflt = (int)n;
		else if ((*colon = '\0', strcmp(it, "-") != 0 &&
		    strspn(it, CNAME_CHARS) != strlen(it)) || *it == '\0' ||
		    strlen(it) > 64)
			why = "a client name is empty or invalid";
		else {
			m->name = xreallocarray(m->name, m->n + 1,
			    sizeof(*m->name));
			m->v = xreallocarray(m->v, m->n + 1, sizeof(*m->v));
			m->name[m->n] = xstrdup(it);
			m->v[m->n++] = (int)n;
		}
	}
	free(copy);
	if (why != NULL)
		return cf_err(x, x->line, "%s: %s (want N, CLIENT:N, ... with"
		    " N from %lld to %lld)", k->name, why, (long long)k->min,
		    (long long)k->max);
	return 1;
}

/* set_key - parse v as k's kind into base (a config or an xtype) */
static int
set_key(struct cfparse *x, const struct ckey *k, char *base, const char *v)
{
	char **sp = (char **)(void *)(base + k->off);
	struct xtype *t = (struct xtype *)(void *)base;

	if (k->flags & F_FILE)
		return set_from_file(x, k, base, v);
	switch (k->kind) {
	case K_STRING:
		free(*sp);
		*sp = *v ? xstrdup(v) : NULL;
		return 1;
	case K_SECRET: {
		/* the signing code judges the secret, so that a bad one is
		 * refused here and not at every webhook */
		unsigned char key[SECRET_MAX + 3];
		char why[ERRLEN];
		size_t keylen;
		int bad = *v && config_secret_key(v, key, &keylen, why,
		    sizeof(why)) == -1;

		OPENSSL_cleanse(key, sizeof(key));
		if (bad)
			return cf_err(x, x->line, "%s", why);
		free(*sp);
		*sp = *v ? xstrdup(v) : NULL;
		return 1;
	}
	case K_PATH:
		free(*sp);
		*sp = NULL;
		if (*v)
			*sp = (k->flags & F_DASH) && strcmp(v, "-") == 0 ?
			    xstrdup(v) : cf_abs_path(x, v);
		return 1;
	case K_COMMAND:
		return type_set_command(x, t, v);
	case K_EMITS:
		return type_set_emits(x, t, v);
	case K_FORMATS:
		return type_set_formats(x, t, v);
	case K_COLUMNS:
		return type_set_columns(x, t, v);
	case K_PARAMS:
		return type_set_params(x, t, v);
	case K_DATABASE:
		return type_set_database(x, t, v);
	case K_QUERY:
	case K_QUERY_FILE:
		return type_set_query(x, t, v, k->kind == K_QUERY_FILE);
	case K_SCHEDULE:
		if (strcmp(v, "fair") != 0 && strcmp(v, "fifo") != 0)
			return cf_err(x, x->line, "schedule: '%s' is not fair"
			    " or fifo", v);
		*(int *)(void *)(base + k->off) = strcmp(v, "fair") == 0;
		return 1;
	case K_CMAP:
		return set_cmap(x, k, (struct cmap *)(void *)(base + k->off),
		    v);
	default:
		return set_number(x, k, base, v);
	}
}

/* start_section - the reader saw "[NAME]" on the current line */
static void
start_section(struct cfparse *x, const char *s, size_t n)
{
	struct config *c = x->c;
	struct xtype *t;
	char name[256];
	size_t i;
	int sect;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	snprintf(name, sizeof(name), "%.*s", (int)n, s);
	x->sect = S_NONE;
	for (sect = S_SPOOL; sect < S_TYPE; sect++)
		if (strcmp(name, sect_names[sect]) == 0) {
			x->sect = (enum sect)sect;
			return;
		}
	if (strcmp(name, "type") == 0) {
		cf_err(x, x->line, "[type NAME]: the type needs a name");
		return;
	}
	if (strncmp(name, "type", 4) != 0 || (name[4] != ' ' &&
	    name[4] != '\t')) {
		cf_err(x, x->line, "unknown section [%s]", name);
		return;
	}
	s = name + 5 + strspn(name + 5, " \t");
	if (!type_valid(s)) {
		cf_err(x, x->line, "[%s]: a type name is a letter, then up to"
		    " %d letters, digits, '_' or '-'", name, TYPE_MAX - 1);
		return;
	}
	for (i = 0; i < c->ntypes; i++)
		if (strcasecmp(c->types[i].name, s) == 0) {
			cf_err(x, x->line, "duplicate type %s (first on line"
			    " %d)", s, c->types[i].line);
			return;
		}
	c->types = xreallocarray(c->types, c->ntypes + 1, sizeof(*c->types));
	x->tseen = xreallocarray(x->tseen, c->ntypes + 1, sizeof(*x->tseen));
	memset(x->tseen[c->ntypes], 0, sizeof(x->tseen[0]));
	t = &c->types[c->ntypes++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(s);
	t->level = -1;
	t->line = x->line;
	x->sect = S_TYPE;
}

/* strip_value - what inih does to a value: blanks around it and a
 * comment (';' after a blank) removed */
static char *
strip_value(char *v)
{
	char *s, *e;
	int was_space = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	for (s = v; *s != '\0' && !(was_space && *s == ';'); s++)
		was_space = *s == ' ' || *s == '\t';
	*s = '\0';
	for (e = s; e > v && (e[-1] == ' ' || e[-1] == '\t'); )
		*--e = '\0';
	return v;
}

/*
 * cf_read - inih's line reader.  It counts lines (Debian's inih has no
 * line numbers in the handler), starts sections, and drops leading blanks
 * so that an indented line is never taken as a continuation of the last.
 * inih's buffer holds 199 bytes: a longer "name = value" reaches it as
 * "name = \001" with the value kept in x->longval for cf_handler.
 */
static char *
cf_read(char *str, int num, void *arg)
{
	struct cfparse *x = arg;
	ssize_t n;
	size_t sep;
	char *s, *e;

	if ((n = getline(&x->linebuf, &x->linecap, x->fp)) == -1)
		return NULL;
	x->line++;
	x->longval = NULL;
	s = x->linebuf;
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	for (; *s == ' ' || *s == '\t'; s++, n--)
		;
	str[0] = '\0';
	sep = strcspn(s, "=:");
	if (strlen(s) != (size_t)n)
		cf_err(x, x->line, "NUL byte in line");
	else if (!utf8_valid(s, (size_t)n))
		cf_err(x, x->line, "invalid UTF-8");
	else if (n <= num - 1) {
		memcpy(str, s, (size_t)n + 1);
		if (*s == '[' && (e = strchr(s, ']')) != NULL)
			start_section(x, s + 1, (size_t)(e - s - 1));
	} else if (*s == ';' || *s == '#')
		;		/* a long comment */
	else if (n > CONF_LINE_MAX || s[sep] == '\0' || *s == '[' ||
	    sep + 4 > (size_t)num - 1)
		cf_err(x, x->line, "line too long");
	else {
		memcpy(str, s, sep + 1);
		memcpy(str + sep + 1, " \001", 3);
		x->longval = strip_value(s + sep + 1);
	}
	return str;
}

/* cf_handler - one "name = value" of the current section */
static int
cf_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct cfparse *x = arg;
	struct config *c = x->c;
	int *seen;
	char *base;
	size_t i;

	if (x->errline != 0)
		return 1;	/* only the first error is told */
	if (x->longval != NULL && strcmp(value, "\001") == 0)
		value = x->longval;
	if (x->sect == S_NONE)
		return cf_err(x, x->line, "%s outside of a section", name);
	for (i = 0; i < NKEYS; i++)
		if (cf_keys[i].sect == x->sect &&
		    strcmp(cf_keys[i].name, name) == 0)
			break;
	if (i == NKEYS)
		return cf_err(x, x->line, "unknown key %s in [%s]", name,
		    section);
	if (x->sect == S_TYPE) {
		seen = x->tseen[c->ntypes - 1];
		base = (char *)&c->types[c->ntypes - 1];
	} else {
		seen = x->gseen;
		base = (char *)c;
	}
	if (seen[i])
		return cf_err(x, x->line, "%s set twice (first on line %d)",
		    name, seen[i]);
	if (((cf_keys[i].flags & F_FILE) && seen[i - 1]) || (i + 1 < NKEYS &&
	    (cf_keys[i + 1].flags & F_FILE) && seen[i + 1]))
		return cf_err(x, x->line, "%s and %s exclude each other",
		    cf_keys[i].name,
		    cf_keys[(cf_keys[i].flags & F_FILE) ? i - 1 : i + 1].name);
	seen[i] = x->line;
	return set_key(x, &cf_keys[i], base, value);
}

/* defaults - every key of the group (types or the rest) not written
 * takes its default */
static int
defaults(struct cfparse *x, int types, int *seen, char *base)
{
	size_t i;

	for (i = 0; i < NKEYS && x->errline == 0; i++)
		if ((cf_keys[i].sect == S_TYPE) == types && !seen[i] &&
		    cf_keys[i].dflt != NULL)
			set_key(x, &cf_keys[i], base, cf_keys[i].dflt);
	return x->errline == 0 ? 0 : -1;
}

/* key_line - the line a global key was set on, 0 when it was not */
static int
key_line(const struct cfparse *x, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (cf_keys[i].sect != S_TYPE &&
		    strcmp(cf_keys[i].name, name) == 0)
			return x->gseen[i];
	return 0;
}

/* set_group - [spool] group, a name or a number, into c->gid */
static int
set_group(struct cfparse *x)
{
	struct config *c = x->c;
	struct group *gr;
	char *end;
	long n;

	c->gid = -1;
	if (c->group == NULL)
		return 0;
	errno = 0;
	n = strtol(c->group, &end, 10);
	if (c->group[0] >= '0' && c->group[0] <= '9' && *end == '\0' &&
	    errno == 0 && n >= 0 && n < INT_MAX) {
		c->gid = n;
		return 0;
	}
	if ((gr = getgrnam(c->group)) == NULL)
		return cf_err(x, key_line(x, "group"), "group: '%s' is not a"
		    " group name or number", c->group), -1;
	c->gid = (long)gr->gr_gid;
	return 0;
}


/* finish - defaults, the node name, and checks across keys */
static int
finish(struct cfparse *x)
{
	struct config *c = x->c;
	char host[256];
	size_t i;
	int l;

	x->line = 0;	/* errors in defaults have no line */
	if (defaults(x, 0, x->gseen, (char *)c) == -1)
		return -1;
	if (c->dir == NULL)	/* "dir =": every program needs a spool */
		return cf_err(x, key_line(x, "dir"), "dir: empty"), -1;
	for (i = 0; i < c->ntypes; i++) {
		if (c->types[i].command == NULL &&
		    c->types[i].database == NULL)
			return cf_err(x, c->types[i].line, "[type %s] has no"
			    " command", c->types[i].name), -1;
		if (defaults(x, 1, x->tseen[i], (char *)&c->types[i]) == -1 ||
		    type_finish_sql(x, &c->types[i], x->tseen[i]) == -1)
			return -1;
	}
	if (c->node == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			return cf_err(x, 0, "gethostname: %s; set node in"
			    " [spool]", strerror(errno)), -1;
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
		c->node = xstrdup(host);
	}
	l = key_line(x, "node");
	if (!id_valid(c->node) || strlen(c->node) > NODE_MAX)
		return cf_err(x, l, "node: '%s' is not a valid node name"
		    " (letters, digits, '.', '_', '-', at most %d)%s", c->node,
		    NODE_MAX, l ? "" : "; set node in [spool]"), -1;
	if (c->retry_max_ms < c->retry_base_ms)
		return cf_err(x, (l = key_line(x, "retry_max")) ? l :
		    key_line(x, "retry_base"),
		    "retry_max is shorter than retry_base"), -1;
	if ((c->tls_cert == NULL) != (c->tls_key == NULL))
		return cf_err(x, (l = key_line(x, "tls_cert")) ? l :
		    key_line(x, "tls_key"),
		    "tls_cert and tls_key go together"), -1;
	if (set_group(x) == -1)
		return -1;
	return 0;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	struct cfparse x;
	int r;

	memset(c, 0, sizeof(*c));
	memset(&x, 0, sizeof(x));
	c->path = xstrdup(path);
	x.c = c;
	x.err = err;
	x.errlen = errlen;
	if (getcwd(x.cwd, sizeof(x.cwd)) == NULL) {
		cf_err(&x, 0, "getcwd: %s", strerror(errno));
		goto fail;
	}
	if ((x.fp = fopen(path, "r")) == NULL) {
		cf_err(&x, 0, "%s", strerror(errno));
		goto fail;
	}
	r = ini_parse_stream(cf_read, &x, cf_handler, &x);
	if (r < 0 || ferror(x.fp))
		cf_err(&x, 0, "read error: %s", strerror(errno));
	else if (r > 0 && (x.errline == 0 || r < x.errline)) {
		x.errline = 0;	/* inih's syntax error came first */
		cf_err(&x, r, "syntax error (want [section] or name = value)");
	}
	if (x.errline != 0 || finish(&x) == -1)
		goto fail;
	fclose(x.fp);
	free(x.linebuf);
	free(x.tseen);
	return 0;
fail:
	if (x.fp)
		fclose(x.fp);
	free(x.linebuf);
	free(x.tseen);
	config_free(c);
	return -1;
}

void
config_free(struct config *c)
{
	const struct ckey *k;
	struct xtype *t;
	size_t i, j;

	for (i = 0, k = cf_keys; i < NKEYS; i++, k++)
		if (k->sect != S_TYPE && !(k->flags & F_FILE) &&
		    (k->kind == K_STRING || k->kind == K_SECRET ||
		    k->kind == K_PATH))
			free(*(char **)(void *)((char *)c + k->off));
		else if (k->kind == K_CMAP)
			cmap_free((struct cmap *)(void *)((char *)c + k->off));
	for (i = 0; i < c->ntypes; i++) {
		t = &c->types[i];
		free(t->name);
		free(t->command);
		for (j = 0; t->argv && t->argv[j]; j++)
			free(t->argv[j]);
		free(t->argv);
		for (j = 0; j < t->ncolumns; j++)
			free(t->columns[j].name);
		free(t->columns);
		for (j = 0; j < t->nparams; j++)
			free(t->params[j].name);
		free(t->params);
		free(t->database);
		free(t->query);
	}
	free(c->types);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

const char *
config_default(void)
{
	static const char *const where[] = { "etc/xspool.conf",
	    "/usr/local/etc/xspool/xspool.conf", "/etc/xspool/xspool.conf" };
	const char *env = getenv("XSPOOL_CONF");
	size_t i;

	if (env != NULL && *env != '\0')
		return env;
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], F_OK) == 0)
			return where[i];
	return where[0];
}
