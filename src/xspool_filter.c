/* xspool_filter.c - `xspool list`'s filters: states, types, clients, a
 * created-time window (ISO 8601 or an age such as 2h) and a limit. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "xspool.h"
#include "xspool_cli.h"

void
lf_init(struct lfilter *f)
{
	memset(f, 0, sizeof(*f));
	f->since = INT64_MIN;
	f->until = INT64_MAX;
	f->limit = SIZE_MAX;
}

void
lf_free(struct lfilter *f)
{
	free(f->types);
	free(f->clients);
	f->types = f->clients = NULL;
}

int
lf_states(struct lfilter *f, char *list)
{
	char *s, *save = NULL;
	int st;

	for (s = strtok_r(list, ",", &save); s != NULL;
	    s = strtok_r(NULL, ",", &save)) {
		if (strcasecmp(s, "all") == 0)
			f->states |= (1u << NSTATES) - 1;
		else if ((st = state_parse(s)) == -1)
			return -1;
		else
			f->states |= 1u << st;
	}
	return f->states != 0 ? 0 : -1;
}

void
lf_add(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* zone - "Z", "+HH:MM", "-HHMM" or "+HH" after a time: its offset east
 * of UTC in seconds; -1 when malformed */
static int
zone(const char *s, long *off)
{
	int h = 0, m = 0, n = 0;

	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0) {
		*off = 0;
		return 0;
	}
	if ((s[0] != '+' && s[0] != '-') ||
	    (sscanf(s + 1, "%2d:%2d%n", &h, &m, &n) != 2 &&
	    sscanf(s + 1, "%2d%2d%n", &h, &m, &n) != 2 &&
	    sscanf(s + 1, "%2d%n", &h, &n) != 1) ||
	    s[1 + n] != '\0' || n < 2 || h > 23 || m > 59)
		return -1;
	*off = (h * 3600L + m * 60L) * (s[0] == '-' ? -1 : 1);
	return 0;
}

/* iso_time - "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|+HH:MM]" into ms; local
 * time without a zone */
static int
iso_time(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *p;
	double frac = 0;
	long off = 0;
	int n = 0, has_zone = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &n) != 3 || n != 10)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min,
		    &n) != 2 || n != 5)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &tm.tm_sec, &n) != 1 ||
			    n != 2)
				return -1;
			p += 1 + n;
			if (*p == '.') {
				char *end;

				frac = strtod(p, &end);
				if (end == p + 1)
					return -1;
				p = end;
			}
		}
	}
	if (*p != '\0') {
		if (zone(p, &off) == -1)
			return -1;
		has_zone = 1;
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	t = has_zone ? timegm(&tm) - off : mktime(&tm);
	if (t == (time_t)-1 && has_zone == 0)
		return -1;
	*ms = (int64_t)t * 1000 + (int64_t)(frac * 1000);
	return 0;
}

int
lf_time(const char *s, int64_t now, int64_t *ms)
{
	int64_t d;

	if (iso_time(s, ms) == 0)
		return 0;
	if (parse_duration(s, &d) == -1)
		return -1;
	*ms = now - d;
	return 0;
}

/* in_list - s is one of v (NULL s never) */
static int
in_list(const char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

int
lf_match(const struct lfilter *f, const struct entry *e)
{
	if (e->created < f->since || e->created >= f->until)
		return 0;
	if (f->ntypes > 0 && !(e->ok && in_list(f->types, f->ntypes,
	    e->j.type)))
		return 0;
	if (f->nclients > 0 && !(e->ok && in_list(f->clients, f->nclients,
	    e->j.client)))
		return 0;
	return 1;
}

void
lf_limit(const struct lfilter *f, struct entries *es, int first)
{
	size_t i, drop;

	if (es->n <= f->limit)
		return;
	drop = es->n - f->limit;
	if (first) {
		for (i = f->limit; i < es->n; i++)
			job_free(&es->v[i].j);
	} else {
		for (i = 0; i < drop; i++)
			job_free(&es->v[i].j);
		memmove(es->v, es->v + drop, f->limit * sizeof(*es->v));
	}
	es->n = f->limit;
}
