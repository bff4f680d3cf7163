/* config_type.c - a [type NAME] section of the config: the values of its
 * keys (command, emits, formats, columns, params, database, query) into
 * struct xtype, a SQL type's checks once the file is read (its query's
 * placeholders, a password in the file), the look-ups on types and
 * formats.  config.c reads the file and calls these (config.h). */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xspool.h"
#include "config.h"

#define QUERY_MAX	(1 << 20)	/* bytes of a query_file */

enum format
format_parse(const char *s)
{
	if (s == NULL)
		return FMT_NONE;
	if (strcasecmp(s, "json") == 0)
		return FMT_JSON;
	if (strcasecmp(s, "csv") == 0)
		return FMT_CSV;
	return FMT_NONE;
}

const char *
format_name(enum format f)
{
	return f == FMT_JSON ? "JSON" : f == FMT_CSV ? "CSV" : "";
}

const char *
format_ext(enum format f)
{
	return f == FMT_JSON ? "json" : f == FMT_CSV ? "csv" : "";
}

static const char *const ptype_names[] = {
	[PT_STRING] = "string", [PT_INT] = "int", [PT_NUMBER] = "number",
	[PT_BOOL] = "bool", [PT_DATE] = "date", [PT_TIMESTAMP] = "timestamp",
};
#define NPTYPES	(sizeof(ptype_names) / sizeof(ptype_names[0]))

const char *
ptype_name(enum ptype t)
{
	return (size_t)t < NPTYPES ? ptype_names[t] : "?";
}

const struct xtype *
config_type(const struct config *c, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < c->ntypes; i++)
		if (strcmp(c->types[i].name, name) == 0)
			return &c->types[i];
	return NULL;
}

/* find_in_path - a bare command name through $PATH, as execvp would */
static char *
find_in_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	char *full;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p) {
			xasprintf(&full, "%.*s/%s", (int)(e - p), p, name);
			if (access(full, X_OK) == 0 && full[0] == '/')
				return full;
			free(full);
		}
		if (*e == '\0')
			return NULL;
	}
}

/* type_set_command - split on blanks into argv, the first word made absolute */
int
type_set_command(struct cfparse *x, struct xtype *t, const char *v)
{
	const char *blanks = " \t";
	char *copy, *w, *save = NULL;
	size_t n = 0;

	copy = xstrdup(v);
	for (w = strtok_r(copy, blanks, &save); w != NULL;
	    w = strtok_r(NULL, blanks, &save)) {
		t->argv = xreallocarray(t->argv, n + 2, sizeof(char *));
		t->argv[n++] = xstrdup(w);
		t->argv[n] = NULL;
	}
	free(copy);
	if (n == 0)
		return cf_err(x, cf_line(x), "[type %s]: empty command",
		    t->name);
	if (strchr(t->argv[0], '/') != NULL)
		t->command = cf_abs_path(x, t->argv[0]);
	else if ((t->command = find_in_path(t->argv[0])) == NULL)
		return cf_err(x, cf_line(x), "[type %s]: command %s: not found"
		    " in PATH", t->name, t->argv[0]);
	free(t->argv[0]);
	t->argv[0] = xstrdup(t->command);
	return 1;
}

/* type_set_emits - what the command writes: csv or jsonl */
int
type_set_emits(struct cfparse *x, struct xtype *t, const char *v)
{
	if (strcasecmp(v, "csv") == 0)
		t->emits = EMITS_CSV;
	else if (strcasecmp(v, "jsonl") == 0)
		t->emits = EMITS_JSONL;
	else
		return cf_err(x, cf_line(x), "[type %s]: emits: '%s' is not"
		    " csv or jsonl", t->name, v);
	return 1;
}

/* type_set_formats - "JSON,CSV": the formats a request may ask for */
int
type_set_formats(struct cfparse *x, struct xtype *t, const char *v)
{
	char *copy = xstrdup(v), *s = copy, *item;
	enum format f;

	t->formats = 0;
	while ((item = cf_next_item(&s)) != NULL) {
		if ((f = format_parse(item)) == FMT_NONE) {
			cf_err(x, cf_line(x), "[type %s]: formats: '%s' is not"
			    " JSON or CSV", t->name, item);
			free(copy);
			return 0;
		}
		t->formats |= f;
	}
	free(copy);
	return 1;
}

