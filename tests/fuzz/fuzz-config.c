/* fuzz-config.c - config.c on any bytes, fed as a file to config_load;
 * a config that loads has what the programs rely on (absolute paths, a
 * valid node, types with a command and formats); the small parsers it
 * uses are fed the same bytes. */
#include "fuzz.h"

/* config_sane - what config_load promises of a config it accepts */
static void
config_sane(const struct config *c)
{
	size_t i;

	fuzz_check(c->dir != NULL && c->dir[0] == '/', "dir not absolute");
	fuzz_check(c->node != NULL && id_valid(c->node) &&
	    strlen(c->node) <= NODE_MAX, "bad node");
	fuzz_check(c->keys == NULL || c->keys[0] == '/', "keys relative");
	fuzz_check(c->retry_max_ms >= c->retry_base_ms, "retry_max < base");
	fuzz_check((c->tls_cert == NULL) == (c->tls_key == NULL),
	    "half a TLS pair");
	for (i = 0; i < c->ntypes; i++) {
		const struct xtype *t = &c->types[i];

		fuzz_check(t->name != NULL && type_valid(t->name),
		    "bad type name");
		fuzz_check(t->command != NULL && t->command[0] == '/',
		    "type %s: command not absolute", t->name);
		fuzz_check(t->argv != NULL && t->argv[0] != NULL &&
		    strcmp(t->argv[0], t->command) == 0,
		    "type %s: argv[0] is not the command", t->name);
		fuzz_check(t->formats != 0 &&
		    (t->formats & ~(unsigned)(FMT_JSON | FMT_CSV)) == 0,
		    "type %s: formats %u", t->name, t->formats);
		fuzz_check(t->emits == EMITS_CSV || t->emits == EMITS_JSONL,
		    "type %s: emits %d", t->name, (int)t->emits);
		fuzz_check(config_type(c, t->name) != NULL,
		    "type %s not found", t->name);
	}
}

int
fuzz_config(const uint8_t *data, size_t size)
{
	struct config c;
	char err[ERRLEN];
	const char *path;
	struct fuzz_fields ff;

	path = fuzz_tmpfile("config", data, size);
	err[0] = '\0';
	if (config_load(&c, path, err, sizeof(err)) == 0) {
		config_sane(&c);
		config_free(&c);
	} else
		fuzz_check(err[0] != '\0', "a refusal without a reason");
	unlink(path);

	/* the same bytes to the little parsers a config uses */
	fuzz_split(&ff, data, size);
	(void)format_parse(fuzz_field(&ff, 0));
	(void)state_parse(fuzz_field(&ff, 0));
	free(ff.copy);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_config(data, size);
}
#endif
