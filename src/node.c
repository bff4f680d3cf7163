/* node.c - the node: a daemon's name and identity in its heartbeat file
 * nodes/NODE, the file server's clock read back from it, the lease rule
 * by which other nodes are judged alive or lost, and fencing (whether our
 * own lease is still current).  The daemon, the notifier and xspool check
 * judge nodes only through here. */
#include <sys/mman.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xspool.h"

#define IDENT_MAX	512	/* a heartbeat file is no bigger */

/* what the workers see of our lease: the last good beat (mono_ms) */
struct nodeshare {
	volatile int64_t good_mono;
	int64_t		 fence_ms;
};

static int64_t
mtime_of(const struct stat *sb)
{
	return (int64_t)sb->st_mtim.tv_sec * 1000 +
	    sb->st_mtim.tv_nsec / 1000000;
}

int64_t
node_mtime_ms(const struct stat *sb)
{
	return mtime_of(sb);
}

/* boot_id - this machine's boot id (a pid means nothing after a boot) */
static void
boot_id(char *buf, size_t size)
{
	char *text = NULL;
	size_t len;

	snprintf(buf, size, "-");
	if (read_file("/proc/sys/kernel/random/boot_id", 64, &text,
	    &len) == 0) {
		text[strcspn(text, "\n")] = '\0';
		snprintf(buf, size, "%s", text);
	}
	free(text);
}

/* field - the value of "name VALUE" line in text into buf, "" if none */
static void
field(const char *text, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name), k;
	const char *p = text;

	buf[0] = '\0';
	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == ' ') {
			k = strcspn(p + n + 1, "\n");
			snprintf(buf, size, "%.*s", (int)k, p + n + 1);
			return;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
}

int
node_read(struct spool *s, const char *name, struct nodeid *id)
{
	char path[PATH_MAX], *text = NULL, lease[24], *end;
	long long ms;
	int fd, saved;

	memset(id, 0, sizeof(*id));
	if (spool_sub(s, path, sizeof(path), SD_NODES, name, NULL) == -1)
		return -1;
	/* open then fstat: close-to-open gives the server's mtime, where
	 * stat() may answer from the attribute cache */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &id->sb) == -1 || !S_ISREG(id->sb.st_mode)) {
		saved = errno;
		close(fd);
		errno = S_ISREG(id->sb.st_mode) ? saved : EINVAL;
		return -1;
	}
	if (read_fd(fd, IDENT_MAX, &text, NULL) == -1)
		return -1;
	field(text, "host", id->host, sizeof(id->host));
	field(text, "boot", id->boot, sizeof(id->boot));
	field(text, "pid", id->pid, sizeof(id->pid));
	field(text, "token", id->token, sizeof(id->token));
	field(text, "lease", lease, sizeof(lease));
	free(text);
	errno = 0;
	ms = strtoll(lease, &end, 10);
	if (lease[0] != '\0' && *end == '\0' && errno == 0 && ms > 0)
		id->lease_ms = ms;
	id->mtime = mtime_of(&id->sb);
	return 0;
}

int
node_clock(struct spool *s, int64_t *ms)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd, rv;

	if ((fd = spool_tmpfile(s, path, sizeof(path), "clock")) == -1)
		return -1;
	rv = fstat(fd, &sb);
	close(fd);
	unlink(path);
	if (rv == -1)
		return -1;
	*ms = mtime_of(&sb);
	return 0;
}

int
node_expired(const struct nodeid *id, int64_t server_now, int64_t lease_ms)
{
	/* the holder's own lease, which its beats follow: a node with a
	 * longer lease beats less often than the judge's lease */
	if (id->lease_ms > 0)
		lease_ms = id->lease_ms;
	return server_now - id->mtime > lease_ms;
}

int
node_live(struct spool *s, int64_t lease_ms, node_live_fn fn, void *arg)
{
	char path[PATH_MAX];
	struct nodeid id;
	struct dirent *de;
	int64_t now;
	DIR *d;
	int n = 0;

	if (node_clock(s, &now) == -1 ||
	    spool_sub(s, path, sizeof(path), SD_NODES, NULL, NULL) == -1 ||
	    (d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    node_read(s, de->d_name, &id) == -1 ||
		    node_expired(&id, now, lease_ms))
			continue;
		n++;
		if (fn != NULL)
			fn(de->d_name, arg);
	}
	closedir(d);
	return n;
}

