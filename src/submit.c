/* submit.c - checks an export request before it is queued (CLI and REST
 * shim alike): type, format, e-mail, callback URL, parameters, and the
 * request's hash.  The address and URL rules themselves are net.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
job_validate(const struct config *c, struct job *j, const char **code,
    char *err, size_t errlen)
{
	const struct xtype *t;

	*code = "INVALID_PARAMETER";
	if (j->type == NULL || !type_valid(j->type) ||
	    (t = config_type(c, j->type)) == NULL) {
		*code = "UNKNOWN_EXPORT_TYPE";
		seterr(err, errlen, "unknown export type");
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
	free(j->request_hash);
	j->request_hash = request_hash(j);
	*code = NULL;
	return 0;
}
