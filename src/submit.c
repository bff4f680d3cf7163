/* submit.c - checks an export request before it is queued (CLI and REST
 * shim alike): type, format, e-mail, callback URL, parameters, and the
 * request's hash.  The address and URL rules themselves are net.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "xspool.h"

#define PARAM_VALUE_MAX	4096
#define PARAMS_MAX	64
#define PASSWORD_MAX	1024
#define CLIENT_MAX	128

/* text_ok - well-formed UTF-8 without control characters (tab allowed) */
static int
text_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n > max || !utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

int
callback_valid(const struct config *c, const char *url, char *err,
    size_t errlen)
{
	struct net_url u;

	if (net_callback_url(c != NULL ? c->callback_allow : NULL, url, &u,
	    err, errlen) == -1)
		return -1;
	net_url_free(&u);
	return 0;
}

/* param_cmp - qsort by name, then value */
static int
param_cmp(const void *a, const void *b)
{
	const struct param *pa = *(const struct param *const *)a;
	const struct param *pb = *(const struct param *const *)b;
	int r = strcmp(pa->name, pb->name);

	return r ? r : strcmp(pa->value, pb->value);
}

/* request_hash - SHA-256 hex of client, type, format and sorted params */
static char *
request_hash(const struct job *j)
{
	static const char hex[] = "0123456789abcdef";
	const struct param **v;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	struct buf b;
	char *out;
	size_t k;

	buf_init(&b);
	buf_adds(&b, j->client ? j->client : "");
	buf_addc(&b, '\n');
	buf_adds(&b, j->type);
	buf_addc(&b, '\n');
	buf_adds(&b, format_name(j->format));
	v = xreallocarray(NULL, j->nparams ? j->nparams : 1, sizeof(*v));
	for (k = 0; k < j->nparams; k++)
		v[k] = &j->params[k];
	qsort(v, j->nparams, sizeof(*v), param_cmp);
	for (k = 0; k < j->nparams; k++) {
		/* lengths first: no two lists hash alike by splicing */
		buf_addf(&b, "\n%zu:%s=%zu:%s", strlen(v[k]->name),
		    v[k]->name, strlen(v[k]->value), v[k]->value);
	}
	free(v);
	EVP_Digest(b.p, b.len, md, &mdlen, EVP_sha256(), NULL);
	buf_free(&b);
	out = xmalloc(mdlen * 2 + 1);
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[mdlen * 2] = '\0';
	return out;
}

/* params_valid - names legal and unique, values clean text */
static int
params_valid(const struct job *j, char *err, size_t errlen)
{
	size_t i, k;

	if (j->nparams > PARAMS_MAX) {
		seterr(err, errlen, "more than %d parameters", PARAMS_MAX);
		return -1;
	}
	for (i = 0; i < j->nparams; i++) {
		if (!param_name_valid(j->params[i].name)) {
			seterr(err, errlen, "invalid parameter name (letters, "
			    "digits and _, starting with a letter)");
			return -1;
		}
		if (!text_ok(j->params[i].value, PARAM_VALUE_MAX)) {
			seterr(err, errlen, "parameter %s: value is not clean "
			    "UTF-8 text of at most %d bytes",
			    j->params[i].name, PARAM_VALUE_MAX);
			return -1;
		}
		for (k = 0; k < i; k++)
			if (strcmp(j->params[k].name,
			    j->params[i].name) == 0) {
				seterr(err, errlen, "parameter %s given twice",
				    j->params[i].name);
				return -1;
			}
	}
	return 0;
}

/* digits - n ASCII digits at s, their value in *v */
static int
digits(const char *s, int n, int *v)
{
	int i;

	for (*v = 0, i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* date_ok - "YYYY-MM-DD", a day that exists; the length read in *n */
static int
date_ok(const char *s, size_t *n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, leap;

	if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &m) || s[7] != '-' || !digits(s + 8, 2, &d))
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	*n = 10;
	return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] &&
	    !(m == 2 && d == 29 && !leap);
}

/* timestamp_ok - DATE[T ]HH:MM[:SS[.fraction]][Z|+HH:MM|-HH:MM] */
static int
timestamp_ok(const char *s)
{
	size_t n;
	int h, mi, sec = 0;

	if (!date_ok(s, &n) || (s[n] != 'T' && s[n] != ' '))
		return 0;
	s += n + 1;
	if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &mi) ||
	    h > 23 || mi > 59)
		return 0;
	s += 5;
	if (*s == ':') {
		if (!digits(s + 1, 2, &sec) || sec > 60)
			return 0;
		s += 3;
		if (*s == '.') {
			if (s[1] < '0' || s[1] > '9')
				return 0;
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
		}
	}
	if (*s == 'Z')
		return s[1] == '\0';
	if (*s == '+' || *s == '-')
		return digits(s + 1, 2, &h) && s[3] == ':' &&
		    digits(s + 4, 2, &mi) && h <= 23 && mi <= 59 &&
		    s[6] == '\0';
	return *s == '\0';
}

