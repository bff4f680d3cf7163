/* job.c - one job file: its JSON text to struct job and back, driven by
 * tables of fields; unknown top-level fields are kept verbatim.  No file
 * system logic here (spool.c does that). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xspool.h"

/* What a field's JSON value is and how it is stored. */
enum fkind {
	F_ID,		/* char[ID_MAX + 1], a legal id */
	F_TYPE,		/* char *, a legal type name */
	F_STR,		/* char * */
	F_FORMAT,	/* enum format, "JSON"/"CSV" any case */
	F_TIME,		/* int64_t ms, ISO 8601 UTC string */
	F_INT,		/* int >= 0 */
	F_I64,		/* int64_t >= 0 */
	F_I64Z,		/* the same, not written when 0 */
	F_BOOL,		/* int 0/1 */
	F_TRI,		/* int -1 (absent), 0, 1 */
	F_NSTATE,	/* enum notify_state */
	F_ERRORS,	/* struct result's errors: array of strings */
	F_PARAMS,	/* struct job's params: object of strings */
	F_OBJ		/* a nested object with its own table */
};

struct ftab;

struct field {
	const char	*name;
	enum fkind	 kind;
	size_t		 off;		/* in the table's base */
	const struct ftab *sub;		/* F_OBJ */
	int		 secret;	/* omitted unless with_password */
};

struct ftab {
	const struct field *f;
	size_t		 n;
	/* set once the object is read; tells the writer to write it */
	int		(*present)(const void *base);
	void		(*mark)(void *base);
	int		 inline_;	/* written on one line */
};

/* One object being read: where errors point. */
struct rctx {
	const struct jdoc *d;
	char		*err;
	size_t		 errlen;
	char		 path[64];	/* "result." etc */
};

static const char *const state_names[NSTATES] = {
	"QUEUED", "PROCESSING", "FAILED", "COMPLETED", "CANCELLED"
};
static const char *const state_dirs[NSTATES] = {
	"queued", "processing", "failed", "completed", "cancelled"
};
static const char *const nstate_names[] = {
	NULL, "pending", "sent", "failed"
};

static int	 progress_present(const void *);
static void	 progress_mark(void *);
static int	 result_present(const void *);
static void	 result_mark(void *);
static int	 track_present(const void *);

#define JOFF(m)	offsetof(struct job, m)
#define ROFF(m)	offsetof(struct result, m)
#define TOFF(m)	offsetof(struct notify_track, m)
#define NF(t)	(sizeof(t) / sizeof((t)[0]))

static const struct field progress_fields[] = {
	{ "records",		F_I64,	JOFF(progress_records), NULL, 0 },
	{ "bytes",		F_I64,	JOFF(progress_bytes), NULL, 0 },
	{ "total",		F_I64Z,	JOFF(progress_total), NULL, 0 },
};
static const struct ftab progress_tab = {
	progress_fields, NF(progress_fields), progress_present, progress_mark,
	1
};

static const struct field result_fields[] = {
	{ "success",		F_BOOL,	ROFF(success), NULL, 0 },
	{ "errors",		F_ERRORS, 0, NULL, 0 },
	{ "durationMs",		F_I64,	ROFF(duration_ms), NULL, 0 },
	{ "fileName",		F_STR,	ROFF(file_name), NULL, 0 },
	{ "fileSizeBytes",	F_I64,	ROFF(file_size), NULL, 0 },
	{ "records",		F_I64,	ROFF(records), NULL, 0 },
	{ "callbackSent",	F_TRI,	ROFF(callback_sent), NULL, 0 },
	{ "notifyEmailSent",	F_TRI,	ROFF(email_sent), NULL, 0 },
};
static const struct ftab result_tab = {
	result_fields, NF(result_fields), result_present, result_mark, 0
};

static const struct field track_fields[] = {
	{ "state",		F_NSTATE, TOFF(state), NULL, 0 },
	{ "id",			F_STR,	TOFF(msg_id), NULL, 0 },
	{ "tries",		F_INT,	TOFF(tries), NULL, 0 },
	{ "next",		F_TIME,	TOFF(next_ms), NULL, 0 },
	{ "error",		F_STR,	TOFF(error), NULL, 0 },
};
static const struct ftab track_tab = {
	track_fields, NF(track_fields), track_present, NULL, 1
};

