#!/bin/sh
# t0620 - callbacks cannot reach internal services: callback_allow refuses
# other hosts at submit; at delivery the host is resolved and a private,
# loopback or link-local address is refused unless callback_allow names it.
. "$(dirname "$0")/lib.sh"

. "$TOP/tests/exporters/daemon.sh"
. "$TOP/tests/helpers/notify.sh"
ok "the receiver is listening" receiver
ID=3fa85f64-5717-4562-b3fc-2c963f66afa6

# try CONF URL : one delivery try of a completed job to URL
try() {
	printf '{"type": "Ok", "callback": "%s", "result": {"success": true}}\n' \
	    "$2" > "$T/$ID.job"
	xnotify -c "$1" webhook "$T/$ID.job" COMPLETED
}

# submit time: the allow-list and the scheme
echo "callback_allow = hooks.example.com,127.0.0.1" | types
xspool -c "$CONF" submit Ok -w http://evil.example.net/x > /dev/null 2> "$T/err"
is "$?" 2 "submit: a host outside callback_allow is refused (exit 2)"
ok "... saying why" grep -q "not in callback_allow" "$T/err"
xspool -c "$CONF" submit Ok -w ftp://hooks.example.com/x > /dev/null 2>&1
is "$?" 2 "submit: a non-http(s) callback is refused"
xspool -c "$CONF" submit Ok -w file:///etc/passwd > /dev/null 2>&1
is "$?" 2 "submit: file:// is refused"
ok "submit: an allowed host is taken" \
    sh -c "xspool -c '$CONF' submit Ok -w https://hooks.example.com/x > /dev/null"
KEY=$(xspool -c "$CONF" key add erp)
bg httpd xspool-httpd -f -c "$CONF" -p "$T/hport"
ok "the REST shim is listening" wait_for 10 test -s "$T/hport"
api() {		# api CALLBACK : the status and Code of a submit with it
	curl -s -o "$T/answer" -w '%{http_code}' -X POST -H "X-Api-Key: $KEY" \
	    "http://127.0.0.1:$(cat "$T/hport")/api/v1/ExportRequest/Ok?callback=$1"
	printf ' %s\n' "$(jq -r .Code "$T/answer" 2>/dev/null)"
}
is "$(api http://evil.example.net/x)" "400 INVALID_PARAMETER" \
    "REST: a host outside callback_allow is refused"
is "$(api 'http://hooks.example.com.evil.example.net/x')" "400 INVALID_PARAMETER" \
    "REST: a suffix trick is refused too"
is "$(api https://hooks.example.com/y)" "200 null" "REST: an allowed host is taken"
stop httpd

# delivery time, without callback_allow: nothing internal is called
mkconf < /dev/null
cp "$CONF" "$T/open.conf"
for url in "http://127.0.0.1:$PORT/ok" "http://localhost:$PORT/ok" \
    "http://[::1]:$PORT/ok" "http://[::ffff:127.0.0.1]:$PORT/ok" \
    "http://127.1.2.3:$PORT/ok" "http://0.0.0.0:$PORT/ok" \
    http://10.1.2.3/ http://172.16.0.1/ http://192.168.1.1/ \
    http://169.254.169.254/latest/meta-data/ http://100.64.0.1/ \
    "http://[fd00::1]/" "http://[fe80::1]/" "http://2130706433:$PORT/ok" \
    "http://0x7f.1:$PORT/ok"; do
	out=$(try "$T/open.conf" "$url")
	ok "refused: $url" sh -c "echo '$out' | grep -q '^-1 .*private address'"
done
is "$(try "$T/open.conf" "http://hooks.example.com@127.0.0.1:$PORT/ok")" \
    "-1 0 callback URL must not hold a user name" \
    "refused: a user name (the URL is parsed as at submission)"
is "$(recv count "$T/hooks")" 0 "the receiver on 127.0.0.1 was never called"
out=$(try "$T/open.conf" "gopher://127.0.0.1:$PORT/")
is "${out%% *}" -1 "a gopher:// callback is refused at delivery too"

# callback_allow naming the host lets it through
echo "callback_allow = 127.0.0.1" | mkconf
is "$(try "$CONF" "http://127.0.0.1:$PORT/ok")" "0 0 127.0.0.1: HTTP 200" \
    "callback_allow = 127.0.0.1: delivered"
is "$(recv count "$T/hooks")" 1 "... and received"
echo "callback_allow = localhost" | mkconf
is "$(try "$CONF" "http://localhost:$PORT/ok")" "0 0 localhost: HTTP 200" \
    "callback_allow = localhost: the name is allowed"
echo "callback_allow = 10.0.0.0/8" | mkconf
out=$(try "$CONF" "http://127.0.0.1:$PORT/ok")
is "${out%% *}" -1 "callback_allow = 10.0.0.0/8 does not open 127.0.0.1"
is "$(recv count "$T/hooks")" 2 "... nothing more received"
done_testing
