/* api_view.c - the JSON bodies of the REST shim's answers about jobs: the
 * status view of a job file (never its password) and a QUEUED job as the
 * submit answer and the listing give it.  Pure: no I/O. */
#include <inttypes.h>
#include <string.h>

#include "api.h"

void
view_str(struct buf *b, const char *s)
{
	if (s)
		json_quote(b, s, strlen(s));
	else
		buf_adds(b, "null");
}

void
view_time(struct buf *b, int64_t ms)
{
	char t[32];

	if (ms)
		buf_addf(b, "\"%s\"", fmt_time(ms, t));
	else
		buf_adds(b, "null");
}

/* view_sent - callbackSent, notifyEmailSent: the job file says null
 * (-1) when none was asked for; the API's type is boolean: false */
static void
view_sent(struct buf *b, int v)
{
	buf_adds(b, v > 0 ? "true" : "false");
}

/* view_track - callbackStatus/notifyEmailStatus and the last error of a
 * notification: none (not asked for, or not due yet), pending (being
 * tried: the error is the last try's), sent, failed (given up) */
static void
view_track(struct buf *b, const char *name, int asked,
    const struct notify_track *t)
{
	static const char *const names[] = {
		[NS_NONE] = "none", [NS_PENDING] = "pending",
		[NS_SENT] = "sent", [NS_FAILED] = "failed",
	};
	unsigned s = (unsigned)t->state;

	buf_addf(b, ",\"%sStatus\":\"%s\",\"%sError\":", name,
	    asked && s <= NS_FAILED ? names[s] : "none", name);
	view_str(b, asked && s != NS_SENT ? t->error : NULL);
}

/* view_cancel - cancelReason: who cancelled a CANCELLED job ("client":
 * DELETE through the API, "user": the xspool command, "operator": an
 * operator's stop, "attempts": after its last attempt failed); null when
 * not CANCELLED or when the job file does not say */
static void
view_cancel(struct buf *b, const struct job *j, enum state st)
{
	static const char *const why[][2] = {
		{ "client", "CLIENT" }, { "user", "OPERATOR" },
		{ "operator", "OPERATOR" }, { "attempts", "ATTEMPTS" },
	};
	size_t i;

	buf_adds(b, ",\"cancelReason\":");
	if (st == ST_CANCELLED && j->cancelled_by != NULL)
		for (i = 0; i < sizeof(why) / sizeof(why[0]); i++)
			if (strcmp(j->cancelled_by, why[i][0]) == 0) {
				view_str(b, why[i][1]);
				return;
			}
	buf_adds(b, "null");	/* not cancelled, or no reason recorded */
}

/* view_result - the result object of a status answer (of a job in st) */
static void
view_result(struct buf *b, const struct job *j, enum state st)
{
	const struct result *res = &j->result;

	size_t i;

	if (!res->present) {
		buf_adds(b, "null");
		return;
	}
	buf_addf(b, "{\"success\":%s,\"errors\":[",
	    res->success ? "true" : "false");
	for (i = 0; i < res->nerrors; i++) {
		if (i)
			buf_addc(b, ',');
		view_str(b, res->errors[i]);
	}
	buf_addf(b, "],\"durationMs\":%" PRId64 ",\"fileSizeBytes\":",
	    res->duration_ms);
	/* as the webhook says it (notify.c): a size only with a zip */
	if (st == ST_COMPLETED)
		buf_addf(b, "%" PRId64, res->file_size);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"callbackSent\":");
	view_sent(b, res->callback_sent);
	view_track(b, "callback", res->callback_sent != -1, &j->webhook);
	buf_adds(b, ",\"notifyEmailSent\":");
	view_sent(b, res->email_sent);
	view_track(b, "notifyEmail", res->email_sent != -1, &j->mail);
	buf_adds(b, ",\"fileName\":");
	view_str(b, res->file_name);
	buf_addf(b, ",\"records\":%" PRId64 "}", res->records);
}

/* view_head - the members every job answer opens with, up to "format" */
static void
view_head(struct buf *b, const char *id, const char *type, enum format f)
{
	buf_adds(b, "{\"id\":");
	view_str(b, id);
	buf_adds(b, ",\"exportType\":");
	view_str(b, type);
	buf_adds(b, ",\"format\":");
	view_str(b, format_name(f ? f : FMT_JSON));
}

/* view_progress - records and bytes so far, and the records the exporter
 * announced (XSPOOL_TOTAL=N) or null; null while not PROCESSING */
static void
view_progress(struct buf *b, const struct job *j)
{
	if (!j->has_progress) {
		buf_adds(b, "null");
		return;
	}
	buf_addf(b, "{\"records\":%" PRId64 ",\"bytes\":%" PRId64
	    ",\"total\":", j->progress_records, j->progress_bytes);
	if (j->progress_total > 0)
		buf_addf(b, "%" PRId64 "}", j->progress_total);
	else
		buf_adds(b, "null}");
}

void
view_queued(struct buf *b, const char *id, const char *type, enum format f,
    int64_t created)
{
	view_head(b, id, type, f);
	buf_adds(b, ",\"status\":\"QUEUED\",\"created\":");
	view_time(b, created);
	buf_addc(b, '}');
}

void
view_job(struct buf *b, const struct job *j, enum state st)
{
	view_head(b, j->id, j->type, j->format);
	/* asked with a password: it is in the file until the zip is
	 * written, "encrypted" stays after (a file from before that key
	 * was kept says neither once its password is gone: false) */
	buf_addf(b, ",\"encrypted\":%s,\"status\":",
	    j->password != NULL || j->encrypted == 1 ? "true" : "false");
	view_str(b, state_name(st));
	buf_adds(b, ",\"created\":");
	view_time(b, j->created);
	buf_adds(b, ",\"started\":");
	view_time(b, j->started);
	buf_adds(b, ",\"finished\":");
	view_time(b, j->finished);
	buf_addf(b, ",\"attempts\":%d,\"nextAttempt\":", j->attempts);
	view_time(b, st == ST_FAILED ? j->next_attempt : 0);
	view_cancel(b, j, st);
	buf_adds(b, ",\"progress\":");
	view_progress(b, j);
	buf_adds(b, ",\"result\":");
	view_result(b, j, st);
	buf_addc(b, '}');
}
