#!/bin/sh
# t0586-httpd-oversize - every request libmicrohttpd cannot hold in a
# connection's memory gets a prompt 4xx, not silence until the timeout:
# many query parameters (600 of them went unanswered for request_timeout,
# then the connection closed empty), bare "a&a&..." queries, many headers,
# one huge header, many cookies, a long URL, many chunked trailers.
# request_timeout is 60 s and each request may take 15 s: an answer that
# comes at all is one MHD did not lose.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf "request_timeout = 60s"
A=$(newkey erp)
hstart
P=/api/v1/ExportRequest/Patients

# query N [bare] : N parameters pN=1 (or bare "a") joined by "&"
query() {
	/usr/bin/python3 -c 'import sys; n = int(sys.argv[1]); bare = sys.argv[2:] == ["bare"]
print("&".join("a" if bare else "p%d=1" % i for i in range(n)))' "$@"
}
alive() {
	[ "$(curl -s -m 15 -o /dev/null -w '%{http_code}' "$URL/livez")" = 200 ]
}

for n in 65 460 600 2000; do
	req POST "$P?$(query $n)" -m 15 -H "X-Api-Key: $A"
	errcheck 400 INVALID_PARAMETER "$n query parameters: 400"
done
for n in 600 4000; do
	req GET "/livez?$(query $n bare)" -m 15
	errcheck 400 INVALID_PARAMETER "$n bare query parameters (a&a&...): 400"
done
req GET "/livez?$(query 64)" -m 15
is "$CODE" 200 "64 query parameters are not refused"
req POST "$P?$(query 33)" -m 15 -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "33 exporter parameters: 400 (the API's own limit)"
ls "$SPOOL/queued" > "$T/q"
ok "none of them queued a job" test ! -s "$T/q"

# status CURL-ARGS... : the status of a GET /livez (000: no answer)
status() {
	curl -s -m 15 -o /dev/null -w '%{http_code}' "$@"
}
/usr/bin/python3 -c 'for i in range(2000): print("X-H%d: v" % i)' > "$T/hdrs"
# a 40 KB request line does not fit a connection's memory: libmicrohttpd
# answers 414 itself, without JSON (xspool-httpd(8) says so); not captured
is "$(status -X POST -H "X-Api-Key: $A" "$URL$P?$(query 5000)")" 414 \
    "5000 query parameters (a 40 KB request line): 414"
is "$(status -H @"$T/hdrs" "$URL/livez")" 431 "2000 headers: 431"
/usr/bin/python3 -c 'for i in range(300): print("X-H%d: v" % i)' > "$T/hdrs"
is "$(status -H @"$T/hdrs" "$URL/livez")" 200 "300 headers are served"
for n in 20000 100000; do
	is "$(status -H "X-Big: $(head -c $n /dev/zero | tr '\0' b)" \
	    "$URL/livez")" 431 "one header of $n bytes: 431"
done
c=$(/usr/bin/python3 -c 'print("; ".join("c%d=1" % i for i in range(1500)))')
is "$(status -H "Cookie: $c" "$URL/livez")" 431 "1500 cookies: 431"
for n in 20000 100000; do
	is "$(status "$URL/api/v1/ExportResult/Status/$(head -c $n /dev/zero |
	    tr '\0' a)")" 414 "a URL of $n bytes: 414"
done

# raw REQUEST-PYTHON-EXPR : send it, print the status line (or "closed")
raw() {
	/usr/bin/python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
try:
    s.sendall(eval(sys.argv[2]))
    d = b""
    while b"\r\n" not in d:
        c = s.recv(4096)
        if not c:
            break
        d += c
    print(d.split(b"\r\n")[0].decode() or "closed")
except OSError as e:
    print("error", e)
PY
}
is "$(raw 'b"POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n" + b"".join(b"T%d: v\r\n" % i for i in range(3000)) + b"\r\n"')" \
    "HTTP/1.1 431 Request Header Fields Too Large" "3000 chunked trailers: 431"
is "$(raw 'b"GET /livez?" + b"&".join(b"p%d=1" % i for i in range(600)) + b" HTTP/1.1\r\nHost: x\r\n\r\n"')" \
    "HTTP/1.1 400 Bad Request" "600 parameters, raw: 400"
ok "the server lives" alive

openapi_check
stop httpd
is "$?" 0 "exits 0 on SIGTERM (no crash, no leak under ASan)"
done_testing
