/* xspool_types.c - `xspool types`: the export types of the configuration,
 * with their formats, declared parameters, what they run (a database's
 * password masked) and timeout, as text or JSON. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "xspool_cli.h"

/* formats - "JSON, CSV" (sep between) */
static void
formats(const struct xtype *t, struct buf *b, const char *sep, int quote)
{
	static const enum format fmts[] = { FMT_JSON, FMT_CSV };
	size_t i, n = 0;

	for (i = 0; i < 2; i++) {
		if (!(t->formats & (unsigned)fmts[i]))
			continue;
		buf_adds(b, n++ ? sep : "");
		if (quote)
			json_quote(b, format_name(fmts[i]),
			    strlen(format_name(fmts[i])));
		else
			buf_adds(b, format_name(fmts[i]));
	}
}

/* duration - "90s", "10m", "250ms": exact, in the largest unit */
static const char *
duration(int64_t ms, char *buf, size_t size)
{
	static const struct { int64_t ms; const char *unit; } u[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" },
		{ 1000, "s" }, { 1, "ms" },
	};
	size_t i;

	for (i = 0; i < 4 && (ms == 0 || ms % u[i].ms != 0); i++)
		;
	snprintf(buf, size, "%lld%s", (long long)(ms / u[i].ms), u[i].unit);
	return buf;
}

static void
type_text(const struct xtype *t, struct buf *b)
{
	char age[16];
	size_t i;

	buf_addf(b, "%s\n  formats:  ", t->name);
	formats(t, b, ", ", 0);
	buf_adds(b, "\n  params:   ");
	if (!t->has_params)
		buf_adds(b, "any (none declared)");
	else if (t->nparams == 0)
		buf_adds(b, "none");
	for (i = 0; t->has_params && i < t->nparams; i++)
		buf_addf(b, "%s%s (%s%s)", i ? ", " : "", t->params[i].name,
		    ptype_name(t->params[i].type),
		    t->params[i].optional ? ", optional" : "");
	if (t->database != NULL) {
		buf_adds(b, "\n  database: ");
		config_db_shown(t->database, b);
	} else {
		buf_adds(b, "\n  program:  ");
		for (i = 0; t->argv != NULL && t->argv[i] != NULL; i++)
			buf_addf(b, "%s%s", i ? " " : "", t->argv[i]);
	}
	buf_addf(b, "\n  timeout:  %s\n", duration(t->timeout_ms, age,
	    sizeof(age)));
}

static void
type_json(const struct xtype *t, struct buf *b)
{
	struct buf db;
	size_t i;

	buf_adds(b, "{\"name\":");
	json_quote(b, t->name, strlen(t->name));
	buf_adds(b, ",\"formats\":[");
	formats(t, b, ",", 1);
	buf_adds(b, "],\"params\":");
	if (!t->has_params)
		buf_adds(b, "null");
	else
		buf_addc(b, '[');
	for (i = 0; t->has_params && i < t->nparams; i++) {
		buf_adds(b, i ? ",{\"name\":" : "{\"name\":");
		json_quote(b, t->params[i].name, strlen(t->params[i].name));
		buf_addf(b, ",\"type\":\"%s\",\"optional\":%s}",
		    ptype_name(t->params[i].type),
		    t->params[i].optional ? "true" : "false");
	}
	if (t->has_params)
		buf_addc(b, ']');
	if (t->database != NULL) {
		buf_init(&db);
		config_db_shown(t->database, &db);
		buf_adds(b, ",\"database\":");
		json_quote(b, db.p, db.len);
		buf_free(&db);
	} else {
		buf_adds(b, ",\"program\":[");
		for (i = 0; t->argv != NULL && t->argv[i] != NULL; i++) {
			buf_adds(b, i ? "," : "");
			json_quote(b, t->argv[i], strlen(t->argv[i]));
		}
		buf_addc(b, ']');
	}
	buf_addf(b, ",\"timeoutMs\":%lld}", (long long)t->timeout_ms);
}

int
cmd_types(struct ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		HELP_OPTION,
		{ NULL, 0, NULL, 0 }
	};
	struct buf b;
	size_t i;
	int ch, json = 0;

	optind = 0;	/* glibc: full reinit, permuting again */
	while ((ch = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (ch == 'h')
			help_exit("types");
		if (ch != 'j')
			cmd_usage("types", NULL);
		json = 1;
	}
	want_args("types", argc, argv, 0, "");
	ctx_config(x);
	buf_init(&b);
	if (json)
		buf_addc(&b, '[');
	for (i = 0; i < x->c.ntypes; i++) {
		if (json) {
			buf_adds(&b, i ? ",\n" : "\n");
			type_json(&x->c.types[i], &b);
		} else
			type_text(&x->c.types[i], &b);
	}
	if (json)
		buf_adds(&b, x->c.ntypes ? "\n]\n" : "]\n");
	else if (x->c.ntypes == 0)
		buf_addf(&b, "no export types in %s\n", x->c.path);
	fwrite(b.p, 1, b.len, stdout);
	buf_free(&b);
	return 0;
}