static const struct field notify_fields[] = {
	{ "webhook",		F_OBJ,	JOFF(webhook), &track_tab, 0 },
	{ "email",		F_OBJ,	JOFF(mail), &track_tab, 0 },
};
static const struct ftab notify_tab = {
	notify_fields, NF(notify_fields), NULL, NULL, 0
};

/* The job file, in the order it is written. */
static const struct field job_fields[] = {
	{ "id",			F_ID,	JOFF(id), NULL, 0 },
	{ "type",		F_TYPE,	JOFF(type), NULL, 0 },
	{ "format",		F_FORMAT, JOFF(format), NULL, 0 },
	{ "password",		F_STR,	JOFF(password), NULL, 1 },
	{ "encrypted",		F_TRI,	JOFF(encrypted), NULL, 0 },
	{ "email",		F_STR,	JOFF(email), NULL, 0 },
	{ "callback",		F_STR,	JOFF(callback), NULL, 0 },
	{ "params",		F_PARAMS, 0, NULL, 0 },
	{ "client",		F_STR,	JOFF(client), NULL, 0 },
	{ "idempotencyKey",	F_STR,	JOFF(idempotency_key), NULL, 0 },
	{ "requestHash",	F_STR,	JOFF(request_hash), NULL, 0 },
	{ "created",		F_TIME,	JOFF(created), NULL, 0 },
	{ "started",		F_TIME,	JOFF(started), NULL, 0 },
	{ "finished",		F_TIME,	JOFF(finished), NULL, 0 },
	{ "attempts",		F_INT,	JOFF(attempts), NULL, 0 },
	{ "nextAttempt",	F_TIME,	JOFF(next_attempt), NULL, 0 },
	{ "node",		F_STR,	JOFF(node), NULL, 0 },
	{ "cancelledBy",	F_STR,	JOFF(cancelled_by), NULL, 0 },
	{ "progress",		F_OBJ,	0, &progress_tab, 0 },
	{ "result",		F_OBJ,	JOFF(result), &result_tab, 0 },
	{ "notify",		F_OBJ,	0, &notify_tab, 0 },
};
static const struct ftab job_tab = {
	job_fields, NF(job_fields), NULL, NULL, 0
};

#define AT(base, off, type)	((type *)(void *)((char *)(base) + (off)))
#define CAT(base, off, type)	\
	((const type *)(const void *)((const char *)(base) + (off)))

static int
progress_present(const void *base)
{
	return ((const struct job *)base)->has_progress;
}

static void
progress_mark(void *base)
{
	((struct job *)base)->has_progress = 1;
}

static int
result_present(const void *base)
{
	return ((const struct result *)base)->present;
}

static void
result_mark(void *base)
{
	((struct result *)base)->present = 1;
}

static int
track_present(const void *base)
{
	enum notify_state st = ((const struct notify_track *)base)->state;

	return st > NS_NONE && st <= NS_FAILED;
}

const char *
state_name(enum state s)
{
	return (unsigned)s < NSTATES ? state_names[s] : "UNKNOWN";
}

const char *
state_dir(enum state s)
{
	return (unsigned)s < NSTATES ? state_dirs[s] : "unknown";
}

