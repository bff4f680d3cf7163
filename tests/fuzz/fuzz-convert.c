/*
 * fuzz-convert.c - convert.c on any bytes.  The first byte picks the mode
 * (bit 0: JSONL in, else CSV; bit 1: CSV out, else JSON; bit 2: typed
 * columns "id:int,amount:number,paid:bool,count:int"), the second a chunk
 * size (0: only whole), the rest is the exporter's output.  Fed whole and
 * in chunks, the outcome (status, error, output, records) is the same; a
 * JSON output parses; CSV -> CSV output converted again is itself.
 */
#include "fuzz.h"
#include "../unit/convrun.h"

static const struct column conv_typed[] = {
	{ "id", COL_INT }, { "amount", COL_NUMBER }, { "paid", COL_BOOL },
	{ "count", COL_INT },
};
/* the typed columns, or none */
#define COLS(typed)	(typed) ? conv_typed : NULL, \
	    (typed) ? sizeof(conv_typed) / sizeof(conv_typed[0]) : 0

/* conv_output_ok - JSON parses; CSV from CSV is a fixed point of CSV ->
 * CSV (not CSV from JSONL: a JSONL key may be "", a CSV header not) */
static void
conv_output_ok(enum emits e, enum format f, const struct conv_outcome *r)
{
	struct conv_outcome again;
	struct jdoc d;
	char err[ERRLEN];

	if (f == FMT_JSON) {
		fuzz_check(json_parse(&d, r->out.p, r->out.len, err,
		    sizeof(err)) == 0, "JSON output does not parse: %s\n%s",
		    err, r->out.p);
		fuzz_check(d.tok[0].type == JSMN_ARRAY &&
		    d.tok[0].size == r->records, "JSON output: %d elements, "
		    "%lld records", d.tok[0].size, (long long)r->records);
		json_free(&d);
		return;
	}
	if (e != EMITS_CSV)
		return;
	conv_run(EMITS_CSV, FMT_CSV, NULL, 0, r->out.p, r->out.len, 0, &again);
	fuzz_check(again.rc == 0, "CSV output is not CSV: %s\n%s", again.err,
	    r->out.p);
	fuzz_check(again.out.len == r->out.len && (r->out.len == 0 ||
	    memcmp(again.out.p, r->out.p, r->out.len) == 0), "CSV -> CSV changed the CSV:\n%s---\n"
	    "%s", r->out.p, again.out.p);
	buf_free(&again.out);
}

int
fuzz_convert(const uint8_t *data, size_t size)
{
	struct conv_outcome whole, cut;
	enum emits e;
	enum format f;
	size_t chunk, n;
	char *in;
	int typed;

	if (size < 2)
		return 0;
	e = data[0] & 1 ? EMITS_JSONL : EMITS_CSV;
	f = data[0] & 2 ? FMT_CSV : FMT_JSON;
	typed = (data[0] & 4) != 0;
	chunk = data[1];
	n = size - 2;
	in = xmalloc(n ? n : 1);	/* exact size: overreads are caught */
	memcpy(in, data + 2, n);

	conv_run(e, f, COLS(typed), in, n, 0, &whole);
	if (whole.rc == 0)
		conv_output_ok(e, f, &whole);
	else
		fuzz_check(whole.err[0] != '\0', "a failure without a reason");
	if (chunk != 0) {
		conv_run(e, f, COLS(typed), in, n, chunk, &cut);
		fuzz_check(cut.rc == whole.rc && strcmp(cut.err, whole.err) ==
		    0, "chunk %zu: rc %d '%s', whole: rc %d '%s'", chunk,
		    cut.rc, cut.err, whole.rc, whole.err);
		fuzz_check(whole.rc != 0 || (cut.out.len == whole.out.len &&
		    (cut.out.len == 0 ||
		    memcmp(cut.out.p, whole.out.p, cut.out.len) == 0) &&
		    cut.records == whole.records), "chunk %zu: other output",
		    chunk);
		buf_free(&cut.out);
	}
	buf_free(&whole.out);
	free(in);
	return 0;
}

#ifndef FUZZ_REPLAY
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_convert(data, size);
}
#endif
