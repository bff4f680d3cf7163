#!/bin/sh
# t0580 - hostile and broken requests never crash the shim
# and get a clear 4xx: traversal ids, bad and %00 percent-encoding,
# control characters, over-long URLs and headers, a request body, odd
# methods, a slow client dropped after request_timeout, connection limits
# (max_connections, max_per_ip).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf "request_timeout = 1s" "max_header = 4K" "max_connections = 8"
A=$(newkey erp)
hstart
S=/api/v1/ExportResult/Status

alive() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/livez")" = 200 ]
}

# is4xx DESCRIPTION : the last answer was a 4xx with a JSON Code
is4xx() {
	ok "$1 ($CODE $(jf .Code))" sh -c "test '$CODE' -ge 400 -a '$CODE' -lt 500"
}

for id in '..' '...' '..%2F..%2Fetc%2Fpasswd' '%2e%2e' 'a%2Fb' '.job' \
    '-x' "$(head -c 129 /dev/zero | tr '\0' a)" 'a%20b' 'a%0Ab' '%C3%A9t%C3%A9'; do
	req GET "$S/$id" -H "X-Api-Key: $A"
	is4xx "status of id '$id'"
	req DELETE "/api/v1/ExportRequest/Cancel/$id" -H "X-Api-Key: $A"
	is4xx "cancel of id '$id'"
done
ok "no file escaped the spool" test ! -e "$T/etc" -a ! -e "$SPOOL/etc"

req GET "$S/abc%zz" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "bad percent-encoding in the path: 400"
req GET "$S/abc%4" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a cut percent escape: 400"
req GET "$S/abc%00def" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "%00 in the path: 400"
req POST "/api/v1/ExportRequest/Patients?x=%zz" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "bad percent-encoding in the query: 400"
req POST "/api/v1/ExportRequest/Patients?x=a%00b" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "%00 in a value: 400"
req POST "/api/v1/ExportRequest/Patients?x=a%01b" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a control character in a value: 400"
req POST "/api/v1/ExportRequest/Patients?=1" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "an empty parameter name: 400"
req POST "/api/v1/ExportRequest/Patients?%C3%A9=1" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a non-ASCII parameter name: 400"
ls "$SPOOL/queued" > "$T/q"
ok "none of them queued a job" test ! -s "$T/q"

long=$(head -c 20000 /dev/zero | tr '\0' a)
huge=$(head -c 100000 /dev/zero | tr '\0' a)
req GET "$S/$long" -H "X-Api-Key: $A"
errcheck 414 URI_TOO_LONG "a 20 KB URL: 414 URI_TOO_LONG"
curl -s -o /dev/null "$URL$S/$huge"
ok "a 100 KB URL: refused, the server lives" alive
req GET "/api/v1/Identity" -H "X-Api-Key: $A" -H "X-Big: $(head -c 3000 /dev/zero | tr '\0' b)" \
    -H "X-Big2: $(head -c 3000 /dev/zero | tr '\0' b)"
errcheck 431 HEADERS_TOO_LARGE "headers over max_header: 431"
req GET "/api/v1/Identity" -H "X-Api-Key: $A" -H "X-Big: $long"
errcheck 431 HEADERS_TOO_LARGE "a 20 KB header: 431"
curl -s -o /dev/null -H "X-Big: $huge" "$URL/livez"
ok "still alive after the big ones" alive

head -c 200000 /dev/zero > "$T/big"
req POST "/api/v1/ExportRequest/Patients" -H "X-Api-Key: $A" \
    --data-binary @"$T/big" -H "Content-Type: application/octet-stream"
errcheck 413 PAYLOAD_TOO_LARGE "a 200 KB request body: 413"
req POST "/api/v1/ExportRequest/Patients?small=1" -H "X-Api-Key: $A" -d "a=b"
is "$CODE" 200 "a small body is ignored"
for m in PUT PATCH OPTIONS TRACE FOO; do
	req $m /api/v1/Identity -H "X-Api-Key: $A"
	is4xx "method $m"
done
# raw REQUEST : send it as is, print the status line of the answer
raw() {
	/usr/bin/python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
try:
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
print(data.split(b"\r\n")[0].decode("latin-1"))
PY
}
c=$(raw 'GET /livez HTTP/1.1\r\nHost: x\r\n\r\n')
is "$c" "HTTP/1.1 200 OK" "raw HTTP/1.1 works"
c=$(raw 'GARBAGE\r\n\r\n')
ok "a garbage request line: an error or a close ($c)" alive
c=$(raw 'GET /livez HTTP/1.1\r\n\r\n')
ok "HTTP/1.1 without Host ($c): the server lives" alive
c=$(raw 'GET /livez HTTP/1.0\r\n\r\n')
is "$c" "HTTP/1.1 200 OK" "HTTP/1.0 is served"
c=$(raw 'GET /api/v1/ExportResult/Status/a\x00b HTTP/1.1\r\nHost: x\r\n\r\n')
ok "a NUL byte in the request line ($c): the server lives" alive

# a slow client: half a request line, then silence
t0=$(date +%s)
/usr/bin/python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n")
s.settimeout(10)
try:
    while s.recv(100):
        pass
except OSError:
    pass
PY
t1=$(date +%s)
ok "a slow client is dropped after request_timeout ($((t1 - t0)) s)" \
    test $((t1 - t0)) -le 4
ok "alive after all of it" alive

# connection limit: 8; more idle sockets wait or are refused, the server lives
/usr/bin/python3 - "$PORT" <<'PY' &
import socket, sys, time
socks = []
for i in range(30):
    try:
        socks.append(socket.create_connection(("127.0.0.1", int(sys.argv[1]))))
    except OSError:
        pass
time.sleep(0.5)
PY
hog=$!
wait $hog
wait_for 5 alive
ok "alive after 30 idle connections against a limit of 8" alive

openapi_check
stop httpd
is "$?" 0 "exits 0 on SIGTERM afterwards (no crash, no leak under ASan)"

# perip N : hold N idle connections, then the status line of one more
# ("closed" when the server drops it)
perip() {
	/usr/bin/python3 - "$PORT" "$1" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
hold = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
time.sleep(0.3)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
try:
    s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
    d = s.recv(100)
    print(d.split(b"\r\n")[0].decode() if d else "closed")
except OSError:
    print("closed")
PY
}
hconf "max_connections = 64"
hstart
is "$(perip 3)" "HTTP/1.1 200 OK" \
    "max_per_ip unset: a 16th of max_connections (4) from one address"
is "$(perip 4)" "closed" "max_per_ip unset: the 5th from one address is dropped"
stop httpd
hconf "max_connections = 8" "max_per_ip = 6"
hstart
is "$(perip 5)" "HTTP/1.1 200 OK" "max_per_ip = 6: a 6th from one address"
is "$(perip 6)" "closed" "max_per_ip = 6: the 7th is dropped"
stop httpd
done_testing