int
state_parse(const char *s)
{
	int i;

	for (i = 0; i < NSTATES; i++)
		if (strcasecmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

void
job_init(struct job *j)
{
	memset(j, 0, sizeof(*j));
	j->format = FMT_NONE;
	j->result.callback_sent = -1;
	j->result.email_sent = -1;
	j->encrypted = -1;
}

static void
track_free(struct notify_track *t)
{
	free(t->msg_id);
	free(t->error);
}

void
job_free(struct job *j)
{
	size_t i;

	free(j->type);
	if (j->password) {
		explicit_bzero(j->password, strlen(j->password));
		free(j->password);
	}
	free(j->email);
	free(j->callback);
	free(j->client);
	free(j->idempotency_key);
	free(j->request_hash);
	for (i = 0; i < j->nparams; i++) {
		free(j->params[i].name);
		free(j->params[i].value);
	}
	free(j->params);
	free(j->node);
	free(j->cancelled_by);
	for (i = 0; i < j->result.nerrors; i++)
		free(j->result.errors[i]);
	free(j->result.errors);
	free(j->result.file_name);
	track_free(&j->webhook);
	track_free(&j->mail);
	for (i = 0; i < j->nextras; i++) {
		free(j->extras[i].name);
		free(j->extras[i].json);
	}
	free(j->extras);
	job_init(j);
}

void
job_mark_encrypted(struct job *j)
{
	if (j->password != NULL)
		j->encrypted = 1;
}

void
job_add_error(struct job *j, const char *s)
{
	struct result *r = &j->result;

	r->errors = xreallocarray(r->errors, r->nerrors + 1,
	    sizeof(*r->errors));
	r->errors[r->nerrors++] = xstrdup(s);
	r->present = 1;
}

/* job_cancel_user - what a user's cancel writes into a queued job: who and
 * when, a failed result saying so; the password goes (it will never be
 * used).  The CLI and the REST shim both call it before the move. */
void
job_cancel_user(struct job *j, int64_t now)
{
	free(j->cancelled_by);
	j->cancelled_by = xstrdup("user");
	j->finished = now;
	free(j->password);
	j->password = NULL;
	j->result.present = 1;
	j->result.success = 0;
	job_add_error(j, "cancelled by user");
}

/* job_forget_run - what a retry of a cancelled job forgets: the earlier
 * outcome, notifications, who cancelled, the node, progress and times */
void
job_forget_run(struct job *j)
{
	struct notify_track *t[2] = { &j->webhook, &j->mail };
	size_t i;

	for (i = 0; i < j->result.nerrors; i++)
		free(j->result.errors[i]);
	free(j->result.errors);
	free(j->result.file_name);
	memset(&j->result, 0, sizeof(j->result));
	j->result.callback_sent = j->result.email_sent = -1;
	for (i = 0; i < 2; i++) {
		free(t[i]->msg_id);
		free(t[i]->error);
		memset(t[i], 0, sizeof(*t[i]));
	}
	free(j->cancelled_by);
	j->cancelled_by = NULL;
	free(j->node);
	j->node = NULL;
	j->has_progress = 0;
	j->progress_records = j->progress_bytes = j->progress_total = 0;
	j->started = j->finished = j->next_attempt = 0;
}

void
job_set_param(struct job *j, const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < j->nparams; i++)
		if (strcmp(j->params[i].name, name) == 0) {
			free(j->params[i].value);
			j->params[i].value = xstrdup(value);
			return;
		}
	j->params = xreallocarray(j->params, j->nparams + 1,
	    sizeof(*j->params));
	j->params[j->nparams].name = xstrdup(name);
	j->params[j->nparams].value = xstrdup(value);
	j->nparams++;
}

/* ------------------------------------------------------------ reading */

/* ferr - "field "PATHNAME": reason" into the context's err; -1 */
static int __attribute__((format(printf, 3, 4)))
ferr(struct rctx *c, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "field \"%s%s\": ", c->path, name);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *
tok_kind(const struct jdoc *d, int i)
{
	const jsmntok_t *t = &d->tok[i];

	switch (t->type) {
	case JSMN_OBJECT:
		return "an object";
	case JSMN_ARRAY:
		return "an array";
	case JSMN_STRING:
		return "a string";
	default:
		break;
	}
	switch (d->text[t->start]) {
	case 't':
	case 'f':
		return "a boolean";
	case 'n':
		return "null";
	default:
		return "a number";
	}
}

static int
is_null(const struct jdoc *d, int i)
{
	return d->tok[i].type == JSMN_PRIMITIVE && d->text[d->tok[i].start] ==
	    'n';
}

/* get_str - string value i as a new string; -1 with a reason */
static int
get_str(struct rctx *c, const char *name, int i, char **out)
{
	if (c->d->tok[i].type != JSMN_STRING)
		return ferr(c, name, "must be a string, not %s",
		    tok_kind(c->d, i));
	if ((*out = json_str(c->d, i, NULL)) == NULL)
		return ferr(c, name, "holds a NUL character");
	return 0;
}

/* get_i64 - a non-negative integer */
static int
get_i64(struct rctx *c, const char *name, int i, int64_t *v)
{
	if (c->d->tok[i].type != JSMN_PRIMITIVE || json_int(c->d, i, v) < 0 ||
	    *v < 0)
		return ferr(c, name, "must be a non-negative integer, not %s",
		    c->d->tok[i].type == JSMN_PRIMITIVE ? "this number" :
		    tok_kind(c->d, i));
	return 0;
}

/* lookup - index of name in table values[0..n) of strings, or -1 */
static int
lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && strcasecmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* read_keys - the keys of object obj in *keys (n of them); -1 with a
 * reason when one holds a NUL or is repeated */
static int
read_keys(struct rctx *c, int obj, char ***keys)
{
	const struct jdoc *d = c->d;
	char **k, **sorted;
	int i, n = d->tok[obj].size, r = 0;

	k = xcalloc((size_t)n + 1, sizeof(*k));
	*keys = k;
	for (i = 0, obj++; i < n; i++, obj = json_skip(d, obj + 1))
		if ((k[i] = json_str(d, obj, NULL)) == NULL)
			return ferr(c, "", "a key holds a NUL character");
	sorted = xcalloc((size_t)n + 1, sizeof(*sorted));
	memcpy(sorted, k, (size_t)n * sizeof(*k));
	qsort(sorted, (size_t)n, sizeof(*sorted), cmpstr);
	for (i = 1; i < n; i++)
		if (strcmp(sorted[i - 1], sorted[i]) == 0) {
			r = ferr(c, sorted[i], "duplicate key");
			break;
		}
	free(sorted);
	return r;
}

static void
free_keys(char **k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; k[i] != NULL; i++)
		free(k[i]);
	free(k);
}

