/* t-notify.c - unit tests of notify.c's pure parts: the Standard Webhooks
 * signature, the webhook body, the mail text; and notifyq_prepare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "xspool.h"

/* The example of the Standard Webhooks specification's test suite. */
#define SW_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SW_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SW_TS		1614265330
#define SW_BODY		"{\"test\": 2432232314}"
#define SW_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

static void
test_sign(void)
{
	char sig[128], err[ERRLEN];

	ok(notify_sign(SW_SECRET, SW_ID, SW_TS, SW_BODY, strlen(SW_BODY), sig,
	    sizeof(sig), err, sizeof(err)) == 0, "sign the spec's example");
	is_str(sig, SW_SIG, "the spec's expected signature");
	ok(notify_sign(SW_SECRET + 6, SW_ID, SW_TS, SW_BODY, strlen(SW_BODY),
	    sig, sizeof(sig), err, sizeof(err)) == 0 &&
	    strcmp(sig, SW_SIG) == 0, "the whsec_ prefix is optional");
	ok(notify_sign(SW_SECRET, SW_ID, SW_TS + 1, SW_BODY, strlen(SW_BODY),
	    sig, sizeof(sig), err, sizeof(err)) == 0 &&
	    strcmp(sig, SW_SIG) != 0, "another timestamp, another signature");
	ok(notify_sign(SW_SECRET, SW_ID, SW_TS, SW_BODY, strlen(SW_BODY) - 1,
	    sig, sizeof(sig), err, sizeof(err)) == 0 &&
	    strcmp(sig, SW_SIG) != 0, "another body, another signature");
	ok(notify_sign("whsec_c2VjcmV0", "msg_1", 1, "{}", 2, sig,
	    sizeof(sig), err, sizeof(err)) == 0 &&
	    notify_sign("whsec_c2Vj=mV0", "msg_1", 1, "{}", 2, err,
	    sizeof(err), err, sizeof(err)) == -1,
	    "unpadded base64 is taken; padding in the middle is not");
	ok(notify_sign("whsec_not*base64", "msg_1", 1, "{}", 2, sig,
	    sizeof(sig), err, sizeof(err)) == -1 && strstr(err, "base64"),
	    "a secret that is not base64 is refused: %s", err);
	ok(notify_sign("whsec_", "msg_1", 1, "{}", 2, sig, sizeof(sig), err,
	    sizeof(err)) == -1, "an empty secret is refused");
}

