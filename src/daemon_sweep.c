/* daemon_sweep.c - the daemon's housekeeping: results past retention,
 * stale tmp/ files, out/ zips without a job, and cancel requests for no
 * running job. */
#include <sys/file.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"
#include "daemon.h"

static int
old_cb(const char *id, const char *node, const struct stat *sb, void *arg)
{
	struct idlist *l = arg;

	if ((int64_t)sb->st_mtim.tv_sec * 1000 < l->cutoff)
		idlist_add(l, id, node);
	return 0;
}

/* retention - delete completed/ and cancelled/ jobs older than retention,
 * the job file first: a zip left alone is an orphan swept at start */
void
retention(struct daemon *d)
{
	static const enum state sts[] = { ST_COMPLETED, ST_CANCELLED };
	char path[PATH_MAX];
	struct idlist l;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		memset(&l, 0, sizeof(l));
		l.cutoff = server_now(d) - d->cfg->retention_ms;
		spool_each(&d->sp, sts[k], old_cb, &l);
		for (i = 0; i < l.n; i++) {
			if (spool_path(&d->sp, path, sizeof(path), sts[k],
			    NULL, l.id[i]) == -1 || unlink(path) == -1)
				continue;
			if (spool_zip_path(&d->sp, path, sizeof(path),
			    l.id[i]) == 0)
				unlink(path);
			log_info("%s %s: expired (retention)", l.id[i],
			    state_dir(sts[k]));
		}
		idlist_free(&l);
	}
}

/* completed - one stat for the usual case of a zip's job */
static int
completed(struct daemon *d, const char *id)
{
	char path[PATH_MAX];
	struct stat sb;

	return spool_path(&d->sp, path, sizeof(path), ST_COMPLETED, NULL,
	    id) == 0 && stat(path, &sb) == 0;
}

/* sweep_cancels - processing/NODE/ID.cancel requests of ours older than
 * a minute whose job no worker runs: the job ended before the request
 * was seen, or its writer stopped waiting */
static void
sweep_cancels(struct daemon *d, int64_t now)
{
	char dir[PATH_MAX], id[ID_MAX + 1];
	struct dirent *de;
	struct stat sb;
	size_t n;
	DIR *dp;

	if (spool_sub(&d->sp, dir, sizeof(dir), SD_PROCESSING, d->node,
	    NULL) == -1 || (dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		n = strlen(de->d_name);
		if (n <= 7 || n - 7 > ID_MAX ||
		    strcmp(de->d_name + n - 7, ".cancel") != 0)
			continue;
		memcpy(id, de->d_name, n - 7);
		id[n - 7] = '\0';
		if (!id_valid(id) || slot_of(d, id) != NULL ||
		    fstatat(dirfd(dp), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1 || node_mtime_ms(&sb) >= now - ORPHAN_AGE_MS)
			continue;
		if (unlinkat(dirfd(dp), de->d_name, 0) == 0)
			log_info("processing/%s/%s: removed (no such running "
			    "job)", d->node, de->d_name);
	}
	closedir(dp);
}

/* sweep - tmp/ files older than an hour (what killed processes, here or
 * on other nodes, left), and with out too (at start) out/ zips of jobs
 * that exist nowhere (not younger than a minute: the zip is put in place
 * before its job moves) */
void
sweep(struct daemon *d, int out)
{
	char dir[PATH_MAX], id[ID_MAX + 1];
	struct dirent *de;
	struct stat sb;
	int64_t mt, now = server_now(d);
	size_t n;
	DIR *dp;
	int i;

	sweep_cancels(d, now);
	for (i = 0; i < (out ? 2 : 1); i++) {
		if (spool_sub(&d->sp, dir, sizeof(dir), i == 0 ? SD_TMP :
		    SD_OUT, NULL, NULL) == -1 || (dp = opendir(dir)) == NULL)
			continue;
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] == '.' ||
			    fstatat(dirfd(dp), de->d_name, &sb, 0) == -1 ||
			    !S_ISREG(sb.st_mode))
				continue;
			mt = (int64_t)sb.st_mtim.tv_sec * 1000;
			if (i == 0) {
				if (mt < now - TMP_AGE_MS &&
				    unlinkat(dirfd(dp), de->d_name, 0) == 0)
					log_info("tmp/%s: removed (stale)",
					    de->d_name);
				continue;
			}
			n = strlen(de->d_name);
			if (n <= 4 || n - 4 > ID_MAX ||
			    strcmp(de->d_name + n - 4, ".zip") != 0)
				continue;
			memcpy(id, de->d_name, n - 4);
			id[n - 4] = '\0';
			if (mt >= now - ORPHAN_AGE_MS || !id_valid(id) ||
			    completed(d, id) ||
			    spool_find(&d->sp, id, NULL) != -1 ||
			    errno != ENOENT)
				continue;
			if (unlinkat(dirfd(dp), de->d_name, 0) == 0)
				log_info("out/%s: removed (no such job)",
				    de->d_name);
		}
		closedir(dp);
	}
}
