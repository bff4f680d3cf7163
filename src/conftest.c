/* conftest.c - what xspoold -t and xspool-httpd -t check beyond the
 * config's own parse, as the user the process runs as: exporters, the
 * spool, the keys file and TLS files.  Each problem is one line in out. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

/* can - faccessat with the effective ids: what this process may do */
static int
can(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0;
}

/* problem - one line: WHAT PATH: reason (errno's when why is NULL) */
static int
problem(struct buf *out, const char *what, const char *path, const char *why)
{
	buf_addf(out, "%s %s: %s\n", what, path, why ? why : strerror(errno));
	return 1;
}

int
conftest_exporters(const struct config *c, struct buf *out)
{
	const struct xtype *t;
	struct stat sb;
	char what[128];
	size_t i;
	int n = 0;

	for (i = 0; i < c->ntypes; i++) {
		t = &c->types[i];
		snprintf(what, sizeof(what), "[type %s] %s", t->name,
		    t->database ? "exporter" : "command");
		if (stat(t->command, &sb) == -1)
			n += problem(out, what, t->command, NULL);
		else if (!S_ISREG(sb.st_mode))
			n += problem(out, what, t->command, "not a file");
		else if (!can(t->command, X_OK))
			n += problem(out, what, t->command, "not executable by"
			    " this user");
		snprintf(what, sizeof(what), "[type %s] database", t->name);
		if (t->database && strncmp(t->database, "sqlite:", 7) == 0 &&
		    !can(t->database + 7, R_OK))
			n += problem(out, what, t->database + 7, NULL);
	}
	return n;
}

/* spool_mode - what this program needs on a spool directory (i 0: the
 * spool itself): the daemon writes everywhere, the shim only in tmp/,
 * queued/, cancelled/ and notify/ */
static int
spool_mode(size_t i, int daemon)
{
	enum sdir d = (enum sdir)(i - 1);

	if (daemon || (i > 0 && (d == SD_TMP || d == SD_QUEUED ||
	    d == SD_CANCELLED || d == SD_NOTIFY)))
		return R_OK | W_OK | X_OK;
	return R_OK | X_OK;
}

int
conftest_spool(const struct config *c, int create, struct buf *out)
{
	char path[PATH_MAX], parent[PATH_MAX], *slash;
	size_t i;
	int n = 0;

	for (i = 0; i <= NSDIRS; i++) {
		if (i == 0)
			snprintf(path, sizeof(path), "%s", c->dir);
		else if (snprintf(path, sizeof(path), "%s/%s", c->dir,
		    spool_dirname((enum sdir)(i - 1))) >= (int)sizeof(path))
			return problem(out, "spool", c->dir, "path too long");
		if (access(path, F_OK) == 0) {
			if (can(path, spool_mode(i, create)))
				continue;
			n += problem(out, "spool", path, "not writable by this"
			    " user");
			if (i == 0)
				break;	/* nothing under it can be made */
			continue;
		}
		snprintf(parent, sizeof(parent), "%s", path);
		if ((slash = strrchr(parent, '/')) != NULL && slash != parent)
			*slash = '\0';
		if (!create)
			n += problem(out, "spool", path, "missing (xspoold or"
			    " xspool makes it)");
		else if (access(parent, F_OK) == 0 &&
		    !can(parent, W_OK | X_OK))
			n += problem(out, "spool", path, "missing, and this user"
			    " cannot make it");
		if (i == 0)
			break;	/* what is under it is missing too */
	}
	return n;
}

int
conftest_http(const struct config *c, struct buf *out)
{
	char err[ERRLEN];
	struct keys ks;
	int n = 0;

	if (access(c->keys, F_OK) == -1)
		n += problem(out, "keys", c->keys, "missing: no client can"
		    " authenticate (xspool key add)");
	else if (!can(c->keys, R_OK))
		n += problem(out, "keys", c->keys, "not readable by this user");
	else if (keys_load(&ks, c->keys, err, sizeof(err)) == -1) {
		buf_addf(out, "keys %s\n", err);
		n++;
	}
	else
		keys_free(&ks);
	if (c->tls_cert && !can(c->tls_cert, R_OK))
		n += problem(out, "tls_cert", c->tls_cert, NULL);
	if (c->tls_key && !can(c->tls_key, R_OK))
		n += problem(out, "tls_key", c->tls_key, NULL);
	return n;
}
