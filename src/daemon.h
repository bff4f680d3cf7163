/* daemon.h - what the daemon's files (daemon.c, daemon_end.c,
 * daemon_drop.c, daemon_lease.c, daemon_sweep.c) share: the daemon's
 * state, its worker slots, and the steps one file calls in another.
 * Private to them; xspool.h's daemon.c section is the interface. */
#ifndef DAEMON_H
#define DAEMON_H

#define PROGRESS_MS	2000		/* progress rewrite, at most */
#define RETENTION_MS	60000		/* retention pass, at most */
#define TMP_AGE_MS	3600000		/* stray tmp/ files */
#define ORPHAN_AGE_MS	60000		/* zips without a job */
#define PARKED		INT64_MAX	/* a candidate not to look at again */
#define RESPAWN_MS	1000		/* a worker that died young: wait */
#define STOP_WAIT_MS	2000		/* idle workers' exit at the end */
#define DAEMON_STALL_MS	1000		/* a tick this late: we were stalled */
#define CANCEL_POLL_MS	1000		/* a running job's cancel request */

/* how an attempt ends; END_ABANDON: our lease lapsed, the job is left
 * where it is for whoever holds it now; END_CANCEL: an operator's
 * cancel --running stopped it */
enum end { END_OK, END_FAIL, END_SHUTDOWN, END_ABANDON, END_CANCEL };

/* a worker slot: worker.c's process and job, and what the daemon alone
 * decides about them */
struct slot {
	struct worker	 wk;
	enum state	 from;		/* where its job was claimed from */
	enum end	 how;		/* how the attempt ends */
	char		 why[ERRLEN + 64];	/* for the log line */
	int		 pending;	/* a notification was prepared */
	int		 shutdown;	/* stopped because the daemon stops */
	int		 cancel;	/* stopped by a cancel request */
	int64_t		 cancel_due;	/* mono_ms() of the next look for one */
	int		 stale;		/* reloaded: respawn when idle */
	int64_t		 respawn;	/* empty slot: mono_ms() to fork */
	int64_t		 flushed;	/* mono_ms() of the last progress write */
};

struct daemon {
	struct config	*cfg;
	char		*node;
	struct spool	 sp;
	struct spool	 claimsp;	/* sp without directory fsyncs */
	struct watch	*w;
	struct sched	*sched;		/* the order of w's ready candidates */
	struct notifyq	*nq;
	struct slot	*slot;
	int		 nwk;		/* slots */
	int		 nrun;
	struct node	 nd;		/* heartbeat, server clock, leases */
	int		 have_node;
	int		 fenced;	/* our lease lapsed: jobs abandoned */
	int		 taken;		/* another process has our name */
	struct stuck	*stuck;		/* ends that could not be moved */
	size_t		 nstuck;
	int64_t		 next_hb, next_rescan, next_retention;	/* mono */
	int64_t		 wake_at;	/* mono: when the poll was to end */
	int		 stopping;
	int64_t		 stop_at;	/* mono: give up waiting for workers */
	int64_t		 grace_ms;
};

/* a job whose end could not be moved (a full disk): left in our
 * processing/ and tried again after a backoff, logged once */
struct stuck {
	char		 id[ID_MAX + 1];
	int		 tries;
	int64_t		 due;		/* server ms */
};

/* an id to deal with after a directory walk */
struct idlist {
	char		(*id)[ID_MAX + 1];
	char		(*node)[NODE_MAX + 1];
	size_t		 n, cap;
	int64_t		 cutoff;	/* for the walks that filter by age */
	const struct daemon *d;
};

/* daemon.c */
/* one log line per transition */
void	 logt(const struct job *j, enum state from, enum state to,
	    const char *why, int64_t ms);
int64_t	 server_now(const struct daemon *d);	/* the file server's ms */
int64_t	 ns_now(void);
struct slot *slot_of(struct daemon *d, const char *id);
void	 slot_end(struct slot *sl);

/* daemon_end.c */
void	 drop_password(struct job *j);
void	 end_here(struct daemon *d, struct job *j, enum end how,
	    const char *why);
void	 move_reported(struct daemon *d, struct slot *sl, int rc);
void	 attempt_over(struct daemon *d, struct slot *sl);
void	 move_lost(struct daemon *d, struct slot *sl);
void	 recover(struct daemon *d, const char *id, const char *why);

/* daemon_drop.c */
int	 check_drop(struct daemon *d, const char *name, struct job *j);

/* daemon_lease.c */
void	 idlist_add(struct idlist *l, const char *id, const char *node);
void	 idlist_free(struct idlist *l);
void	 fence_check(struct daemon *d);
int	 beat(struct daemon *d);
void	 leases(struct daemon *d);
/* spool_each over processing/: into an idlist, our own jobs no worker
 * runs and the jobs of nodes whose lease ran out */
int	 lease_cb(const char *id, const char *node, const struct stat *sb,
	    void *arg);

/* daemon_sweep.c */
void	 retention(struct daemon *d);
void	 sweep(struct daemon *d, int out);

#endif /* DAEMON_H */