/* push_path - "name." onto the error path; returns the old length */
static size_t
push_path(struct rctx *c, const char *name)
{
	size_t n = strlen(c->path);

	snprintf(c->path + n, sizeof(c->path) - n, "%s.", name);
	return n;
}

/* read_errors - result.errors: an array of strings */
static int
read_errors(struct rctx *c, const char *name, struct result *r, int v)
{
	const struct jdoc *d = c->d;
	int i, n, k;
	char *s;

	if (d->tok[v].type != JSMN_ARRAY)
		return ferr(c, name, "must be an array of strings, not %s",
		    tok_kind(d, v));
	n = d->tok[v].size;
	for (i = 0, k = v + 1; i < n; i++, k = json_skip(d, k)) {
		if (d->tok[k].type != JSMN_STRING)
			return ferr(c, name, "must be an array of strings; "
			    "element %d is %s", i, tok_kind(d, k));
		if ((s = json_str(d, k, NULL)) == NULL)
			return ferr(c, name, "element %d holds a NUL "
			    "character", i);
		r->errors = xreallocarray(r->errors, r->nerrors + 1,
		    sizeof(*r->errors));
		r->errors[r->nerrors++] = s;
	}
	return 0;
}

/* read_params - an object of strings (numbers and booleans kept as text) */
static int
read_params(struct rctx *c, const char *name, struct job *j, int v)
{
	const struct jdoc *d = c->d;
	char **keys = NULL, *val;
	size_t old;
	int i, n, k, r = -1;

	if (d->tok[v].type != JSMN_OBJECT)
		return ferr(c, name, "must be an object of strings, not %s",
		    tok_kind(d, v));
	old = push_path(c, name);
	if (read_keys(c, v, &keys) < 0)
		goto out;
	n = d->tok[v].size;
	j->params = xreallocarray(j->params, j->nparams + (size_t)n + 1,
	    sizeof(*j->params));
	for (i = 0, k = v + 1; i < n; i++, k = json_skip(d, k + 1)) {
		if (!param_name_valid(keys[i])) {
			ferr(c, keys[i], "not a legal parameter name");
			goto out;
		}
		if (d->tok[k + 1].type == JSMN_STRING) {
			if ((val = json_str(d, k + 1, NULL)) == NULL) {
				ferr(c, keys[i], "holds a NUL character");
				goto out;
			}
		} else if (d->tok[k + 1].type == JSMN_PRIMITIVE &&
		    !is_null(d, k + 1)) {
			val = xstrndup(d->text + d->tok[k + 1].start,
			    (size_t)(d->tok[k + 1].end - d->tok[k + 1].start));
		} else {
			ferr(c, keys[i], "must be a string, not %s",
			    tok_kind(d, k + 1));
			goto out;
		}
		j->params[j->nparams].name = xstrdup(keys[i]);
		j->params[j->nparams].value = val;
		j->nparams++;
	}
	r = 0;
out:
	free_keys(keys);
	c->path[old] = '\0';
	return r;
}

