/* config.h - what config.c (the file, its table of keys, the parse) and
 * config_type.c (the values of a [type NAME] section, SQL types) share.
 * Private to them; xspool.h's config.c section is the interface. */
#ifndef CONFIG_H
#define CONFIG_H

enum sect { S_NONE = 0, S_SPOOL, S_HTTP, S_NOTIFY, S_TYPE };
enum kind {
	K_STRING, K_SECRET, K_PATH, K_INT, K_BOOL, K_DURATION, K_SIZE,
	K_COMMAND, K_EMITS, K_FORMATS, K_COLUMNS, K_PARAMS, K_DATABASE,
	K_QUERY, K_QUERY_FILE, K_SCHEDULE, K_CMAP
};

struct ckey {
	enum sect	 sect;
	const char	*name;
	enum kind	 kind;
	size_t		 off;	/* in struct config, or struct xtype */
	int64_t		 min, max;	/* K_INT, K_DURATION (ms), K_SIZE */
	const char	*dflt;	/* applied as if written, NULL: none */
	int		 flags;
};

/* config.c */
/* Every key of the file (cf_nkeys of them); a type's seen[] is indexed
 * as this table is. */
extern const struct ckey cf_keys[];
extern const size_t cf_nkeys;

/* The parse in progress (config.c's). */
struct cfparse;
/* The parse's first error, "FILE:LINE: reason" (line 0: no line); a
 * later one is dropped.  Returns 0, what a failed setter returns. */
int	 cf_err(struct cfparse *, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	 cf_line(const struct cfparse *);	/* the line being parsed */
const char *cf_file(const struct cfparse *);	/* the config file */
/* s made absolute against the directory the parse started in */
char	*cf_abs_path(struct cfparse *, const char *s);
/* The next comma-separated item of *sp, blanks trimmed (cut in place);
 * NULL after the last. */
char	*cf_next_item(char **sp);

/* config_type.c: a [type NAME] key's value v into t; 1, or 0 after
 * cf_err */
int	 type_set_command(struct cfparse *, struct xtype *t, const char *v);
int	 type_set_emits(struct cfparse *, struct xtype *t, const char *v);
int	 type_set_formats(struct cfparse *, struct xtype *t, const char *v);
int	 type_set_columns(struct cfparse *, struct xtype *t, const char *v);
int	 type_set_params(struct cfparse *, struct xtype *t, const char *v);
int	 type_set_database(struct cfparse *, struct xtype *t, const char *v);
/* query = TEXT, or query_file = PATH (file: read now) */
int	 type_set_query(struct cfparse *, struct xtype *t, const char *v,
	    int file);
/* After the defaults: a type with a database runs xspool-sql on this
 * config (seen: the lines its keys were set on); 0, or -1 after cf_err */
int	 type_finish_sql(struct cfparse *, struct xtype *t, const int *seen);

#endif /* CONFIG_H */
