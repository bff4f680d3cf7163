/* api_idem.c - the REST shim's Idempotency-Key map: (client, key) -> the
 * job first queued for it and that request's hash, kept a day, so that a
 * retried submit gets the first answer even after the job left queued/. */
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define IDEM_TTL_MS	(24LL * 3600 * 1000)

int
idem_lookup(struct api *a, const char *client, const char *key, char *id,
    char **hash)
{
	int64_t now = now_ms();
	size_t i = 0;

	while (i < a->nidem) {
		struct idem *e = &a->idem[i];

		if (now - e->at > IDEM_TTL_MS) {
			free(e->client);
			free(e->key);
			free(e->hash);
			a->idem[i] = a->idem[--a->nidem];
			continue;
		}
		if (strcmp(e->client, client) == 0 &&
		    strcmp(e->key, key) == 0) {
			memcpy(id, e->id, sizeof(e->id));
			*hash = e->hash;
			return 1;
		}
		i++;
	}
	return 0;
}

void
idem_add(struct api *a, const struct job *j)
{
	struct idem *e;

	a->idem = xreallocarray(a->idem, a->nidem + 1, sizeof(*a->idem));
	e = &a->idem[a->nidem++];
	e->client = xstrdup(j->client);
	e->key = xstrdup(j->idempotency_key);
	e->hash = xstrdup(j->request_hash);
	memcpy(e->id, j->id, sizeof(e->id));
	e->at = now_ms();
}

void
idem_free(struct api *a)
{
	size_t i;

	for (i = 0; i < a->nidem; i++) {
		free(a->idem[i].client);
		free(a->idem[i].key);
		free(a->idem[i].hash);
	}
	free(a->idem);
	a->idem = NULL;
	a->nidem = 0;
}
