/* api_reply.c - how the REST shim answers: every response goes out through
 * reply(), which adds X-Request-Id and Cache-Control and notes the status
 * and length for the access log; errors have one JSON shape. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

/* body_resp - a response that takes body; its length for the log */
static struct MHD_Response *
body_resp(struct rctx *x, struct buf *body)
{
	size_t len = body->len;

	x->r->bytes = x->head ? 0 : len;
	return MHD_create_response_from_buffer(len, buf_steal(body),
	    MHD_RESPMEM_MUST_FREE);
}

/* reply - queue body (taken) with the headers every answer carries */
enum MHD_Result
reply(struct rctx *x, unsigned status, struct buf *body, const char *ctype,
    struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL && (resp = body_resp(x, body)) == NULL)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    ctype);
	MHD_add_response_header(resp, "X-Request-Id", x->r->id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	x->r->status = status;
	ret = MHD_queue_response(x->c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
reply_json(struct rctx *x, unsigned status, struct buf *body)
{
	buf_addc(body, '\n');
	return reply(x, status, body, "application/json", NULL);
}

/* reply_errx - {"Code", "Message"} plus extra members (JSON text or NULL)
 * and one more header (or NULL) */
enum MHD_Result
reply_errx(struct rctx *x, unsigned status, const char *code,
    const char *extra, const char *hname, const char *hval,
    const char *fmt, ...)
{
	struct MHD_Response *resp;
	char msg[ERRLEN];
	struct buf b;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_init(&b);
	buf_adds(&b, "{\"Code\":");
	json_quote(&b, code, strlen(code));
	buf_adds(&b, ",\"Message\":");
	json_quote(&b, msg, strlen(msg));
	if (extra) {
		buf_addc(&b, ',');
		buf_adds(&b, extra);
	}
	buf_adds(&b, "}\n");
	if ((resp = body_resp(x, &b)) == NULL)
		return MHD_NO;
	if (hname)
		MHD_add_response_header(resp, hname, hval);
	return reply(x, status, NULL, "application/json", resp);
}
