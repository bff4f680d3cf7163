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

/* view_result - the result object of a status answer */
static void
view_result(struct buf *b, const struct result *res)
{
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
	buf_addf(b, "],\"durationMs\":%" PRId64 ",\"fileSizeBytes\":%" PRId64
	    ",\"callbackSent\":", res->duration_ms, res->file_size);
	view_sent(b, res->callback_sent);
	buf_adds(b, ",\"notifyEmailSent\":");
	view_sent(b, res->email_sent);
	buf_adds(b, ",\"fileName\":");
	view_str(b, res->file_name);
	buf_addf(b, ",\"records\":%" PRId64 "}", res->records);
}

/* view_head - the members every job answer opens with, up to "status" */
static void
view_head(struct buf *b, const char *id, const char *type, enum format f)
{
	buf_adds(b, "{\"id\":");
	view_str(b, id);
	buf_adds(b, ",\"exportType\":");
	view_str(b, type);
	buf_adds(b, ",\"format\":");
	view_str(b, format_name(f ? f : FMT_JSON));
	buf_adds(b, ",\"status\":");
}

void
view_queued(struct buf *b, const char *id, const char *type, enum format f,
    int64_t created)
{
	view_head(b, id, type, f);
	buf_adds(b, "\"QUEUED\",\"created\":");
	view_time(b, created);
	buf_addc(b, '}');
}

void
view_job(struct buf *b, const struct job *j, enum state st)
{
	view_head(b, j->id, j->type, j->format);
	view_str(b, state_name(st));
	buf_adds(b, ",\"created\":");
	view_time(b, j->created);
	buf_adds(b, ",\"started\":");
	view_time(b, j->started);
	buf_adds(b, ",\"finished\":");
	view_time(b, j->finished);
	buf_addf(b, ",\"attempts\":%d,\"progress\":", j->attempts);
	if (j->has_progress)
		buf_addf(b, "{\"records\":%" PRId64 ",\"bytes\":%" PRId64 "}",
		    j->progress_records, j->progress_bytes);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"result\":");
	view_result(b, &j->result);
	buf_addc(b, '}');
}
