/* daemon_lease.c - the daemon's side of the node rule (node.c judges):
 * our heartbeat, fencing when our own lease lapsed, and taking back the
 * jobs of nodes whose lease ran out. */
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

void
idlist_add(struct idlist *l, const char *id, const char *node)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->id = xreallocarray(l->id, l->cap, sizeof(*l->id));
		l->node = xreallocarray(l->node, l->cap, sizeof(*l->node));
	}
	snprintf(l->id[l->n], sizeof(l->id[0]), "%s", id);
	snprintf(l->node[l->n], sizeof(l->node[0]), "%s", node ? node : "");
	l->n++;
}

void
idlist_free(struct idlist *l)
{
	free(l->id);
	free(l->node);
	memset(l, 0, sizeof(*l));
}

/*
 * fence - our lease lapsed (no good heartbeat for 3/4 lease: a stopped
 * process, a hung server): other nodes may have reclaimed our jobs and be
 * running them.  Claim nothing and abandon every running attempt -- its
 * worker is killed, its job left where it is, for whoever holds it now.
 */
static void
fence(struct daemon *d)
{
	int i, n = 0;

	for (i = 0; i < d->nwk; i++)
		if (d->slot[i].wk.phase != W_IDLE &&
		    worker_alive(&d->slot[i].wk)) {
			d->slot[i].how = END_ABANDON;
			worker_kill(&d->slot[i].wk, SIGKILL);
			n++;
		}
	d->fenced = 1;
	log_warnx("node %s: our lease lapsed (no good heartbeat for %llds, "
	    "lease %llds): claiming nothing, %d running attempts abandoned",
	    d->node, (long long)((mono_ms() - d->nd.beat_mono) / 1000),
	    (long long)(d->cfg->lease_ms / 1000), n);
}

/* fence_check - before anything else after a pause: is our lease still
 * current? */
void
fence_check(struct daemon *d)
{
	if (!d->fenced && !node_current(&d->nd))
		fence(d);
}

/* beat - our heartbeat; 0 when our lease is current after it */
int
beat(struct daemon *d)
{
	fence_check(d);
	switch (node_beat(&d->nd)) {
	case NODE_OK:
		break;
	case NODE_TAKEN:
		if (!d->fenced)
			fence(d);
		log_warnx("node %s: another xspoold took over our heartbeat: "
		    "stopping", d->node);
		d->taken = 1;
		daemon_stop(d);
		return -1;
	default:
		log_warn("%s: heartbeat", d->nd.path);
		d->next_hb = mono_ms() + 1000;	/* again soon */
		return -1;
	}
	if (d->fenced) {
		d->fenced = 0;
		log_warnx("node %s: lease current again: what is left in "
		    "processing/%s is recovered", d->node, d->node);
	}
	return 0;
}

/* lease_cb - sorts processing/ entries: our own that no worker runs,
 * and other nodes' whose lease ran out (node.c's rule) */
int
lease_cb(const char *id, const char *node, const struct stat *sb, void *arg)
{
	struct idlist *l = arg;
	struct daemon *d = (struct daemon *)l->d;

	(void)sb;
	if (strcmp(node, d->node) == 0) {
		if (slot_of(d, id) == NULL)
			idlist_add(l, id, node);
		return 0;
	}
	if (node_lost(&d->nd, node))
		idlist_add(l, id, node);
	return 0;
}

/* leases - after a heartbeat: take back what lost nodes held, and our own
 * jobs that no worker runs (a move that failed earlier) */
void
leases(struct daemon *d)
{
	struct idlist l;
	char why[128];
	size_t i;

	memset(&l, 0, sizeof(l));
	l.d = d;
	spool_each(&d->sp, ST_PROCESSING, lease_cb, &l);
	for (i = 0; i < l.n; i++) {
		if (strcmp(l.node[i], d->node) == 0) {
			recover(d, l.id[i], "interrupted");
			continue;
		}
		/* the rename decides which node reclaims it */
		if (spool_move(&d->sp, l.id[i], ST_PROCESSING, l.node[i],
		    ST_PROCESSING, NULL) == -1)
			continue;
		log_warnx("%s: node %s lost (no heartbeat for %llds): "
		    "reclaimed", l.id[i], l.node[i],
		    (long long)(d->cfg->lease_ms / 1000));
		spool_drop_tmpzip(&d->sp, l.node[i], l.id[i]);
		snprintf(why, sizeof(why), "node lost: %s", l.node[i]);
		recover(d, l.id[i], why);
	}
	idlist_free(&l);
}