/* ident_text - what our heartbeat file holds */
static int
ident_text(const struct node *n, char *buf, size_t size)
{
	char ts[32];

	return snprintf(buf, size, "pid %ld\nhost %s\nboot %s\ntoken %s\n"
	    "lease %lld\ntime %s\n", (long)getpid(), n->host, n->boot,
	    n->token, (long long)n->lease_ms, fmt_time(now_ms(), ts));
}

/* hb_create - a new heartbeat with our identity through tmp/; replace:
 * over what is there, else never over an existing one (EEXIST) */
static int
hb_create(struct node *n, int replace)
{
	char tmp[PATH_MAX], text[IDENT_MAX];
	struct atomic a;
	int fd, len;

	if ((fd = spool_tmpfile(n->sp, tmp, sizeof(tmp), "node")) == -1)
		return -1;
	atomic_adopt(&a, fd, tmp, n->sp->sync);
	len = ident_text(n, text, sizeof(text));
	if (fchmod(fd, 0644) == -1) {
		atomic_abort(&a);
		return -1;
	}
	if (atomic_write(&a, text, len) == -1 || atomic_close(&a) == -1)
		return -1;
	if ((replace ? rename(tmp, n->path) :
	    spool_move_noreplace(n->sp, tmp, n->path)) == -1) {
		atomic_abort(&a);
		return -1;
	}
	if (n->fd != -1)
		close(n->fd);
	if ((n->fd = open(n->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	return 0;
}

/* pid_alive - a process of that pid runs on this machine */
static int
pid_alive(const char *pid)
{
	char *end;
	long p = strtol(pid, &end, 10);

	if (*pid == '\0' || *end != '\0' || p <= 0 || p > INT_MAX)
		return 0;
	if ((pid_t)p == getpid())
		return 0;
	return kill((pid_t)p, 0) == 0 || errno == EPERM;
}

int
node_open(struct node *n, struct spool *s, const char *name,
    int64_t lease_ms, char *err, size_t errlen)
{
	struct nodeid id;
	int64_t now;
	char age[32];

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	n->sp = s;
	n->lease_ms = lease_ms;
	snprintf(n->name, sizeof(n->name), "%s", name);
	if (gethostname(n->host, sizeof(n->host)) == -1)
		snprintf(n->host, sizeof(n->host), "localhost");
	n->host[sizeof(n->host) - 1] = '\0';
	n->host[strcspn(n->host, " \n")] = '\0';
	boot_id(n->boot, sizeof(n->boot));
	if (random_hex(n->token, 16) == -1 ||
	    spool_sub(s, n->path, sizeof(n->path), SD_NODES, name,
	    NULL) == -1) {
		seterr(err, errlen, "node %s: %s", name, strerror(errno));
		return -1;
	}
	n->share = mmap(NULL, sizeof(*n->share), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (n->share == MAP_FAILED) {
		n->share = NULL;
		seterr(err, errlen, "mmap: %s", strerror(errno));
		return -1;
	}
	n->share->fence_ms = lease_ms - lease_ms / 4;
	if (node_read(s, name, &id) == 0) {
		if (node_clock(s, &now) == -1)
			now = id.mtime + lease_ms + 1;
		snprintf(age, sizeof(age), "%llds",
		    (long long)((now - id.mtime) / 1000));
		if (!node_expired(&id, now, lease_ms) &&
		    (strcmp(id.host, n->host) != 0 ||
		    strcmp(id.boot, n->boot) != 0 || pid_alive(id.pid))) {
			errno = EEXIST;
			seterr(err, errlen, "node %s is in use: nodes/%s was "
			    "touched %s ago by pid %s on %s; another xspoold "
			    "runs under this name (give this one another "
			    "node name, or wait until that heartbeat is "
			    "older than lease)", name, name, age,
			    id.pid[0] ? id.pid : "?",
			    id.host[0] ? id.host : "an unknown host");
			node_close(n, 0);
			return -1;
		}
		/* ours from before a crash, or one whose lease ran out */
		if (hb_create(n, 1) == -1)
			goto syserr;
	} else if (errno != ENOENT || hb_create(n, 0) == -1)
		goto syserr;
	if (node_beat(n) != NODE_OK)
		goto syserr;
	return 0;
 syserr:
	seterr(err, errlen, "%s: %s", n->path, strerror(errno));
	node_close(n, 0);
	return -1;
}

void
node_close(struct node *n, int clean)
{
	struct nodeid id;

	/* a clean stop removes the heartbeat, if it is still ours */
	if (clean && n->fd != -1 && node_read(n->sp, n->name, &id) == 0 &&
	    strcmp(id.token, n->token) == 0)
		unlink(n->path);
	if (n->fd != -1)
		close(n->fd);
	n->fd = -1;
	if (n->share != NULL)
		munmap(n->share, sizeof(*n->share));
	n->share = NULL;
	free(n->missing);
	n->missing = NULL;
	n->nmissing = 0;
}

int
node_beat(struct node *n)
{
	char text[IDENT_MAX];
	struct nodeid id;
	struct stat sb;
	int len;

	if (node_read(n->sp, n->name, &id) == -1) {
		if (errno != ENOENT && errno != ESTALE)
			return NODE_FAIL;
		log_warnx("%s: our heartbeat was gone: recreated", n->path);
		if (hb_create(n, 0) == -1) {
			if (errno != EEXIST)
				return NODE_FAIL;
			return node_beat(n);	/* someone made one: whose? */
		}
		if (node_read(n->sp, n->name, &id) == -1)
			return NODE_FAIL;
	}
	if (strcmp(id.token, n->token) != 0) {
		log_warnx("%s: taken over by pid %s on %s", n->path,
		    id.pid[0] ? id.pid : "?", id.host[0] ? id.host : "?");
		return NODE_TAKEN;
	}
	if (fstat(n->fd, &sb) == -1 || sb.st_ino != id.sb.st_ino ||
	    sb.st_dev != id.sb.st_dev) {
		close(n->fd);
		if ((n->fd = open(n->path, O_RDWR | O_NOFOLLOW |
		    O_CLOEXEC)) == -1)
			return NODE_FAIL;
	}
	len = ident_text(n, text, sizeof(text));
	/* write over, then cut: a reader never sees the file empty; the
	 * times come from the server (SETATTR to its time, read back) */
	if (pwrite(n->fd, text, len, 0) != len ||
	    ftruncate(n->fd, len) == -1 || futimens(n->fd, NULL) == -1 ||
	    fstat(n->fd, &sb) == -1)
		return NODE_FAIL;
	n->beat_mono = mono_ms();
	n->server_ms = mtime_of(&sb);
	n->share->good_mono = n->beat_mono;
	return NODE_OK;
}

int64_t
node_now(const struct node *n)
{
	if (n == NULL || n->beat_mono == 0)
		return now_ms();
	return n->server_ms + (mono_ms() - n->beat_mono);
}

int
node_current(const struct node *n)
{
	return n->beat_mono != 0 &&
	    mono_ms() - n->beat_mono < n->share->fence_ms;
}

int
node_share_current(const struct nodeshare *sh)
{
	return sh == NULL || mono_ms() - sh->good_mono < sh->fence_ms;
}

const struct nodeshare *
node_share(const struct node *n)
{
	return n->share;
}

/* missing - how long we have seen other's heartbeat missing (0 the first
 * time: from now on); forgotten when it is back */
static int64_t
missing(struct node *n, const char *other, int gone)
{
	size_t i;

	for (i = 0; i < n->nmissing; i++)
		if (strcmp(n->missing[i].name, other) == 0)
			break;
	if (!gone) {
		if (i < n->nmissing)
			n->missing[i] = n->missing[--n->nmissing];
		return 0;
	}
	if (i == n->nmissing) {
		n->missing = xreallocarray(n->missing, n->nmissing + 1,
		    sizeof(*n->missing));
		snprintf(n->missing[i].name, sizeof(n->missing[i].name), "%s",
		    other);
		n->missing[i].since = node_now(n);
		n->nmissing++;
	}
	return node_now(n) - n->missing[i].since;
}

int
node_lost(struct node *n, const char *other)
{
	struct nodeid id;

	if (strcmp(other, n->name) == 0)
		return 0;
	if (node_read(n->sp, other, &id) == -1) {
		if (errno != ENOENT)
			return 0;	/* cannot tell: not lost */
		/* a heartbeat is recreated at the next beat: lost only when
		 * it stays away for a whole lease */
		return missing(n, other, 1) > n->lease_ms;
	}
	missing(n, other, 0);
	return node_expired(&id, node_now(n), n->lease_ms);
}

/* opt_num - the number after "name=" in a mount's option list, or -1 */
static long
opt_num(const char *opts, const char *name)
{
	size_t n = strlen(name);
	const char *p = opts;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return strtol(p + n + 1, NULL, 10);
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return -1;
}

/* opt_has - the option list holds the flag name */
static int
opt_has(const char *opts, const char *name)
{
	size_t n = strlen(name);
	const char *p = opts;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return 0;
}

int
node_mount_check(const char *dir, int64_t lease_ms, char *desc,
    size_t desclen, char *warn, size_t warnlen)
{
	char real[PATH_MAX], *text = NULL, *line, *save, *f[12], *sep;
	char best[PATH_MAX] = "", type[32] = "", src[256] = "", opts[1024] = "";
	size_t len, blen = 0, mlen;
	long acreg, acdir, ac;
	int i;

	desc[0] = warn[0] = '\0';
	if (realpath(dir, real) == NULL ||
	    read_file("/proc/self/mountinfo", 1 << 22, &text, &len) == -1)
		return -1;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		/* ID PARENT MAJ:MIN ROOT POINT OPTS [TAGS...] - TYPE SRC SUPER */
		if ((sep = strstr(line, " - ")) == NULL)
			continue;
		*sep = '\0';
		for (i = 0; i < 5; i++)
			f[i] = strsep(&line, " ");
		if (f[4] == NULL)
			continue;
		mlen = strlen(f[4]);
		if (strncmp(real, f[4], mlen) != 0 || (real[mlen] != '/' &&
		    real[mlen] != '\0' && strcmp(f[4], "/") != 0) ||
		    mlen < blen)
			continue;
		blen = mlen;
		snprintf(best, sizeof(best), "%s", f[4]);
		line = sep + 3;
		f[0] = strsep(&line, " ");
		f[1] = strsep(&line, " ");
		f[2] = strsep(&line, " ");
		snprintf(type, sizeof(type), "%s", f[0] ? f[0] : "");
		snprintf(src, sizeof(src), "%s", f[1] ? f[1] : "");
		snprintf(opts, sizeof(opts), "%s", f[2] ? f[2] : "");
	}
	free(text);
	if (strcmp(type, "nfs") != 0 && strcmp(type, "nfs4") != 0) {
		snprintf(desc, desclen, "%s on %s", type[0] ? type : "?",
		    best[0] ? best : "?");
		return 0;
	}
	acreg = opt_num(opts, "acregmax");
	acdir = opt_num(opts, "acdirmax");
	ac = acreg > acdir ? acreg : acdir;
	if (ac < 0)
		ac = 60;	/* the kernel's default */
	snprintf(desc, desclen, "%s %s on %s (acregmax=%ld acdirmax=%ld%s)",
	    type, src, best, acreg, acdir, opt_has(opts, "nocto") ?
	    " nocto" : "");
	if (opt_has(opts, "nocto"))
		snprintf(warn, warnlen, "the spool is mounted nocto: an open "
		    "does not revalidate, so heartbeats and job files may be "
		    "read from the attribute cache; mount it without nocto");
	else if (lease_ms < 2 * ac * 1000)
		snprintf(warn, warnlen, "lease %llds is unsafe on this mount: "
		    "it must be at least twice the attribute cache time "
		    "(2 x %lds); raise lease or mount with actimeo=N",
		    (long long)(lease_ms / 1000), ac);
	return 1;
}