/* type_set_columns - "name:int,amount:number,paid:bool,note:string" */
int
type_set_columns(struct cfparse *x, struct xtype *t, const char *v)
{
	static const char *types[] = { "string", "int", "number", "bool" };
	char *copy = xstrdup(v), *s = copy, *item, *colon;
	const char *why = NULL;
	size_t i;

	while (why == NULL && (item = cf_next_item(&s)) != NULL) {
		if ((colon = strchr(item, ':')) != NULL)
			*colon++ = '\0';
		t->columns = xreallocarray(t->columns, t->ncolumns + 1,
		    sizeof(*t->columns));
		t->columns[t->ncolumns].name = xstrdup(item);
		t->columns[t->ncolumns++].type = COL_STRING;
		if (*item == '\0')
			why = "a column needs a name";
		for (i = 0; why == NULL && i + 1 < t->ncolumns; i++)
			if (strcmp(t->columns[i].name, item) == 0)
				why = "a column is named twice";
		if (why != NULL || colon == NULL)
			continue;
		for (i = 0; i < 4 && strcmp(colon, types[i]) != 0; i++)
			;
		if (i == 4)
			why = "a column's type is not string, int, number or"
			    " bool";
		else
			t->columns[t->ncolumns - 1].type = (enum coltype)i;
	}
	if (why)
		cf_err(x, cf_line(x), "[type %s]: columns: %s (at '%s')",
		    t->name, why, item);
	free(copy);
	return why == NULL;
}

/* type_set_params - "from:date, to:date, clinic:int?": the request parameters
 * the type takes; a bare name is a string; "params =" takes none */
int
type_set_params(struct cfparse *x, struct xtype *t, const char *v)
{
	char *copy = xstrdup(v), *s = copy, *item, *colon, *e;
	const char *why = NULL;
	struct tparam *p;
	size_t i;

	t->has_params = 1;
	while (why == NULL && (item = cf_next_item(&s)) != NULL) {
		if (*item == '\0' && s == NULL && t->nparams == 0)
			break;		/* "params =": none */
		t->params = xreallocarray(t->params, t->nparams + 1,
		    sizeof(*t->params));
		p = &t->params[t->nparams++];
		memset(p, 0, sizeof(*p));
		e = item + strlen(item);
		if (e > item && e[-1] == '?') {
			p->optional = 1;
			*--e = '\0';
		}
		if ((colon = strchr(item, ':')) != NULL) {
			*colon++ = '\0';
			colon += strspn(colon, " \t");
			for (e = item + strlen(item); e > item &&
			    (e[-1] == ' ' || e[-1] == '\t'); )
				*--e = '\0';
		}
		p->name = xstrdup(item);
		if (!param_name_valid(item)) {
			why = "a parameter name is a letter, then letters,"
			    " digits or '_'";
			break;
		}
		for (i = 0; i + 1 < t->nparams; i++)
			if (strcmp(t->params[i].name, item) == 0)
				why = "a parameter is named twice";
		if (why != NULL || colon == NULL)
			continue;
		for (i = 0; i < NPTYPES && strcmp(colon, ptype_names[i]); i++)
			;
		if (i == NPTYPES)
			why = "a parameter's type is not string, int, number,"
			    " bool, date or timestamp";
		else
			p->type = (enum ptype)i;
	}
	if (why)
		cf_err(x, cf_line(x), "[type %s]: params: %s (at '%s')",
		    t->name, why, item);
	free(copy);
	return why == NULL;
}

/* type_set_database - "postgresql://...", "postgres://..." (libpq's URI, kept
 * as written) or "sqlite:PATH" (made absolute) */
int
type_set_database(struct cfparse *x, struct xtype *t, const char *v)
{
	char *p;

	free(t->database);
	t->database = NULL;
	if (strncmp(v, "postgresql://", 13) == 0 ||
	    strncmp(v, "postgres://", 11) == 0) {
		t->database = xstrdup(v);
		return 1;
	}
	if (strncmp(v, "sqlite:", 7) == 0 && v[7] != '\0') {
		p = cf_abs_path(x, v + 7);
		xasprintf(&t->database, "sqlite:%s", p);
		free(p);
		return 1;
	}
	/* the value is not repeated: it may hold a password */
	return cf_err(x, cf_line(x), "[type %s]: database: want"
	    " postgresql://... or sqlite:PATH", t->name);
}

/* type_set_query - query = TEXT, or query_file = PATH (read now) */
int
type_set_query(struct cfparse *x, struct xtype *t, const char *v, int file)
{
	char *path, *text;
	size_t len;

	if (t->query != NULL)
		return cf_err(x, cf_line(x), "[type %s]: query and query_file"
		    " exclude each other", t->name);
	if (!file) {
		t->query = *v ? xstrdup(v) : NULL;
		return 1;
	}
	path = cf_abs_path(x, v);
	if (read_file(path, QUERY_MAX, &text, &len) == -1) {
		cf_err(x, cf_line(x), "[type %s]: query_file %s: %s", t->name,
		    path, strerror(errno));
		free(path);
		return 0;
	}
	free(path);
	if (strlen(text) != len || !utf8_valid(text, len)) {
		free(text);
		return cf_err(x, cf_line(x), "[type %s]: query_file: not UTF-8"
		    " text", t->name);
	}
	t->query = text;
	return 1;
}

