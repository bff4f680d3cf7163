#!/bin/sh
# t0500 - xspool-httpd: every key error of DESIGN.md's table
# (MISSING_API_KEY, INVALID_API_KEY, SECRET_REQUIRED, INVALID_SECRET,
# API_KEY_DISABLED, IP_NOT_AUTHORIZED over IPv4 and IPv6,
# RATE_LIMIT_EXCEEDED), Identity, X-Request-Id, 404/405/HEAD.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

HLISTEN="127.0.0.1:0,[::1]:0" hconf "rate = 5"
A=$(newkey erp)
ADM=$(newkey ops --admin)
LOCAL=$(newkey loc --allow 127.0.0.1,::1)
FAR=$(newkey far --allow 10.1.2.0/24,2001:db8::/32)
OFF=$(newkey off)
RL=$(newkey burst)
xspool -c "$CONF" key disable "${OFF%%.*}" > /dev/null
AID=${A%%.*}
hstart

req GET /api/v1/Identity -H "X-Api-Key: $A"
is "$CODE $(jf .keyId) $(jf .client) $(jf .admin)" "200 $AID erp false" \
    "Identity names the key, its client and rights"
ok "every answer has an X-Request-Id" test -n "$(hdr X-Request-Id)"
req GET /api/v1/Identity -H "X-Api-Key: $ADM"
is "$(jf .admin) $(jf '.rights | index("admin") != null')" "true true" \
    "an admin key says so"
req GET /api/v1/Identity -H "X-Request-Id: trace-42" -H "X-Api-Key: $A"
is "$(hdr X-Request-Id)" "trace-42" "a sane caller X-Request-Id is echoed"

req GET /api/v1/Identity
errcheck 400 MISSING_API_KEY "no X-Api-Key: 400 MISSING_API_KEY"
ok "the error has a Message" test -n "$(jf .Message)"
req GET /api/v1/Identity -H "X-Api-Key: 0000000000000000.abc"
errcheck 401 INVALID_API_KEY "unknown KeyId: 401 INVALID_API_KEY"
req GET /api/v1/Identity -H "X-Api-Key: $AID"
errcheck 401 SECRET_REQUIRED "KeyId without .Secret: 401 SECRET_REQUIRED"
req GET /api/v1/Identity -H "X-Api-Key: $AID."
errcheck 401 SECRET_REQUIRED "KeyId with an empty secret: SECRET_REQUIRED"
req GET /api/v1/Identity -H "X-Api-Key: $AID.0123456789abcdef0123456789abcdef"
errcheck 401 INVALID_SECRET "wrong secret: 401 INVALID_SECRET"
req GET /api/v1/Identity -H "X-Api-Key: $OFF"
errcheck 401 API_KEY_DISABLED "disabled key: 401 API_KEY_DISABLED"
req GET /api/v1/Identity -H "X-Api-Key: $FAR"
errcheck 403 IP_NOT_AUTHORIZED "peer not on the allow-list: 403"
req GET /api/v1/Identity -H "X-Api-Key: $LOCAL"
is "$CODE" 200 "peer on the allow-list (IPv4): 200"

V6=$(sed -n 's/^listening on http:\/\/\[::1\]:\([0-9]*\)$/\1/p' "$T/httpd.err")
if [ -n "$V6" ] && curl -s -o /dev/null "http://[::1]:$V6/livez"; then
	c=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $LOCAL" \
	    "http://[::1]:$V6/api/v1/Identity")
	is "$c" 200 "IPv6 listener; ::1 on the allow-list: 200"
	c=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $FAR" \
	    "http://[::1]:$V6/api/v1/Identity")
	is "$c" 403 "IPv6 peer not in 2001:db8::/32: 403"
else
	skip "IPv6 listener" "no ::1 on this host"
	skip "IPv6 allow-list" "no ::1 on this host"
fi

# rate = 5 a minute: a bucket of 5, one more every 12 s.  A key used
# only here makes requests until one is refused: the first 5 pass, and
# no more pass than the bucket plus what refilled meanwhile (a loaded
# machine may take longer than 12 s; the bound follows the time taken)
t0=$(date +%s)
n=0
while [ $n -lt 60 ]; do
	req GET /api/v1/Identity -H "X-Api-Key: $RL"
	[ "$CODE" = 200 ] || break
	n=$((n + 1))
done
t1=$(date +%s)
ok "5 requests within the rate, then a refusal ($n passed in $((t1 - t0)) s)" \
    test "$n" -ge 5 -a "$n" -le $((5 + (t1 - t0) / 12 + 1))
errcheck 429 RATE_LIMIT_EXCEEDED "past the rate: 429"
ra=$(jf .RetryAfterSeconds)
ok "RetryAfterSeconds is a positive integer ($ra)" \
    test "$ra" -ge 1 -a "$ra" -le 60
is "$(hdr Retry-After)" "$ra" "Retry-After header says the same"
req GET /api/v1/Identity -H "X-Api-Key: $ADM"
is "$CODE" 200 "another key has its own bucket"

req GET /api/v1/Nope -H "X-Api-Key: $ADM"
errcheck 404 NOT_FOUND "unknown path: 404 NOT_FOUND JSON"
req GET /api/v1/identity -H "X-Api-Key: $ADM"
is "$CODE" 200 "paths are case-insensitive, as the original API's"
req POST /api/v1/Identity -H "X-Api-Key: $ADM"
errcheck 405 METHOD_NOT_ALLOWED "POST on a GET route: 405"
is "$(hdr Allow)" "GET, HEAD" "405 carries Allow"
req DELETE /api/v1/ExportRequest/Patients -H "X-Api-Key: $ADM"
is "$CODE $(hdr Allow)" "405 POST" "DELETE on the submit route: 405 Allow: POST"
req HEAD /api/v1/Identity -H "X-Api-Key: $ADM"
is "$CODE $(hdr Content-Type)" "200 application/json" "HEAD where GET is"
ok "HEAD has no body" test ! -s "$T/body"
ok "HEAD gives the GET length" test "$(hdr Content-Length)" -gt 10

openapi_check
stop httpd
is "$?" 0 "SIGTERM: exits 0"
done_testing