static int read_members(struct rctx *, const struct ftab *, void *, int,
    struct job *);

/* read_obj - a nested object of a known field */
static int
read_obj(struct rctx *c, const struct field *f, void *base, int v)
{
	size_t old;
	int r;

	if (c->d->tok[v].type != JSMN_OBJECT)
		return ferr(c, f->name, "must be an object, not %s",
		    tok_kind(c->d, v));
	old = push_path(c, f->name);
	r = read_members(c, f->sub, base, v, NULL);
	c->path[old] = '\0';
	if (r == 0 && f->sub->mark)
		f->sub->mark(base);
	return r;
}

/* read_scalar - a string-valued field into base: id, type, enums */
static int
read_scalar(struct rctx *c, const struct field *f, void *base, int v)
{
	char *s;
	int k;

	if (get_str(c, f->name, v, &s) < 0)
		return -1;
	switch (f->kind) {
	case F_ID:
		if (!id_valid(s))
			goto bad;
		snprintf(AT(base, f->off, char), ID_MAX + 1, "%s", s);
		break;
	case F_FORMAT:
		if ((k = format_parse(s)) == FMT_NONE)
			goto bad;
		*AT(base, f->off, enum format) = (enum format)k;
		break;
	case F_NSTATE:
		if ((k = lookup(nstate_names, NF(nstate_names), s)) <= 0)
			goto bad;
		*AT(base, f->off, enum notify_state) = (enum notify_state)k;
		break;
	default:
		if (f->kind == F_TYPE && !type_valid(s))
			goto bad;
		free(*AT(base, f->off, char *));
		*AT(base, f->off, char *) = s;
		return 0;
	}
	free(s);
	return 0;
bad:
	free(s);
	return ferr(c, f->name, "%s", f->kind == F_ID ? "not a legal job id" :
	    f->kind == F_TYPE ? "not a legal export type name" :
	    f->kind == F_FORMAT ? "must be \"JSON\" or \"CSV\"" :
	    "must be \"pending\", \"sent\" or \"failed\"");
}

/* read_field - value token v of field f into base */
static int
read_field(struct rctx *c, const struct field *f, void *base, int v)
{
	const struct jdoc *d = c->d;
	const jsmntok_t *t = &d->tok[v];
	int64_t x;
	int b;

	if (is_null(d, v))
		return 0;		/* null: as if absent */
	switch (f->kind) {
	case F_ID:
	case F_TYPE:
	case F_STR:
	case F_FORMAT:
	case F_NSTATE:
		return read_scalar(c, f, base, v);
	case F_TIME:
		if (t->type != JSMN_STRING || parse_time(d->text + t->start,
		    (size_t)(t->end - t->start), &x) < 0)
			return ferr(c, f->name, "must be an ISO 8601 UTC time "
			    "string like \"2026-11-30T10:00:00Z\"");
		*AT(base, f->off, int64_t) = x;
		return 0;
	case F_INT:
		if (get_i64(c, f->name, v, &x) < 0)
			return -1;
		if (x > INT_MAX)
			return ferr(c, f->name, "too large");
		*AT(base, f->off, int) = (int)x;
		return 0;
	case F_I64:
	case F_I64Z:
		return get_i64(c, f->name, v, AT(base, f->off, int64_t));
	case F_BOOL:
	case F_TRI:
		if ((b = json_bool(d, v)) < 0)
			return ferr(c, f->name, "must be true or false, not %s",
			    tok_kind(d, v));
		*AT(base, f->off, int) = b;
		return 0;
	case F_ERRORS:
		return read_errors(c, f->name, base, v);
	case F_PARAMS:
		return read_params(c, f->name, base, v);
	case F_OBJ:
		return read_obj(c, f, AT(base, f->off, char), v);
	}
	return ferr(c, f->name, "unknown kind");
}

