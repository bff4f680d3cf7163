/* xspool_keys.c - `xspool key`: lists, adds and removes the REST shim's
 * API keys, under a lock on the keys file (keys.c owns its format). */
#include <sys/file.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "xspool.h"
#include "xspool_cli.h"

static const struct option key_opts[] = {
	{ "admin", no_argument, NULL, 'a' },
	{ "allow", required_argument, NULL, 'A' },
	HELP_OPTION,
	{ NULL, 0, NULL, 0 }
};

/* keys_lock - serialize edits of the keys file with a lock file */
static int
keys_lock(const char *path)
{
	char *lock;
	int fd;

	xasprintf(&lock, "%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || flock(fd, LOCK_EX) == -1)
		err(EXIT_NO, "key: %s", lock);
	free(lock);
	return fd;
}

static void
key_list(const struct keys *ks)
{
	size_t i;

	printf("%-16s %-20s %-6s %-9s %s\n", "KEYID", "CLIENT", "RIGHTS",
	    "STATE", "ALLOW");
	for (i = 0; i < ks->n; i++)
		printf("%-16s %-20s %-6s %-9s %s\n", ks->k[i].keyid,
		    ks->k[i].client, ks->k[i].admin ? "admin" : "user",
		    ks->k[i].disabled ? "disabled" : "enabled",
		    ks->k[i].allow ? ks->k[i].allow : "-");
}

/* key_add - "key add NAME [--admin] [--allow LIST]"; prints the token */
static int
key_add(struct keys *ks, int argc, char **argv)
{
	char token[128];
	const char *allow = NULL;
	int ch, admin = 0;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "h", key_opts, NULL)) != -1) {
		if (ch == 'a')
			admin = 1;
		else if (ch == 'A')
			allow = optarg;
		else if (ch == 'h')
			help_exit("key");
		else
			cmd_usage("key", NULL);
	}
	want_args("key add", argc, argv, 1, "client name");
	if (keys_add(ks, argv[optind], admin, allow, token,
	    sizeof(token)) == -1) {
		if (errno == EINVAL)
			errx(EXIT_USAGE, "key add: invalid client name "
			    "([A-Za-z0-9._-], up to 64) or allow list (IP or "
			    "CIDR, comma-separated)");
		err(EXIT_NO, "key add");
	}
	printf("%s\n", token);
	if (isatty(STDOUT_FILENO))
		fprintf(stderr, "xspool: the secret is shown only once; "
		    "store it now\n");
	return 0;
}

int
cmd_key(struct ctx *x, int argc, char **argv)
{
	char e[ERRLEN];
	struct keys ks;
	struct keys_perm perm;
	struct apikey *k;
	const char *sub;
	int lock, save = 1, r = 0;

	if (argc < 2)
		cmd_usage("key", "missing subcommand (add, list, disable, "
		    "enable, del)");
	for (r = 1; r < argc; r++)
		if (is_help(argv[r]))
			help_exit("key");
	r = 0;
	sub = argv[1];
	ctx_config(x);
	if (x->c.keys == NULL)
		errx(EXIT_USAGE, "key: no keys file in %s ([http] keys)",
		    x->c.path);
	lock = keys_lock(x->c.keys);
	if (keys_load(&ks, x->c.keys, e, sizeof(e)) == -1)
		errx(EXIT_USAGE, "key: %s", e);
	if (strcmp(sub, "add") == 0)
		r = key_add(&ks, argc - 1, argv + 1);
	else if (strcmp(sub, "list") == 0 && argc == 2) {
		key_list(&ks);
		save = 0;
	} else if ((strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0
	    || strcmp(sub, "del") == 0) && argc == 3) {
		if ((k = keys_find(&ks, argv[2])) == NULL)
			errx(EXIT_NO, "key %s: %s: no such key", sub, argv[2]);
		if (strcmp(sub, "del") == 0)
			keys_del(&ks, argv[2]);
		else
			k->disabled = strcmp(sub, "disable") == 0;
	} else
		cmd_usage("key", "%s: unknown subcommand, or a missing or "
		    "extra argument", sub);
	keys_perm(x->c.keys, x->c.dir, x->c.gid, &perm);
	if (save && keys_save(&ks, x->c.keys, &perm, e, sizeof(e)) == -1)
		errx(EXIT_NO, "key: %s", e);
	/* neither the file nor the spool existed: nobody to give it to */
	if (save && geteuid() == 0 && perm.uid == (uid_t)-1 &&
	    perm.mode == 0600)
		warnx("key: %s is root's, mode 0600: a service running as"
		    " another user cannot read it (make the spool %s first,"
		    " owned by that user, or chown the file)", x->c.keys,
		    x->c.dir);
	keys_free(&ks);
	close(lock);
	return r;
}