/* sample - a completed export, read from its job file's text */
static void
sample(struct job *j)
{
	static const char text[] = "{\"type\": \"Invoices\", "
	    "\"format\": \"CSV\", \"email\": \"ops@example.com\", "
	    "\"callback\": \"https://hooks.example.com/x\", \"attempts\": 1, "
	    "\"result\": {\"success\": true, \"durationMs\": 5321, "
	    "\"fileName\": \"Invoices.csv\", \"fileSizeBytes\": 812345, "
	    "\"records\": 120000}}";
	char err[ERRLEN];

	job_init(j);
	if (job_parse(j, text, strlen(text), err, sizeof(err)) == -1)
		fprintf(stderr, "# sample: %s\n", err);
	snprintf(j->id, sizeof(j->id), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
}

static void
test_body(void)
{
	struct job j;
	struct buf b;

	sample(&j);
	buf_init(&b);
	notify_webhook_body(&j, ST_COMPLETED, &b);
	is_str(b.p, "{\"idExportJob\":\"3fa85f64-5717-4562-b3fc-2c963f66afa6\","
	    "\"exportType\":\"Invoices\",\"success\":true,\"status\":"
	    "\"COMPLETED\",\"errorMessages\":[],\"durationMs\":5321,"
	    "\"fileName\":\"Invoices.csv\",\"fileSizeBytes\":812345}",
	    "COMPLETED body: exactly the eight fields");
	job_add_error(&j, "exit status 3");
	job_add_error(&j, "line \"2\": bad\n\tvalue");
	j.result.success = 0;
	buf_reset(&b);
	notify_webhook_body(&j, ST_FAILED, &b);
	is_str(b.p, "{\"idExportJob\":\"3fa85f64-5717-4562-b3fc-2c963f66afa6\","
	    "\"exportType\":\"Invoices\",\"success\":false,\"status\":"
	    "\"FAILED\",\"errorMessages\":[\"exit status 3\",\"line \\\"2\\\": "
	    "bad\\n\\tvalue\"],\"durationMs\":5321,\"fileName\":null,"
	    "\"fileSizeBytes\":null}",
	    "FAILED body: errors escaped, no file");
	buf_reset(&b);
	notify_webhook_body(&j, ST_PROCESSING, &b);
	ok(strstr(b.p, "\"status\":\"FAILED\"") != NULL,
	    "a failed attempt's job that moved on is still a FAILED event");
	job_free(&j);

	sample(&j);
	j.result.present = 0;
	j.result.success = 0;
	j.cancelled_by = xstrdup("user");
	buf_reset(&b);
	notify_webhook_body(&j, ST_CANCELLED, &b);
	ok(strstr(b.p, "\"success\":false,\"status\":\"CANCELLED\","
	    "\"errorMessages\":[\"cancelled by user\"],\"durationMs\":0") !=
	    NULL, "CANCELLED by a user says so: %s", b.p);
	job_free(&j);
	buf_free(&b);
}

/* header - the value of header name in the mail m, or "" */
static const char *
header(const char *m, const char *name, char *out, size_t size)
{
	const char *p = m, *e;
	size_t n = strlen(name);

	out[0] = '\0';
	while (p && *p && strncmp(p, "\r\n", 2) != 0) {
		if (strncmp(p, name, n) == 0 && p[n] == ':') {
			e = strstr(p, "\r\n");
			snprintf(out, size, "%.*s", (int)(e - p - n - 2),
			    p + n + 2);
			break;
		}
		p = strstr(p, "\r\n");
		p = p ? p + 2 : NULL;
	}
	return out;
}

static void
test_mail(void)
{
	struct config c;
	struct job j;
	struct buf b;
	char h[512], big[2000];
	const char *p;
	int bare = 0, longest = 0, n = 0;

	memset(&c, 0, sizeof(c));
	c.from = "xspool <xspool@example.org>";
	c.base_url = "https://x.example.org";
	sample(&j);
	buf_init(&b);
	memset(big, 'e', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '\033';
	job_add_error(&j, big);
	notify_email_message(&c, &j, ST_COMPLETED, 1796000000000LL, &b);
	is_str(header(b.p, "From", h, sizeof(h)), "xspool <xspool@example.org>",
	    "From");
	is_str(header(b.p, "To", h, sizeof(h)), "ops@example.com", "To");
	is_str(header(b.p, "Subject", h, sizeof(h)),
	    "Export Invoices 3fa85f64 completed", "Subject");
	is_str(header(b.p, "Date", h, sizeof(h)),
	    "Mon, 30 Nov 2026 00:53:20 +0000", "Date in RFC 5322 form");
	ok(strncmp(header(b.p, "Message-ID", h, sizeof(h)),
	    "<3fa85f64-5717-4562-b3fc-2c963f66afa6.", 38) == 0 &&
	    strstr(h, "@example.org>") != NULL, "Message-ID: %s", h);
	is_str(header(b.p, "MIME-Version", h, sizeof(h)), "1.0", "MIME");
	is_str(header(b.p, "Content-Type", h, sizeof(h)),
	    "text/plain; charset=UTF-8", "Content-Type");
	is_str(header(b.p, "Content-Transfer-Encoding", h, sizeof(h)), "8bit",
	    "Content-Transfer-Encoding");
	ok(strstr(b.p, "\r\nRecords:   120000\r\n") &&
	    strstr(b.p, "\r\nSize:      812345 bytes") &&
	    strstr(b.p, "\r\nDuration:  5.321 s\r\n") &&
	    strstr(b.p, "\r\nStatus:    COMPLETED\r\n"),
	    "body: status, records, size, duration");
	ok(strstr(b.p, "https://x.example.org/api/v1/ExportResult/Download/"
	    "3fa85f64-5717-4562-b3fc-2c963f66afa6\r\n") &&
	    strstr(b.p, "xspool download 3fa85f64-5717-4562-b3fc-"
	    "2c963f66afa6\r\n"), "body: how to download");
	for (p = b.p; *p; p++) {
		if (*p == '\n' && (p == b.p || p[-1] != '\r'))
			bare++;
		if (*p == '\n') {
			longest = n > longest ? n : longest;
			n = 0;
		} else
			n++;
		if (*p == '\033')
			bare++;
	}
	ok(bare == 0, "CRLF lines only, no control characters");
	ok(longest < 998, "no line over 998 octets (%d)", longest);

	free(j.type);
	j.type = xstrdup("Rechnungen\xc3\xbc");
	buf_reset(&b);
	notify_email_message(&c, &j, ST_CANCELLED, 1796000000000LL, &b);
	is_str(header(b.p, "Subject", h, sizeof(h)),
	    "=?UTF-8?B?RXhwb3J0IFJlY2hudW5nZW7DvCAzZmE4NWY2NCBjYW5jZWxsZWQ=?=",
	    "a non-ASCII subject is RFC 2047 encoded");
	ok(strstr(b.p, "Download") == NULL, "no download for a cancel");
	ok(strstr(b.p, "\r\nReason:    cancelled by user\r\n") != NULL,
	    "a user's cancel says so");
	j.cancelled_by = xstrdup("attempts");
	buf_reset(&b);
	notify_email_message(&c, &j, ST_CANCELLED, 1796000000000LL, &b);
	ok(strstr(b.p, "\r\nReason:    cancelled after the last attempt\r\n")
	    != NULL, "a cancel after the last attempt says so");
	c.from = "Exporte M\xc3\xbcller <x@example.org>";
	buf_reset(&b);
	notify_email_message(&c, &j, ST_CANCELLED, 1796000000000LL, &b);
	is_str(header(b.p, "From", h, sizeof(h)),
	    "=?UTF-8?B?RXhwb3J0ZSBNw7xsbGVy?= <x@example.org>",
	    "a non-ASCII display name in From is RFC 2047 encoded");
	job_free(&j);
	buf_free(&b);
}

static void
test_prepare(void)
{
	struct job j;
	char *first;

	sample(&j);
	ok(notifyq_prepare(NULL, &j, ST_COMPLETED) == 1, "prepare COMPLETED");
	ok(j.webhook.state == NS_PENDING && j.mail.state == NS_PENDING &&
	    j.result.callback_sent == 0 && j.result.email_sent == 0,
	    "both pending, not sent yet");
	ok(j.webhook.msg_id && strncmp(j.webhook.msg_id, "msg_", 4) == 0 &&
	    strlen(j.webhook.msg_id) == 36, "webhook-id msg_ + 32 hex");
	first = xstrdup(j.webhook.msg_id);
	ok(notifyq_prepare(NULL, &j, ST_CANCELLED) == 1 &&
	    strcmp(first, j.webhook.msg_id) != 0, "a new event, a new id");
	ok(notifyq_prepare(NULL, &j, ST_FAILED) == 0,
	    "a failed attempt is not notified without notify_each_failure");
	free(first);
	free(j.callback);
	j.callback = NULL;
	job_free(&j);
	sample(&j);
	free(j.callback);
	j.callback = NULL;
	ok(notifyq_prepare(NULL, &j, ST_COMPLETED) == 1 &&
	    j.webhook.state == NS_NONE && j.result.callback_sent == -1,
	    "no callback: no webhook");
	job_free(&j);
	is_str(state_name(notify_event_state(ST_QUEUED)), "FAILED",
	    "event of a job retried since: FAILED");
}

/* notifyq_delay - doubling from webhook_retry_base, +-20% jitter */
static void
test_delay(void)
{
	struct config c;
	int64_t d, lo, hi, prev_hi = 0, base = 10000;
	int tries, i, inside, grows, distinct;

	memset(&c, 0, sizeof(c));
	c.webhook_retry_base_ms = base;
	for (tries = 1; tries <= 5; tries++) {
		lo = hi = notifyq_delay(&c, tries, 0);
		for (i = 0; i < 2000; i++) {
			d = notifyq_delay(&c, tries, 0);
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		d = base << (tries - 1);
		inside = lo >= d * 8 / 10 && hi <= d * 12 / 10;
		grows = lo > prev_hi;
		distinct = hi - lo > d * 3 / 10;
		ok(inside, "try %d: delays within %lld ms +-20%%: %lld..%lld",
		    tries, (long long)d, (long long)lo, (long long)hi);
		ok(distinct, "... jittered (spread %lld ms)",
		    (long long)(hi - lo));
		ok(grows, "... all longer than every delay before");
		prev_hi = hi;
	}
	ok(notifyq_delay(&c, 1, 7000) == 7000 &&
	    notifyq_delay(&c, 3, 1000) == 1000,
	    "Retry-After is taken as it is, whatever the try");
	ok(notifyq_delay(&c, 40, 0) <= 24 * 3600 * 1200LL &&
	    notifyq_delay(&c, 1000, 0) >= 24 * 3600 * 800LL,
	    "never more than a day (+20%%), even after many tries");
	c.webhook_retry_base_ms = 0;
	d = notifyq_delay(&c, 1, 0);
	ok(d >= 800 && d <= 1200, "webhook_retry_base 0: about a second");
}

/* notifyq_prepare with a queue leaves the hint before the daemon moves */
static void
test_hint_first(void)
{
	char dir[] = "/tmp/t-notify.XXXXXX", path[256], err[ERRLEN];
	struct config c;
	struct spool sp;
	struct notifyq *q;
	struct job j;

	memset(&c, 0, sizeof(c));
	ok(mkdtemp(dir) != NULL, "a temporary spool");
	ok(spool_open(&sp, dir, "n1", -1, 0, 1, err, sizeof(err)) == 0,
	    "spool_open: %s", err);
	q = notifyq_new(&sp, &c);
	sample(&j);
	ok(notifyq_prepare(q, &j, ST_FAILED) == 0 &&
	    j.webhook.state == NS_NONE, "FAILED without notify_each_failure");
	snprintf(path, sizeof(path), "%s/notify/n1/%s", dir, j.id);
	ok(access(path, F_OK) == -1, "... no hint");
	c.notify_each_failure = 1;
	ok(notifyq_prepare(q, &j, ST_FAILED) == 1, "FAILED with it");
	ok(access(path, F_OK) == 0, "the hint is written by notifyq_prepare");
	unlink(path);
	notifyq_free(q);
	spool_close(&sp);
	job_free(&j);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ok(system(path) == 0, "cleaned up");
}

int
main(void)
{
	test_sign();
	test_body();
	test_mail();
	test_prepare();
	test_delay();
	test_hint_first();
	return done_testing();
}
