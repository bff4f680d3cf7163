#!/bin/sh
# t0505 - a running xspool-httpd follows the keys file
# without SIGHUP: xspool key disable, del, enable and add take effect
# within about a second (polled up to a generous bound); a keys file that
# cannot be read (malformed, a FIFO) refuses every key with 503
# KEYS_UNAVAILABLE, logged once, until it is fixed.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
A=$(newkey erp)
OPS=$(newkey ops --admin)
AID=${A%%.*}
hstart

# code KEY : the status of GET Identity with KEY (body in $T/body)
code() {
	req GET /api/v1/Identity -H "X-Api-Key: $1"
	echo "$CODE"
}
# becomes STATUS KEY : poll until Identity with KEY answers STATUS (20 s)
becomes() {
	wait_for 20 sh -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' \
	    -H 'X-Api-Key: $2' '$URL/api/v1/Identity')\" = $1"
}

is "$(code "$A")" 200 "a fresh key works"
xspool -c "$CONF" key disable "$AID" > /dev/null
ok "xspool key disable: refused without SIGHUP" becomes 401 "$A"
req GET /api/v1/Identity -H "X-Api-Key: $A"
errcheck 401 API_KEY_DISABLED "... as 401 API_KEY_DISABLED"
is "$(code "$OPS")" 200 "another key still works"

xspool -c "$CONF" key enable "$AID" > /dev/null
ok "xspool key enable: accepted again without SIGHUP" becomes 200 "$A"

B=$(newkey crm)
ok "xspool key add: the new key works without SIGHUP" becomes 200 "$B"
req GET /api/v1/Identity -H "X-Api-Key: $B"
is "$(jf .client)" crm "... as its client"

xspool -c "$CONF" key del "${B%%.*}" > /dev/null
ok "xspool key del: refused without SIGHUP" becomes 401 "$B"
req GET /api/v1/Identity -H "X-Api-Key: $B"
errcheck 401 INVALID_API_KEY "... as 401 INVALID_API_KEY"

# a malformed keys file, put in place by a rename as the CLI does
cp "$T/keys" "$T/keys.good"
{ cat "$T/keys.good"; echo "this is not a key line"; } > "$T/keys.new"
mv "$T/keys.new" "$T/keys"
ok "a malformed keys file: every key refused" becomes 503 "$A"
req GET /api/v1/Identity -H "X-Api-Key: $OPS"
errcheck 503 KEYS_UNAVAILABLE "... 503 KEYS_UNAVAILABLE, the admin key too"
ok "... with Retry-After" test -n "$(hdr Retry-After)"
req GET /api/v1/Identity
errcheck 400 MISSING_API_KEY "... no key is still 400 MISSING_API_KEY"
sleep 1.2
for i in 1 2 3; do code "$A" > /dev/null; sleep 0.4; done
is "$(grep -c 'refusing every key' "$T/httpd.err")" 1 \
    "the broken keys file is logged once"
is "$(code "$A")" 503 "still refused a while later (no stale keys)"

cp "$T/keys.good" "$T/keys.new"
mv "$T/keys.new" "$T/keys"
ok "the keys file fixed: accepted again" becomes 200 "$A"
ok "... and logged" grep -q 'readable again' "$T/httpd.err"

# a FIFO in place of the keys file must neither hang nor be trusted
rm "$T/keys"
mkfifo "$T/keys"
ok "a FIFO as keys file: refused, promptly" becomes 503 "$A"
rm "$T/keys"
mv "$T/keys.good" "$T/keys"
ok "a regular file again: accepted" becomes 200 "$A"

# no keys file at all is no keys
mv "$T/keys" "$T/keys.gone"
ok "no keys file: every key is unknown" becomes 401 "$A"
req GET /api/v1/Identity -H "X-Api-Key: $A"
errcheck 401 INVALID_API_KEY "... 401 INVALID_API_KEY"
mv "$T/keys.gone" "$T/keys"
ok "the keys file back: accepted" becomes 200 "$A"

# the test sends no SIGHUP; the server's log would say "reloaded"
nok "no SIGHUP reload took place" grep -q 'reloaded .* and the keys' \
    "$T/httpd.err"
ok "the same server process throughout" kill -0 "$(pid_of httpd)"
openapi_check
stop httpd
is "$?" 0 "SIGTERM: exits 0"
done_testing