/* add_extra - an unknown top-level field, its value kept as raw JSON */
static void
add_extra(struct job *j, const char *name, const struct jdoc *d, int v)
{
	const jsmntok_t *t = &d->tok[v];
	int q = t->type == JSMN_STRING;

	j->extras = xreallocarray(j->extras, j->nextras + 1,
	    sizeof(*j->extras));
	j->extras[j->nextras].name = xstrdup(name);
	j->extras[j->nextras].json = xstrndup(d->text + t->start - q,
	    (size_t)(t->end - t->start + 2 * q));
	j->nextras++;
}

static const struct field *
find_field(const struct ftab *tab, const char *name)
{
	size_t i;

	for (i = 0; i < tab->n; i++)
		if (strcmp(tab->f[i].name, name) == 0)
			return &tab->f[i];
	return NULL;
}

/*
 * read_members - the members of object obj by tab into base.  Unknown
 * keys become extras of xj at the top level; inside a known object (a
 * newer version's "result" member, say) they are ignored.
 */
static int
read_members(struct rctx *c, const struct ftab *tab, void *base, int obj,
    struct job *xj)
{
	const struct jdoc *d = c->d;
	const struct field *f;
	char **keys = NULL;
	int i, k, n = d->tok[obj].size, r = -1;

	if (read_keys(c, obj, &keys) < 0)
		goto out;
	for (i = 0, k = obj + 1; i < n; i++, k = json_skip(d, k + 1)) {
		if ((f = find_field(tab, keys[i])) != NULL) {
			if (read_field(c, f, base, k + 1) < 0)
				goto out;
		} else if (xj != NULL)
			add_extra(xj, keys[i], d, k + 1);
	}
	r = 0;
out:
	free_keys(keys);
	return r;
}

int
job_parse(struct job *j, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct jdoc d;
	struct rctx c;
	char jerr[ERRLEN];

	job_init(j);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;		/* a BOM, from a Windows editor */
		len -= 3;
	}
	if (json_parse(&d, text, len, jerr, sizeof(jerr)) < 0) {
		seterr(err, errlen, "not valid JSON: %s", jerr);
		return -1;
	}
	c.d = &d;
	c.err = err;
	c.errlen = errlen;
	c.path[0] = '\0';
	if (d.tok[0].type != JSMN_OBJECT) {
		seterr(err, errlen, "a job file must hold a JSON object, "
		    "not %s", tok_kind(&d, 0));
		goto fail;
	}
	if (read_members(&c, &job_tab, j, 0, j) < 0)
		goto fail;
	if (j->type == NULL) {
		seterr(err, errlen, "field \"type\" is missing");
		goto fail;
	}
	json_free(&d);
	return 0;
fail:
	json_free(&d);
	job_free(j);
	return -1;
}

/* ------------------------------------------------------------ writing */

/* field_set - whether f has something to write */
static int
field_set(const struct field *f, const void *base, int with_password)
{
	const struct ftab *sub;
	size_t i;

	switch (f->kind) {
	case F_ID:
		return CAT(base, f->off, char)[0] != '\0';
	case F_TYPE:
	case F_STR:
		return *CAT(base, f->off, char *) != NULL &&
		    (!f->secret || with_password);
	case F_FORMAT:		/* the tables' bounds, too */
		return *CAT(base, f->off, enum format) == FMT_JSON ||
		    *CAT(base, f->off, enum format) == FMT_CSV;
	case F_TIME:
	case F_I64Z:
		return *CAT(base, f->off, int64_t) != 0;
	case F_TRI:
		return *CAT(base, f->off, int) != -1;
	case F_NSTATE:
		return *CAT(base, f->off, enum notify_state) > NS_NONE &&
		    *CAT(base, f->off, enum notify_state) <= NS_FAILED;
	case F_PARAMS:
		return ((const struct job *)base)->nparams > 0;
	case F_OBJ:
		sub = f->sub;
		base = CAT(base, f->off, char);
		if (sub->present)
			return sub->present(base);
		for (i = 0; i < sub->n; i++)
			if (field_set(&sub->f[i], base, with_password))
				return 1;
		return 0;
	default:
		return 1;
	}
}

