/* t-job.c - unit tests of job.c: the job file's round trip, its exact
 * layout, unknown fields, and every kind of refused input. */
#include <stdlib.h>
#include <string.h>

#include "xspool.h"
#include "tap.h"

#define CZ	"\xc5\xbdlu\xc5\xa5ou\xc4\x8dk\xc3\xbd k\xc5\xaf\xc5\x88"
#define EMOJI	"\xf0\x9f\x98\x80"

/* written - job_write of j as a new string */
static char *
written(const struct job *j, int with_password)
{
	struct buf b;

	buf_init(&b);
	job_write(j, &b, with_password);
	return buf_steal(&b);
}

/* full - a job with every field set, nasty strings included */
static void
full(struct job *j)
{
	job_init(j);
	snprintf(j->id, sizeof(j->id), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
	j->type = xstrdup("Invoices");
	j->format = FMT_CSV;
	j->password = xstrdup("p\"w\\d\n");
	j->email = xstrdup("ops@example.com");
	j->callback = xstrdup("https://example.com/hook?a=1&b=2");
	job_set_param(j, "from", "2026-01-01");
	job_set_param(j, "note", CZ " " EMOJI " \t\x01\x1f\x7f</script>");
	j->client = xstrdup("erp");
	j->idempotency_key = xstrdup("idem-1");
	j->request_hash = xstrdup("abc123");
	j->created = 1796032800000LL;		/* 2026-11-30T10:00:00Z */
	j->started = 1796032801250LL;
	j->finished = 1796032806571LL;
	j->attempts = 2;
	j->next_attempt = 1796032900000LL;
	j->node = xstrdup("batch-2");
	j->cancelled_by = xstrdup("user");
	j->has_progress = 1;
	j->progress_records = 120000;
	j->progress_bytes = 9400000;
	j->result.present = 1;
	j->result.success = 1;
	job_add_error(j, "line one");
	job_add_error(j, "quote \" and \\ and \r\n and " CZ);
	j->result.duration_ms = 5321;
	j->result.file_name = xstrdup("Invoices.csv");
	j->result.file_size = 812345;
	j->result.records = 120000;
	j->result.callback_sent = 1;
	j->result.email_sent = 0;
	j->webhook.state = NS_PENDING;
	j->webhook.msg_id = xstrdup("msg_2abc");
	j->webhook.tries = 3;
	j->webhook.next_ms = 1796032910000LL;
	j->webhook.error = xstrdup("HTTP 503");
	j->mail.state = NS_SENT;
	j->mail.tries = 1;
}

static const char full_text[] =
"{\n"
"  \"id\": \"3fa85f64-5717-4562-b3fc-2c963f66afa6\",\n"
"  \"type\": \"Invoices\",\n"
"  \"format\": \"CSV\",\n"
"  \"password\": \"p\\\"w\\\\d\\n\",\n"
"  \"email\": \"ops@example.com\",\n"
"  \"callback\": \"https://example.com/hook?a=1&b=2\",\n"
"  \"params\": {\"from\": \"2026-01-01\", \"note\": \"" CZ " " EMOJI
    " \\t\\u0001\\u001f\\u007f</script>\"},\n"
"  \"client\": \"erp\",\n"
"  \"idempotencyKey\": \"idem-1\",\n"
"  \"requestHash\": \"abc123\",\n"
"  \"created\": \"2026-11-30T10:00:00Z\",\n"
"  \"started\": \"2026-11-30T10:00:01.250Z\",\n"
"  \"finished\": \"2026-11-30T10:00:06.571Z\",\n"
"  \"attempts\": 2,\n"
"  \"nextAttempt\": \"2026-11-30T10:01:40Z\",\n"
"  \"node\": \"batch-2\",\n"
"  \"cancelledBy\": \"user\",\n"
"  \"progress\": {\"records\": 120000, \"bytes\": 9400000},\n"
"  \"result\": {\n"
"    \"success\": true,\n"
"    \"errors\": [\"line one\", \"quote \\\" and \\\\ and \\r\\n and " CZ
    "\"],\n"
"    \"durationMs\": 5321,\n"
"    \"fileName\": \"Invoices.csv\",\n"
"    \"fileSizeBytes\": 812345,\n"
"    \"records\": 120000,\n"
"    \"callbackSent\": true,\n"
"    \"notifyEmailSent\": false\n"
"  },\n"
"  \"notify\": {\n"
"    \"webhook\": {\"state\": \"pending\", \"id\": \"msg_2abc\", "
    "\"tries\": 3, \"next\": \"2026-11-30T10:01:50Z\", "
    "\"error\": \"HTTP 503\"},\n"
"    \"email\": {\"state\": \"sent\", \"tries\": 1}\n"
"  }\n"
"}\n";

/* same - field by field comparison of two jobs */
static int
same(const struct job *a, const struct job *b)
{
	size_t i;

#define S(x) ((a->x == NULL && b->x == NULL) || \
	(a->x && b->x && strcmp(a->x, b->x) == 0))
	if (strcmp(a->id, b->id) || !S(type) || a->format != b->format ||
	    !S(password) || !S(email) || !S(callback) || !S(client) ||
	    !S(idempotency_key) || !S(request_hash) || !S(node) ||
	    !S(cancelled_by) || a->created != b->created ||
	    a->started != b->started || a->finished != b->finished ||
	    a->next_attempt != b->next_attempt || a->attempts != b->attempts ||
	    a->has_progress != b->has_progress ||
	    a->progress_records != b->progress_records ||
	    a->progress_bytes != b->progress_bytes || a->nparams != b->nparams)
		return 0;
	for (i = 0; i < a->nparams; i++)
		if (strcmp(a->params[i].name, b->params[i].name) ||
		    strcmp(a->params[i].value, b->params[i].value))
			return 0;
	if (a->result.present != b->result.present ||
	    a->result.success != b->result.success ||
	    a->result.nerrors != b->result.nerrors || !S(result.file_name) ||
	    a->result.duration_ms != b->result.duration_ms ||
	    a->result.file_size != b->result.file_size ||
	    a->result.records != b->result.records ||
	    a->result.callback_sent != b->result.callback_sent ||
	    a->result.email_sent != b->result.email_sent)
		return 0;
	for (i = 0; i < a->result.nerrors; i++)
		if (strcmp(a->result.errors[i], b->result.errors[i]))
			return 0;
	if (a->webhook.state != b->webhook.state || !S(webhook.msg_id) ||
	    a->webhook.tries != b->webhook.tries || !S(webhook.error) ||
	    a->webhook.next_ms != b->webhook.next_ms ||
	    a->mail.state != b->mail.state || !S(mail.msg_id) ||
	    a->mail.tries != b->mail.tries || !S(mail.error))
		return 0;
#undef S
	return 1;
}