/* number_ok - a JSON number: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
static int
number_ok(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		if (*++s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int
param_value_ok(enum ptype t, const char *v)
{
	char *end;
	size_t n;

	switch (t) {
	case PT_INT:
		if (*v == '\0' || *v == '+' || *v == ' ')
			return 0;
		errno = 0;
		(void)strtoll(v, &end, 10);
		return *end == '\0' && errno == 0;
	case PT_NUMBER:
		return number_ok(v);
	case PT_BOOL:
		return strcasecmp(v, "true") == 0 ||
		    strcasecmp(v, "false") == 0 || strcmp(v, "1") == 0 ||
		    strcmp(v, "0") == 0;
	case PT_DATE:
		return date_ok(v, &n) && v[n] == '\0';
	case PT_TIMESTAMP:
		return timestamp_ok(v);
	default:
		return 1;
	}
}

/* params_typed - the request's parameters against the type's params
 * line: none unknown, each well-formed, none missing; each named */
static int
params_typed(const struct xtype *t, const struct job *j, char *err,
    size_t errlen)
{
	static const char *const want[] = {
		[PT_STRING] = "text", [PT_INT] = "an integer",
		[PT_NUMBER] = "a number such as 12.50",
		[PT_BOOL] = "true or false",
		[PT_DATE] = "a date YYYY-MM-DD",
		[PT_TIMESTAMP] = "a timestamp YYYY-MM-DDTHH:MM:SS[Z|+HH:MM]",
	};
	const struct tparam *p;
	size_t i, k;

	for (i = 0; i < j->nparams; i++) {
		for (k = 0, p = NULL; k < t->nparams && p == NULL; k++)
			if (strcmp(t->params[k].name, j->params[i].name) == 0)
				p = &t->params[k];
		if (p == NULL) {
			struct buf names;

			buf_init(&names);
			for (k = 0; k < t->nparams; k++)
				buf_addf(&names, "%s%s", k ? ", " : "",
				    t->params[k].name);
			seterr(err, errlen, "unknown parameter %s (type %s "
			    "takes %s)", j->params[i].name, t->name,
			    t->nparams ? names.p : "none");
			buf_free(&names);
			return -1;
		}
		if (!param_value_ok(p->type, j->params[i].value)) {
			seterr(err, errlen, "parameter %s: want %s",
			    p->name, want[p->type]);
			return -1;
		}
	}
	for (k = 0; k < t->nparams; k++) {
		if (t->params[k].optional)
			continue;
		for (i = 0; i < j->nparams; i++)
			if (strcmp(t->params[k].name, j->params[i].name) == 0)
				break;
		if (i == j->nparams) {
			seterr(err, errlen, "missing parameter %s (%s)",
			    t->params[k].name, ptype_name(t->params[k].type));
			return -1;
		}
	}
	return 0;
}

void
type_unknown(const struct config *c, const char *name, char *err,
    size_t errlen)
{
	struct buf names;
	size_t i;

	buf_init(&names);
	for (i = 0; i < c->ntypes; i++)
		buf_addf(&names, "%s%s", i ? ", " : "", c->types[i].name);
	if (name != NULL && type_valid(name))
		seterr(err, errlen, "unknown export type %s (known: %s)", name,
		    c->ntypes ? names.p : "none");
	else
		seterr(err, errlen, "unknown export type (known: %s)",
		    c->ntypes ? names.p : "none");
	buf_free(&names);
}

int
job_validate(const struct config *c, struct job *j, const char **code,
    char *err, size_t errlen)
{
	const struct xtype *t;

	*code = "INVALID_PARAMETER";
	if (j->type == NULL || !type_valid(j->type) ||
	    (t = config_type(c, j->type)) == NULL) {
		*code = "UNKNOWN_EXPORT_TYPE";
		type_unknown(c, j->type, err, errlen);
		return -1;
	}
	if (j->format == FMT_NONE)
		j->format = FMT_JSON;
	if (j->format != FMT_JSON && j->format != FMT_CSV) {
		*code = "UNSUPPORTED_FORMAT";
		seterr(err, errlen, "unknown format");
		return -1;
	}
	if ((t->formats & (unsigned)j->format) == 0) {
		*code = "UNSUPPORTED_FORMAT";
		seterr(err, errlen, "type %s does not support format %s",
		    t->name, format_name(j->format));
		return -1;
	}
	if (j->email != NULL && !net_email_valid(j->email)) {
		seterr(err, errlen, "invalid e-mail address");
		return -1;
	}
	if (j->callback != NULL &&
	    callback_valid(c, j->callback, err, errlen) == -1)
		return -1;
	if (j->password != NULL && (j->password[0] == '\0' ||
	    !text_ok(j->password, PASSWORD_MAX))) {
		seterr(err, errlen, "the password must be 1 to %d bytes of "
		    "text without control characters", PASSWORD_MAX);
		return -1;
	}
	if (j->client != NULL && !text_ok(j->client, CLIENT_MAX)) {
		seterr(err, errlen, "invalid client name");
		return -1;
	}
	if (params_valid(j, err, errlen) == -1)
		return -1;
	if (t->has_params && params_typed(t, j, err, errlen) == -1)
		return -1;
	free(j->request_hash);
	j->request_hash = request_hash(j);
	*code = NULL;
	return 0;
}

int
job_accept(const struct config *c, struct job *j, const char **code,
    char *err, size_t errlen)
{
	if (job_validate(c, j, code, err, errlen) == -1)
		return -1;
	if (notify_deliverable(c, j, err, errlen) == -1) {
		*code = "INVALID_PARAMETER";
		return -1;
	}
	return 0;
}
