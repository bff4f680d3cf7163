#!/bin/sh
# t0550 - the access log (one line per request, request id, key
# id, no query string, never a password or secret), /healthz, /metrics,
# SIGHUP re-reading the config (keys need none), SIGTERM letting a running
# download finish before exiting 0.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
A=$(newkey erp)
ASEC=${A#*.}
hstart
P=/api/v1/ExportRequest

req POST "$P/Patients?password=Query-Pw-1&email=a@example.com&x=1" \
    -H "X-Api-Key: $A"
ID=$(jf .id)
RID=$(hdr X-Request-Id)
req POST "$P/Patients?x=2" -H "X-Api-Key: $A" -H "X-Export-Password: Hdr-Pw-2"
req GET "/api/v1/ExportResult/Status/$ID" -H "X-Api-Key: $A"
ok "the status answer has no password" sh -c "! grep -q 'Query-Pw-1' '$T/body'"
req GET /api/v1/Identity -H "X-Api-Key: ${A%%.*}.wrongsecretwrongsecret"
req GET "/healthz?password=Q3"

# lines are written by a thread of their own, after the answer
loglines() { [ "$(wc -l < "$T/access.log")" -ge "$1" ]; }
wait_for 10 loglines 5
ok "the access log exists" test -s "$T/access.log"
for s in Query-Pw-1 Hdr-Pw-2 "$ASEC" wrongsecretwrongsecret Q3 password= \
    a@example.com; do
	nok "the access log never holds '$s'" grep -qF -- "$s" "$T/access.log"
	nok "stderr never holds '$s'" grep -qF -- "$s" "$T/httpd.err"
done
line=$(grep -F "$RID" "$T/access.log")
ok "the line has the request id, key id, method, path, status" sh -c \
    "echo '$line' | grep -q ' 127.0.0.1 ${A%%.*} POST /api/v1/ExportRequest/Patients 200 [0-9]* [0-9.]*ms$'"
is "$(wc -l < "$T/access.log")" 5 "one line per request"

req GET /livez
is "$CODE $(jf .status)" "200 ok" "/livez: 200 ok while the server runs"
req GET /healthz
errcheck 503 NO_LIVE_NODE "/healthz with no daemon: 503 NO_LIVE_NODE (t0596)"
ls "$SPOOL/tmp" > "$T/tmpls"
ok "/healthz leaves nothing in tmp/" test ! -s "$T/tmpls"
# tmp/ gone (as root, a mode would not stop the write)
mv "$SPOOL/tmp" "$SPOOL/tmp.away"
req GET /healthz
errcheck 503 SPOOL_UNAVAILABLE "/healthz with no writable tmp/: 503"
req GET /livez
is "$CODE" 200 "/livez: still 200"
mv "$SPOOL/tmp.away" "$SPOOL/tmp"
req GET /healthz
is "$CODE $(jf .Code)" "503 NO_LIVE_NODE" \
    "/healthz: back to NO_LIVE_NODE once tmp/ is back"

req GET /metrics
is "$CODE $(hdr Content-Type)" "200 text/plain; version=0.0.4; charset=utf-8" \
    "/metrics: Prometheus text"
ok "jobs per state" grep -qx 'xspool_jobs{state="queued"} 2' "$T/body"
ok "submitted total" grep -qx 'xspool_submitted_total 2' "$T/body"
ok "requests by code" grep -qx 'xspool_http_requests_total{code="401"} 1' \
    "$T/body"
ok "a latency histogram" grep -q \
    '^xspool_http_request_duration_seconds_bucket{le="+Inf"} [0-9]' "$T/body"
ok "histogram count" grep -q '^xspool_http_request_duration_seconds_count ' \
    "$T/body"

# a key added after the start works without a signal (t0505 has more);
# SIGHUP re-reads the config
N=$(newkey late)
newkey_ok() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $N" \
	    "$URL/api/v1/Identity")" = 200 ]
}
ok "a new key works without SIGHUP" wait_for 20 newkey_ok
sed -i 's/^keys = .*/&\nrate = 2/' "$CONF"
kill -HUP "$(pid_of httpd)"
wait_for 5 grep -q reloaded "$T/httpd.err"
req GET /api/v1/Identity -H "X-Api-Key: $N"
is "$CODE $(jf .client)" "200 late" "after SIGHUP the new key still works"
req GET /api/v1/Identity -H "X-Api-Key: $N"
req GET /api/v1/Identity -H "X-Api-Key: $N"
is "$CODE" 429 "and the new rate from the config applies"
echo "[http]" >> "$CONF"
echo "bogus = 1" >> "$CONF"
kill -HUP "$(pid_of httpd)"
wait_for 5 grep -q "reload refused" "$T/httpd.err"
req GET /api/v1/Identity -H "X-Api-Key: $A"
is "$CODE" 200 "a bad config on SIGHUP is refused; the old one serves on"

# SIGTERM while a slow download runs: it completes, then the exit
mv "$SPOOL/queued/$ID.job" "$SPOOL/completed/$ID.job"
head -c 40000000 /dev/zero > "$SPOOL/out/$ID.zip"
curl -s --limit-rate 25M -o "$T/dl" -H "X-Api-Key: $A" \
    "$URL/api/v1/ExportResult/Download/$ID" &
cpid=$!
# and an idle keep-alive connection, held open for 8 s
/usr/bin/python3 - "$PORT" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
s.recv(4096)
time.sleep(8)
PY
idle=$!
sleep 0.4
t0=$(date +%s)
stop httpd
st=$?
t1=$(date +%s)
wait $cpid
kill $idle 2> /dev/null
is "$st" 0 "SIGTERM: exit 0"
ok "an idle keep-alive connection does not hold the stop ($((t1 - t0)) s)" \
    test $((t1 - t0)) -le 4
ok "the download in flight completed" cmp -s "$T/dl" "$SPOOL/out/$ID.zip"
ok "its access log line is written before the exit" grep -q \
    " GET /api/v1/ExportResult/Download/$ID 200 40000000 " "$T/access.log"
nok "no new connections after the stop" curl -s -o /dev/null "$URL/livez"

openapi_check
done_testing