static void
test_round_trip(void)
{
	struct job a, b;
	char err[ERRLEN] = "", *t1, *t2, *t3;
	int r;

	full(&a);
	t1 = written(&a, 1);
	is_str(t1, full_text, "job_write lays a full job out as documented");
	r = job_parse(&b, t1, strlen(t1), err, sizeof(err));
	ok(r == 0, "the written full job parses back (%s)", err);
	ok(r == 0 && same(&a, &b), "every field survives the round trip");
	t2 = written(&b, 1);
	is_str(t2, t1, "writing it again gives the same text");
	t3 = written(&b, 0);
	ok(strstr(t3, "password") == NULL && strstr(t3, "p\\\"w") == NULL,
	    "with_password 0 leaves the password out");
	ok(strstr(t1, "\"password\": ") != NULL, "with_password 1 keeps it");
	free(t1);
	free(t2);
	free(t3);
	job_free(&a);
	job_free(&b);
	ok(a.type == NULL && a.result.callback_sent == -1,
	    "job_free leaves a clean, initialized job");
}

static void
test_minimal(void)
{
	const char *t = "{ \"type\": \"Invoices\" }";
	const char *t2 = "{\"type\":\"Patients\",\"format\":\"csv\","
	    "\"params\":{\"n\":5,\"b\":true,\"f\":-1.5e3,\"s\":\"x\"},"
	    "\"password\":null,\"attempts\":0}";
	char err[ERRLEN] = "", *w;
	struct job j;
	int r;

	r = job_parse(&j, t, strlen(t), err, sizeof(err));
	ok(r == 0 && strcmp(j.type, "Invoices") == 0 && j.id[0] == '\0' &&
	    j.format == FMT_NONE && j.attempts == 0 && j.created == 0 &&
	    j.result.present == 0 && j.result.callback_sent == -1 &&
	    j.result.email_sent == -1 && j.webhook.state == NS_NONE,
	    "a dropped {\"type\": ...} parses with everything else unset");
	w = written(&j, 1);
	is_str(w, "{\n  \"type\": \"Invoices\",\n  \"attempts\": 0\n}\n",
	    "a minimal job is written with only what is set");
	free(w);
	job_free(&j);
	r = job_parse(&j, t2, strlen(t2), err, sizeof(err));
	ok(r == 0 && j.format == FMT_CSV, "\"format\" is read in any case "
	    "(%s)", err);
	ok(r == 0 && j.nparams == 4 && strcmp(j.params[0].value, "5") == 0 &&
	    strcmp(j.params[1].value, "true") == 0 &&
	    strcmp(j.params[2].value, "-1.5e3") == 0 &&
	    strcmp(j.params[3].value, "x") == 0,
	    "number and boolean parameters are kept as their text");
	ok(r == 0 && j.password == NULL, "a null field counts as absent");
	job_free(&j);
}