static void
indent(struct buf *b, int depth)
{
	static const char sp[] = "                                ";

	buf_add(b, sp, (size_t)(2 * depth) < sizeof(sp) - 1 ?
	    (size_t)(2 * depth) : sizeof(sp) - 1);
}

/* member - the separator and key of the next member */
static void
member(struct buf *b, int *n, int inl, int depth, const char *name)
{
	if (inl)
		buf_adds(b, (*n)++ ? ", " : "");
	else {
		buf_adds(b, (*n)++ ? ",\n" : "\n");
		indent(b, depth + 1);
	}
	json_quote_lossy(b, name, strlen(name));
	buf_add(b, ": ", 2);
}

/* put_str - any string, so that the file always parses back */
static void
put_str(struct buf *b, const char *s)
{
	json_quote_lossy(b, s, strlen(s));
}

static void write_obj(struct buf *, const struct ftab *, const void *, int,
    int, const struct job *, const char *);

/* write_value - f's value (field_set said it has one) */
static void
write_value(struct buf *b, const struct field *f, const void *base,
    int wp, int depth)
{
	const struct job *j = base;
	const struct result *r = base;
	char t[32];
	size_t i;

	switch (f->kind) {
	case F_ID:
		put_str(b, CAT(base, f->off, char));
		break;
	case F_TYPE:
	case F_STR:
		put_str(b, *CAT(base, f->off, char *));
		break;
	case F_FORMAT:
		put_str(b, format_name(*CAT(base, f->off, enum format)));
		break;
	case F_NSTATE:
		put_str(b, nstate_names[*CAT(base, f->off,
		    enum notify_state)]);
		break;
	case F_TIME:
		put_str(b, fmt_time(*CAT(base, f->off, int64_t), t));
		break;
	case F_INT:
		buf_addf(b, "%d", *CAT(base, f->off, int));
		break;
	case F_I64:
	case F_I64Z:
		buf_addf(b, "%lld", (long long)*CAT(base, f->off, int64_t));
		break;
	case F_BOOL:
	case F_TRI:
		buf_adds(b, *CAT(base, f->off, int) ? "true" : "false");
		break;
	case F_ERRORS:
		buf_addc(b, '[');
		for (i = 0; i < r->nerrors; i++) {
			if (i)
				buf_add(b, ", ", 2);
			put_str(b, r->errors[i]);
		}
		buf_addc(b, ']');
		break;
	case F_PARAMS:
		buf_addc(b, '{');
		for (i = 0; i < j->nparams; i++) {
			if (i)
				buf_add(b, ", ", 2);
			put_str(b, j->params[i].name);
			buf_add(b, ": ", 2);
			put_str(b, j->params[i].value);
		}
		buf_addc(b, '}');
		break;
	case F_OBJ:
		write_obj(b, f->sub, CAT(base, f->off, char), wp, depth, NULL,
		    NULL);
		break;
	}
}

/* write_obj - the set fields of tab in base, then xj's extras, then a
 * "status" member when status is not NULL */
static void
write_obj(struct buf *b, const struct ftab *tab, const void *base, int wp,
    int depth, const struct job *xj, const char *status)
{
	size_t i;
	int n = 0;

	buf_addc(b, '{');
	for (i = 0; i < tab->n; i++) {
		if (!field_set(&tab->f[i], base, wp))
			continue;
		member(b, &n, tab->inline_, depth, tab->f[i].name);
		write_value(b, &tab->f[i], base, wp, depth + 1);
	}
	for (i = 0; xj && i < xj->nextras; i++) {
		member(b, &n, tab->inline_, depth, xj->extras[i].name);
		buf_adds(b, xj->extras[i].json);
	}
	if (status != NULL) {
		member(b, &n, tab->inline_, depth, "status");
		put_str(b, status);
	}
	if (!tab->inline_ && n > 0) {
		buf_addc(b, '\n');
		indent(b, depth);
	}
	buf_addc(b, '}');
}

void
job_write(const struct job *j, struct buf *out, int with_password)
{
	write_obj(out, &job_tab, j, with_password, 0, j, NULL);
	buf_addc(out, '\n');
}

void
job_view(const struct job *j, enum state st, struct buf *out)
{
	write_obj(out, &job_tab, j, 0, 0, j, state_name(st));
}
