#!/bin/sh
# t0585-httpd-slow-clients - slow clients cannot deny service: a request
# header not in within header_timeout (default 5s) is dropped however
# slowly its bytes come (one every 0.5 s here, which no idle timeout
# catches); an idle kept-alive connection too; a slow body is not; the
# per-address cap (a 16th of max_connections by default) leaves room for
# other addresses; and a normal client is served during floods from 10
# and from 3 loopback addresses.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

SL="/usr/bin/python3 $TOP/tests/helpers/slowloris.py"

# stat NAME : a field of the flood's JSON line
stat() {
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
	    "$T/flood.out" "$1"
}
# served : the status of a normal request (from 127.0.0.1), 12 s at most,
# then "ended" if the flood (20 s) was over by then: the old server
# answered once the slow clients had gone
served() {
	curl -s -m 12 -o /dev/null -w '%{http_code}' "$URL/livez"
	kill -0 "$(pid_of flood)" 2>/dev/null || echo " ended"
}
# flood ARGS... : the helper in the background, waits until it is connected
flood() {
	rm -f "$T/ready"
	bg flood $SL --port "$PORT" --ready "$T/ready" "$@"
	if ! wait_for 30 test -s "$T/ready"; then
		echo "Bail out! the slow clients did not connect"
		exit 1
	fi
}

# 1. 300 slow connections from 10 addresses, reopened when dropped (as an
# attacker would); request_timeout is 60 s, so only the header deadline
# can drop them within the 20 s the flood lasts
hconf "request_timeout = 60s"
A=$(newkey erp)
hstart
flood --from 127.0.0.2 --addrs 10 --per-addr 30 --seconds 20 --reconnect
is "$(cat "$T/ready")" 300 "300 slow connections from 10 addresses"
is "$(served)" 200 "a normal client is served during the flood"
req GET /api/v1/Identity -m 12 -H "X-Api-Key: $A"
is "$CODE" 200 "and an API request too"
wait "$(pid_of flood)"
diag "flood: $(cat "$T/flood.out")"
is "$(stat dropped)" 300 "every slow connection was dropped by the server"
is "$(stat alive)" 0 "none outlived the flood"
ok "none before header_timeout (5 s; shortest $(stat min_age) s)" \
    /usr/bin/python3 -c "import sys; sys.exit(not $(stat min_age) >= 4.9)"
ok "all long before request_timeout (longest $(stat max_age) s)" \
    /usr/bin/python3 -c "import sys; sys.exit(not $(stat max_age) < 19)"
req GET /metrics
n=$(awk '$1 == "xspool_http_header_timeouts_total" { print $2 }' "$T/body")
ok "counted in xspool_http_header_timeouts_total ($n)" test "${n:-0}" -ge 300
ok "logged in one line, not one a connection" test "$(grep -c \
    'dropped [0-9]* connections* that sent no whole request header' \
    "$T/httpd.err")" -eq 1
stop httpd
is "$?" 0 "exits 0 on SIGTERM after the flood (no leak under ASan)"

# 2. three addresses try 128 connections each (the cap was half of 256:
# they filled the server); header_timeout is long, so only caps act
hconf "header_timeout = 60s"
hstart
flood --from 127.0.0.2 --addrs 3 --per-addr 128 --seconds 20 --probe 4
is "$(served)" 200 "a normal client is served while 3 addresses hold their cap"
wait "$(pid_of flood)"
diag "flood: $(cat "$T/flood.out")"
is "$(stat alive_at)" 192 "each address holds max_connections/16 = 64"
stop httpd

# 3. header_timeout applies to the header only: a kept-alive connection
# that idles after its answer is closed, a slow body is not
hconf "header_timeout = 2s" "request_timeout = 60s"
hstart
/usr/bin/python3 - "$PORT" > "$T/keep" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)
# a body of 8 bytes, one every 0.5 s: 4 s, twice header_timeout
s.sendall(b"POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n")
for i in range(8):
    time.sleep(0.5)
    s.sendall(b"a")
d = b""
while b"\r\n\r\n" not in d:
    c = s.recv(4096)
    if not c:
        break
    d += c
print(d.split(b"\r\n")[0].decode() or "closed")
# then idle: the server should close within header_timeout, long before
# request_timeout
t0 = time.monotonic()
try:
    while s.recv(4096):
        pass
    print("closed %.1f" % (time.monotonic() - t0))
except OSError:
    print("not closed")
PY
is "$(sed -n 1p "$T/keep")" "HTTP/1.1 405 Method Not Allowed" \
    "a body sent slowly after the header is read to the end and answered"
ok "an idle kept-alive connection is closed after header_timeout ($(sed -n 2p "$T/keep") s)" \
    grep -qx 'closed [0-9.]*' "$T/keep"
stop httpd
done_testing