static void
test_extras(void)
{
	const char *t = "{\"zeta\": {\"a\": [1, 2.5e-3, null], \"b\": "
	    "\"\\u00e9\\n\"}, \"type\": \"T\", \"x-str\": \"q\\\"\\u20ac\", "
	    "\"newer\": [true,false], \"n\": -0.0}";
	char err[ERRLEN] = "", *w, *w2;
	struct job j, k;
	int r;

	r = job_parse(&j, t, strlen(t), err, sizeof(err));
	ok(r == 0 && j.nextras == 4, "unknown fields are kept as extras (%s)",
	    err);
	if (r != 0)
		return;
	is_str(j.extras[0].json, "{\"a\": [1, 2.5e-3, null], \"b\": "
	    "\"\\u00e9\\n\"}", "an unknown object is kept verbatim");
	is_str(j.extras[1].json, "\"q\\\"\\u20ac\"",
	    "an unknown string is kept verbatim, escapes and quotes included");
	w = written(&j, 1);
	ok(strstr(w, "\"zeta\": {\"a\": [1, 2.5e-3, null], \"b\": "
	    "\"\\u00e9\\n\"}") != NULL && strstr(w, "\"newer\": [true,false]")
	    && strstr(w, "\"n\": -0.0\n}"), "unknown fields are written back");
	r = job_parse(&k, w, strlen(w), err, sizeof(err));
	w2 = r == 0 ? written(&k, 1) : xstrdup("");
	is_str(w2, w, "and survive a second round trip unchanged");
	free(w);
	free(w2);
	job_free(&j);
	job_free(&k);
}

/* refused - job_parse fails with a reason holding want */
static void
refused(const char *t, size_t n, const char *want, const char *why)
{
	char err[ERRLEN] = "";
	struct job j;
	int r;

	r = job_parse(&j, t, n, err, sizeof(err));
	ok(r == -1 && strstr(err, want) != NULL, "refuses %s", why);
	if (r != -1 || strstr(err, want) == NULL)
		printf("#   err: '%s' (want '%s')\n", err, want);
	if (r == 0)
		job_free(&j);
	else
		ok(j.type == NULL && j.nextras == 0 && j.nparams == 0,
		    "  ... and leaves the job empty");
}

#define REFUSED(t, want, why)	refused(t, sizeof(t) - 1, want, why)

