/* daemon_drop.c - files dropped into queued/: whether one is a job this
 * daemon can run (check_drop), and bad/ with the reason for one that is
 * not. */
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

/* bad - a dropped file that is not a job goes to bad/ */
static void
bad(struct daemon *d, const char *name, const char *why)
{
	char file[NAME_MAX + 1];

	snprintf(file, sizeof(file), "%s.job", name);
	if (spool_bad(&d->sp, file, why) == -1) {
		log_warn("queued/%s: cannot move to bad/", file);
		watch_add(d->w, name, ST_QUEUED, ns_now(),
		    server_now(d) + d->cfg->rescan_ms);
		return;
	}
	log_warnx("queued/%s -> bad/ (%s)", file, why);
}

/*
 * check_drop - reads queued/NAME.job into j when it is a job we can run.
 * 0 when it is; -1 when not (gone, sent to bad/, or left for later).
 */
int
check_drop(struct daemon *d, const char *name, struct job *j)
{
	char path[PATH_MAX], err[ERRLEN], why[ERRLEN + 64], *text = NULL;
	const char *code;
	struct jdoc doc;
	struct stat sb;
	int64_t mt;
	size_t len, bom;
	int st;

	if (!id_valid(name)) {
		bad(d, name, "the file name is not a valid job id");
		return -1;
	}
	if (spool_path(&d->sp, path, sizeof(path), ST_QUEUED, NULL,
	    name) == -1 || lstat(path, &sb) == -1)
		return -1;	/* claimed or cancelled meanwhile */
	mt = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
	if (sb.st_nlink > 1 && spool_finish_link(&d->sp, name) == 1)
		return -1;	/* a retry's move, cut in two: done now */
	if (sb.st_size > JOB_MAX_SIZE ||
	    read_spool_file(path, JOB_MAX_SIZE, &text, &len) == -1) {
		if (sb.st_size > JOB_MAX_SIZE || errno == EFBIG)
			bad(d, name, "the job file is over 1 MiB");
		else if (errno == ELOOP || errno == EINVAL)
			bad(d, name, errno == ELOOP ? "a symbolic link, not a "
			    "job file" : "not a regular file");
		else if (errno != ENOENT)
			log_warn("%s", path);
		return -1;
	}
	if ((st = spool_elsewhere(&d->sp, name, ST_QUEUED, &sb)) != -1) {
		snprintf(why, sizeof(why), "job id %s is in use: a job of "
		    "that id is in %s/", name, state_dir(st));
		bad(d, name, why);
		free(text);
		return -1;
	}
	/* a leading BOM is skipped, as job_parse does */
	bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if (json_parse(&doc, text + bom, len - bom, err, sizeof(err)) == -1) {
		/* its writer may not be done: wait for drop_grace */
		if (server_now(d) - mt >= d->cfg->drop_grace_ms) {
			snprintf(why, sizeof(why), "bad JSON: %s", err);
			bad(d, name, why);
		} else
			watch_add(d->w, name, ST_QUEUED,
			    (int64_t)sb.st_mtim.tv_sec * 1000000000 +
			    sb.st_mtim.tv_nsec,
			    mt + d->cfg->drop_grace_ms + 1);
		free(text);
		return -1;
	}
	json_free(&doc);
	job_init(j);
	if (job_parse(j, text, len, err, sizeof(err)) == -1)
		goto bad;
	free(text);
	text = NULL;
	snprintf(j->id, sizeof(j->id), "%s", name);
	if (config_type(d->cfg, j->type) == NULL) {
		snprintf(err, sizeof(err), "unknown export type \"%s\"",
		    j->type);
		goto bad;
	}
	if (job_validate(d->cfg, j, &code, err, sizeof(err)) == -1)
		goto bad;
	job_mark_encrypted(j);	/* a dropped file's password */
	if (j->created == 0)
		j->created = mt;
	return 0;
 bad:
	free(text);
	bad(d, name, err);
	job_free(j);
	return -1;
}
