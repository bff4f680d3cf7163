/* spool.h - what spool.c (paths, moves) and spool_read.c (look-ups,
 * reads) share.  Private to them; xspool.h's spool.c section is the
 * interface. */
#ifndef SPOOL_H
#define SPOOL_H

/* the spool's directories, in enum sdir's order: the one table of them */
extern const char *const spool_dirs[NSDIRS];

/* node names are used as directory names */
int	 node_valid(const char *);
/* snprintf that fails with ENAMETOOLONG instead of truncating */
int	 fmt_path(char *buf, size_t size, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* the directory of a state (node's for PROCESSING; NULL: our own) */
int	 spool_dirpath(const struct spool *, char *buf, size_t size,
	    enum state st, const char *node);
/* a and b are one file (dev and inode) */
int	 same_file(const struct stat *, const struct stat *);

#endif /* SPOOL_H */
