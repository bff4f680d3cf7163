#!/bin/sh
# t0620 - callbacks cannot reach internal services: callback_allow refuses
# other hosts at submit; at delivery the host is resolved and a loopback,
# private, link-local, unspecified, multicast or reserved address is
# refused unless an address or range in callback_allow covers it (a host
# name pattern never does).  The same through the daemon: t0625.
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
# refused CONF CLASS URL : one try is refused, naming the address's class
refused() {
	_out=$(try "$1" "$3")
	_want="callback host .*: address .* is $2, and no address or range"
	ok "refused ($2): $3" sh -c "echo '$_out' | grep -q '^-1 0 $_want in callback_allow covers it\$'"
}
while read -r class url; do
	refused "$T/open.conf" "$class" "$url"
done <<LIST
loopback http://127.0.0.1:$PORT/ok
loopback http://localhost:$PORT/ok
loopback http://[::1]:$PORT/ok
loopback http://[::ffff:127.0.0.1]:$PORT/ok
loopback http://[::ffff:7f00:1]:$PORT/ok
loopback http://127.1.2.3:$PORT/ok
loopback http://2130706433:$PORT/ok
loopback http://0x7f.1:$PORT/ok
loopback http://%31%32%37.0.0.1:$PORT/ok
unspecified http://0.0.0.0:$PORT/ok
unspecified http://0:$PORT/ok
unspecified http://[::]:$PORT/ok
private http://10.1.2.3/
private http://172.16.0.1/
private http://192.168.1.1/
private http://100.64.0.1/
private http://[fd00::1]/
private http://[::ffff:192.168.0.1]/
link-local http://169.254.169.254/latest/meta-data/
link-local http://[fe80::1]/
multicast http://224.0.0.1/
multicast http://[ff02::1]/
reserved http://255.255.255.255/
LIST
is "$(try "$T/open.conf" "http://hooks.example.com@127.0.0.1:$PORT/ok")" \
    "-1 0 callback URL must not hold a user name" \
    "refused: a user name before a loopback address"
out=$(try "$T/open.conf" "http://hooks.example.com\\\\@127.0.0.1:$PORT/ok")
is "$out" "-1 0 callback URL holds a space, a backslash, a control or a \
non-ASCII character" \
    "refused: a backslash before @ (JSON \\\\ in the job file)"
is "$(recv count "$T/hooks")" 0 "the receiver on 127.0.0.1 was never called"
out=$(try "$T/open.conf" "gopher://127.0.0.1:$PORT/")
is "${out%% *}" -1 "a gopher:// callback is refused at delivery too"

# an explicit address or range in callback_allow opens it
echo "callback_allow = 127.0.0.1" | mkconf
is "$(try "$CONF" "http://127.0.0.1:$PORT/ok")" "0 0 127.0.0.1: HTTP 200" \
    "callback_allow = 127.0.0.1: delivered"
is "$(recv count "$T/hooks")" 1 "... and received"
is "$(try "$CONF" "http://2130706433:$PORT/ok")" "0 0 127.0.0.1: HTTP 200" \
    "... to 2130706433 too: the check and curl both read it as 127.0.0.1"
echo "callback_allow = 127.0.0.0/8" | mkconf
is "$(try "$CONF" "http://127.0.0.1:$PORT/ok")" "0 0 127.0.0.1: HTTP 200" \
    "callback_allow = 127.0.0.0/8: delivered"

# a host name pattern alone never opens an internal address
echo "callback_allow = localhost" | mkconf
refused "$CONF" loopback "http://localhost:$PORT/ok"
echo "callback_allow = *.example.com, localhost" | mkconf
refused "$CONF" loopback "http://localhost:$PORT/ok"
echo "callback_allow = localhost, 127.0.0.1, ::1" | mkconf
is "$(try "$CONF" "http://localhost:$PORT/ok")" "0 0 localhost: HTTP 200" \
    "callback_allow = localhost, 127.0.0.1, ::1: the name and its addresses"
echo "callback_allow = 10.0.0.0/8" | mkconf
is "$(try "$CONF" "http://127.0.0.1:$PORT/ok")" \
    "-1 0 callback host 127.0.0.1 is not in callback_allow" \
    "callback_allow = 10.0.0.0/8 does not open 127.0.0.1"
echo "callback_allow = 127.0.0.1" | mkconf
is "$(try "$CONF" "http://localhost:$PORT/ok")" \
    "-1 0 callback host localhost is not in callback_allow" \
    "callback_allow = 127.0.0.1 does not let the name localhost through"
is "$(recv count "$T/hooks")" 4 "... nothing more received"
done_testing