static void
test_refused(void)
{
	char deep[2 * 300 + 40];
	size_t i, n;

	REFUSED("", "not valid JSON", "an empty file");
	REFUSED("{\"type\":\"T\"", "end of input", "a truncated file");
	REFUSED("[{\"type\":\"T\"}]", "JSON object", "an array");
	REFUSED("\"T\"", "JSON object", "a string");
	REFUSED("42", "JSON object", "a number");
	REFUSED("{\"type\":\"T\"} {}", "more than one", "two values");
	REFUSED("{\"type\":\"T\"}x", "not valid JSON", "trailing data");
	REFUSED("{\"type\":\"T\"}\n\0", "NUL", "a trailing NUL");
	REFUSED("{\"type\":\"T\",\"type\":\"U\"}", "\"type\": duplicate",
	    "a duplicate key");
	REFUSED("{\"type\":\"T\",\"x\":1,\"x\":2}", "\"x\": duplicate",
	    "a duplicate unknown key");
	REFUSED("{\"type\":\"T\",\"t\\u0079pe\":\"U\"}", "duplicate",
	    "a duplicate key spelt with an escape");
	REFUSED("{\"type\":\"T\",\"params\":{\"a\":\"1\",\"a\":\"2\"}}",
	    "\"params.a\": duplicate", "a duplicate parameter");
	REFUSED("{\"type\":\"T\",\"result\":{\"success\":true,"
	    "\"success\":false}}", "\"result.success\": duplicate",
	    "a duplicate key in result");
	REFUSED("{}", "\"type\" is missing", "a missing type");
	REFUSED("{\"type\":null}", "\"type\" is missing", "a null type");
	REFUSED("{\"type\":\"\"}", "\"type\"", "an empty type");
	REFUSED("{\"type\":\"../x\"}", "\"type\": not a legal",
	    "a type with a slash");
	REFUSED("{\"type\":\"T\",\"id\":\"../etc\"}", "\"id\": not a legal",
	    "a path in the id");
	REFUSED("{\"type\":\"T\",\"id\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "\"id\"", "an over-long id");
	REFUSED("{\"type\":\"T\",\"format\":\"XML\"}", "\"format\": must be",
	    "an unknown format");
	REFUSED("{\"type\":\"T\",\"created\":\"yesterday\"}",
	    "\"created\": must be an ISO 8601", "a malformed time");
	REFUSED("{\"type\":\"T\",\"created\":\"2026-02-30T00:00:00Z\"}",
	    "\"created\"", "an impossible date");
	REFUSED("{\"type\":\"T\",\"attempts\":-1}", "\"attempts\": must be a "
	    "non-negative integer", "negative attempts");
	REFUSED("{\"type\":\"T\",\"attempts\":1.5}", "\"attempts\"",
	    "fractional attempts");
	REFUSED("{\"type\":\"T\",\"attempts\":99999999999}", "\"attempts\"",
	    "attempts beyond int");
	REFUSED("{\"type\":\"T\",\"params\":{\"a\":{\"b\":1}}}",
	    "\"params.a\": must be a string", "a nested parameter value");
	REFUSED("{\"type\":\"T\",\"params\":{\"a\":null}}",
	    "\"params.a\": must be a string", "a null parameter value");
	REFUSED("{\"type\":\"T\",\"params\":{\"a b\":\"1\"}}",
	    "\"params.a b\": not a legal parameter name",
	    "an illegal parameter name");
	REFUSED("{\"type\":\"T\",\"params\":[\"a\"]}", "\"params\": must be "
	    "an object", "params as an array");
	REFUSED("{\"type\":\"T\",\"email\":\"a\\u0000b\"}", "\"email\": holds "
	    "a NUL", "\\u0000 in a string field");
	REFUSED("{\"type\":\"T\",\"result\":{\"errors\":[\"a\",1]}}",
	    "\"result.errors\": must be an array of strings; element 1",
	    "a number among the errors");
	REFUSED("{\"type\":\"T\",\"result\":{\"callbackSent\":\"yes\"}}",
	    "\"result.callbackSent\": must be true or false, not a string",
	    "a string for a boolean");
	REFUSED("{\"type\":\"T\",\"result\":5}", "\"result\": must be an "
	    "object, not a number", "a number for result");
	REFUSED("{\"type\":\"T\",\"notify\":{\"webhook\":{\"state\":\"lost\"}}}",
	    "\"notify.webhook.state\": must be", "an unknown notify state");
	REFUSED("{\"type\":\"T\",\"notify\":{\"email\":{\"tries\":\"3\"}}}",
	    "\"notify.email.tries\": must be a non-negative integer, not a "
	    "string", "a string for notify tries");
	REFUSED("{\"type\":\"T\",\"progress\":{\"records\":true}}",
	    "\"progress.records\"", "a boolean for progress records");
	REFUSED("{\"type\":\"T\",\"client\":\"\xc3\x28\"}", "UTF-8",
	    "invalid UTF-8");
	REFUSED("{\"type\":\"T\",\"client\":\"\xc0\x80\"}", "UTF-8",
	    "an overlong NUL");
	REFUSED("{\"type\":\"T\",\"client\":\"\xed\xb0\x80\"}", "UTF-8",
	    "a surrogate encoded in UTF-8");
	REFUSED("{\"type\":\"T\",\"client\":\"\\udc00\"}", "surrogate",
	    "a lone surrogate escape");
	REFUSED("{\"type\":\"T\",\"client\":\"a\nb\"}", "control character",
	    "a raw newline in a string");
	REFUSED("{\"type\":\"T\",\"client\":\"\\q\"}", "invalid escape",
	    "a bad escape");
	REFUSED("{\"type\":tru}", "tru", "tru");
	REFUSED("{\"type\":\"T\",\"attempts\":1.2.3e}", "1.2.3e", "1.2.3e");
	REFUSED("{\"type\":\"T\",\"x\":[1,2,]}", "trailing comma", "[1,2,]");
	REFUSED("{\"type\":\"T\" \"x\":1}", "expected", "a missing comma");
	/* every string field refuses every other JSON type */
	{
		static const char *const strs[] = { "type", "password",
		    "email", "callback", "client", "idempotencyKey",
		    "requestHash", "node", "cancelledBy", "id", "format",
		    "created", "nextAttempt" };
		static const char *const vals[] = { "1", "true", "[]", "{}" };
		char t[128], want[64];
		size_t k;
		int all = 1, r;
		struct job j;
		char err[ERRLEN];

		for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			for (k = 0; k < 4; k++) {
				n = (size_t)snprintf(t, sizeof(t), "{%s\"%s\":%s}",
				    strcmp(strs[i], "type") ? "\"type\":\"T\"," :
				    "", strs[i], vals[k]);
				snprintf(want, sizeof(want), "\"%s\"", strs[i]);
				r = job_parse(&j, t, n, err, sizeof(err));
				if (r == 0 || strstr(err, want) == NULL) {
					printf("#   %s -> %s\n", t, err);
					all = 0;
				}
				if (r == 0)
					job_free(&j);
			}
		ok(all, "every string field refuses a number, boolean, array "
		    "and object, naming the field");
	}
	n = 0;
	n += (size_t)snprintf(deep, sizeof(deep), "{\"type\":\"T\",\"x\":");
	for (i = 0; i < 300; i++)
		deep[n++] = '[';
	for (i = 0; i < 300; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	refused(deep, n, "nesting", "deep nesting");
}

static void
test_states(void)
{
	int s, all = 1;

	for (s = 0; s < NSTATES; s++)
		if (state_parse(state_name(s)) != s ||
		    state_parse(state_dir(s)) != s)
			all = 0;
	ok(all, "state_parse inverts state_name and state_dir");
	is_str(state_name(ST_PROCESSING), "PROCESSING", "state_name");
	is_str(state_dir(ST_CANCELLED), "cancelled", "state_dir");
	ok(state_parse("Completed") == ST_COMPLETED, "state_parse ignores case");
	ok(state_parse("done") == -1 && state_parse("") == -1,
	    "state_parse refuses an unknown state");
}

static void
test_helpers(void)
{
	struct job j;

	job_init(&j);
	job_set_param(&j, "a", "1");
	job_set_param(&j, "b", "2");
	job_set_param(&j, "a", "3");
	ok(j.nparams == 2 && strcmp(j.params[0].value, "3") == 0,
	    "job_set_param replaces a parameter of the same name");
	job_add_error(&j, "boom");
	ok(j.result.nerrors == 1 && j.result.present,
	    "job_add_error adds a line to the result");
	job_free(&j);
	{
		char err[ERRLEN] = "", *w;
		struct job k;
		int r;

		job_init(&j);
		j.type = xstrdup("T");
		job_add_error(&j, "latin-1 stderr: caf\xe9\x01");
		job_set_param(&j, "p", "\xff");
		w = written(&j, 1);
		r = job_parse(&k, w, strlen(w), err, sizeof(err));
		ok(r == 0 && strcmp(k.result.errors[0],
		    "latin-1 stderr: caf\xef\xbf\xbd\x01") == 0 &&
		    strcmp(k.params[0].value, "\xef\xbf\xbd") == 0,
		    "invalid UTF-8 in a field is written as U+FFFD and the "
		    "file parses back (%s)", err);
		free(w);
		if (r == 0)
			job_free(&k);
		job_free(&j);
		r = job_parse(&k, "\xef\xbb\xbf{\"type\":\"T\"}", 15, err,
		    sizeof(err));
		ok(r == 0, "a leading UTF-8 BOM is skipped (%s)", err);
		if (r == 0)
			job_free(&k);
	}
}

int
main(void)
{
	test_round_trip();
	test_minimal();
	test_extras();
	test_refused();
	test_states();
	test_helpers();
	return done_testing();
}
