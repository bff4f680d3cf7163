/* api_auth.c - who is asking: the X-Api-Key check against the keys the
 * shim holds (DESIGN.md's table of key errors), the IP allow-list, the
 * per-key rate limit, and which jobs a key may see. */
#include <stdio.h>
#include <string.h>

#include "api.h"

/* rate_error - 429 with RetryAfterSeconds and Retry-After */
static enum MHD_Result
rate_error(struct rctx *x, int retry)
{
	char ra[16], extra[48];

	snprintf(ra, sizeof(ra), "%d", retry);
	snprintf(extra, sizeof(extra), "\"RetryAfterSeconds\":%d", retry);
	return reply_errx(x, 429, "RATE_LIMIT_EXCEEDED", extra, "Retry-After",
	    ra, "over %d requests a minute", x->a->cfg->rate);
}

int
auth_check(struct rctx *x, enum MHD_Result *ret)
{
	const union MHD_ConnectionInfo *ci;
	const struct apikey *k;
	char keyid[64];
	const char *h, *dot;
	int retry;

	h = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-Api-Key");
	if (h == NULL || *h == '\0') {
		*ret = reply_err(x, 400, "MISSING_API_KEY",
		    "the X-Api-Key header is missing");
		return -1;
	}
	dot = strchr(h, '.');
	if ((dot ? (size_t)(dot - h) : strlen(h)) >= sizeof(keyid))
		goto invalid;
	snprintf(keyid, sizeof(keyid), "%.*s",
	    (int)(dot ? (size_t)(dot - h) : strlen(h)), h);
	if ((k = keys_find(x->a->keys, keyid)) == NULL)
		goto invalid;
	snprintf(x->r->keyid, sizeof(x->r->keyid), "%s", k->keyid);
	if (dot == NULL || dot[1] == '\0') {
		*ret = reply_err(x, 401, "SECRET_REQUIRED",
		    "the key must be given as KeyId.Secret");
		return -1;
	}
	if (!keys_secret_ok(k, dot + 1)) {
		*ret = reply_err(x, 401, "INVALID_SECRET", "wrong secret");
		return -1;
	}
	if (k->disabled) {
		*ret = reply_err(x, 401, "API_KEY_DISABLED",
		    "this key is disabled");
		return -1;
	}
	ci = MHD_get_connection_info(x->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || !keys_addr_ok(k, ci->client_addr)) {
		*ret = reply_err(x, 403, "IP_NOT_AUTHORIZED",
		    "this key may not be used from %s", x->r->peer);
		return -1;
	}
	if (!rl_take(x->a->rl, k->keyid, x->a->cfg->rate, mono_ms(), &retry)) {
		*ret = rate_error(x, retry);
		return -1;
	}
	x->key = k;
	return 0;
invalid:
	*ret = reply_err(x, 401, "INVALID_API_KEY", "unknown API key");
	return -1;
}

int
auth_visible(const struct rctx *x, const char *client)
{
	if (x->key->admin)
		return 1;
	return client != NULL && strcmp(client, x->key->client) == 0;
}