/* sql_exporter - xspool-sql beside the running program (bin/ or
 * bin/asan/ in a source tree, SBINDIR installed); where it would be when
 * the program cannot be found, so that running it names the file */
static char *
sql_exporter(void)
{
	char self[PATH_MAX], *slash, *p;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return xstrdup(SQL_EXPORTER);
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	xasprintf(&p, "%s/%s", self, SQL_EXPORTER);
	return p;
}

/* has_password - the database string holds a password itself */
static int
has_password(const char *db)
{
	const char *a = strstr(db, "://"), *at, *end;

	if (a == NULL)
		return 0;
	a += 3;
	end = a + strcspn(a, "/?");
	at = memchr(a, '@', (size_t)(end - a));
	if (at != NULL && memchr(a, ':', (size_t)(at - a)) != NULL)
		return 1;
	return strstr(db, "password=") != NULL;
}

/* config_db_shown - the database string with a password in it masked:
 * "postgresql://u:***@h/db", "...?password=***&..." */
void
config_db_shown(const char *db, struct buf *out)
{
	const char *a = strstr(db, "://"), *at, *end, *p, *colon;

	at = end = NULL;
	if (a != NULL) {
		a += 3;
		end = a + strcspn(a, "/?");
		/* the last '@': one in the password is not always escaped */
		at = memrchr(a, '@', (size_t)(end - a));
	}
	colon = at != NULL ? memchr(a, ':', (size_t)(at - a)) : NULL;
	for (p = db; *p != '\0'; ) {
		if (p == colon) {
			buf_adds(out, ":***");
			p = at;
		} else if (strncmp(p, "password=", 9) == 0 && (p == db ||
		    strchr("?& ", p[-1]) != NULL)) {
			buf_adds(out, "password=***");
			p += 9;
			p += strcspn(p, "& ");
		} else
			buf_addc(out, *p++);
	}
}

struct phcheck {
	const struct xtype *t;
	char		 bad[80];
};

/* declared - a placeholder of the query is one of the type's params */
static int
declared(const char *name, size_t len, size_t off, void *arg)
{
	struct phcheck *pc = arg;
	size_t i;

	for (i = 0; i < pc->t->nparams; i++)
		if (strlen(pc->t->params[i].name) == len &&
		    strncmp(pc->t->params[i].name, name, len) == 0)
			return 0;
	snprintf(pc->bad, sizeof(pc->bad), "%.*s", (int)(len < 64 ? len : 64),
	    name);
	return 1;
}

/* type_finish_sql - a type with a database runs xspool-sql on this config:
 * its query is there, its placeholders are declared params, a password
 * in the config is not for every reader of the file */
int
type_finish_sql(struct cfparse *x, struct xtype *t, const int *seen)
{
	struct phcheck pc;
	struct stat sb;
	size_t i;

	if (t->database == NULL) {
		if (t->query != NULL)
			return cf_err(x, t->line, "[type %s]: query without"
			    " database", t->name), -1;
		return 0;
	}
	for (i = 0; i < cf_nkeys; i++)
		if (seen[i] && (cf_keys[i].kind == K_COMMAND ||
		    cf_keys[i].kind == K_EMITS || cf_keys[i].kind == K_COLUMNS))
			return cf_err(x, seen[i], "[type %s]: %s: a database"
			    " type runs %s and types its columns itself",
			    t->name, cf_keys[i].name, SQL_EXPORTER), -1;
	if (t->query == NULL)
		return cf_err(x, t->line, "[type %s]: database without query"
		    " or query_file", t->name), -1;
	pc.t = t;
	if (sqlq_scan(t->query, strncmp(t->database, "sqlite:", 7) != 0,
	    declared, &pc) != 0)
		return cf_err(x, t->line, "[type %s]: the query's :%s is not"
		    " in params", t->name, pc.bad), -1;
	if (has_password(t->database) && (stat(cf_file(x), &sb) == -1 ||
	    (sb.st_mode & (S_IROTH | S_IWOTH))))
		return cf_err(x, t->line, "[type %s]: database holds a"
		    " password but %s is readable by others (chmod o-rw, or"
		    " use passfile=)", t->name, cf_file(x)), -1;
	t->emits = EMITS_JSONL;
	t->command = sql_exporter();
	t->argv = xcalloc(6, sizeof(*t->argv));
	t->argv[0] = xstrdup(t->command);
	t->argv[1] = xstrdup("-c");
	t->argv[2] = cf_abs_path(x, cf_file(x));
	t->argv[3] = xstrdup("-t");
	t->argv[4] = xstrdup(t->name);
	return 0;
}
