#!/bin/sh
# t0510 - POST /api/v1/ExportRequest/{type}: the answer, the
# job file it queues, parameter validation (UNKNOWN_EXPORT_TYPE,
# UNSUPPORTED_FORMAT, INVALID_PARAMETER), EXPORT_DUPLICATE naming the job,
# Idempotency-Key replays, X-Export-Password, 503 when the spool is full.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
A=$(newkey erp)
B=$(newkey crm)
hstart
P=/api/v1/ExportRequest

req POST "$P/Patients?format=csv&from=2020-01-01&note=a%20b" -H "X-Api-Key: $A"
ID=$(jf .id)
is "$CODE $(jf .status) $(jf .exportType) $(jf .format)" \
    "200 QUEUED Patients CSV" "submit: 200 QUEUED with type and format"
ok "the id is a UUIDv4" sh -c "echo '$ID' | grep -Eq \
    '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'"
ok "created is an RFC 3339 UTC time" sh -c "echo '$(jf .created)' |
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$'"
F=$SPOOL/queued/$ID.job
ok "the job file is in queued/" test -f "$F"
is "$(jq -r '[.client, .type, .format, .params.from, .params.note] | join("|")' "$F")" \
    "erp|Patients|CSV|2020-01-01|a b" "the job file has client, type, format, params"

req POST "$P/Patients" -H "X-Api-Key: $A"
is "$CODE $(jf .format)" "200 JSON" "format defaults to JSON"
req POST "$P/Patients?format=Csv&from=2020-01-01&note=a%20b" -H "X-Api-Key: $A"
errcheck 409 EXPORT_DUPLICATE "the same request again: 409 EXPORT_DUPLICATE"
is "$(jf .id)" "$ID" "the 409 names the queued job"
req POST "$P/Patients?format=csv&note=a%20b&from=2020-01-01" -H "X-Api-Key: $B"
is "$CODE" 200 "the same request from another client is not a duplicate"
req POST "$P/Patients?format=csv&from=2021-01-01&note=a%20b" -H "X-Api-Key: $A"
is "$CODE" 200 "other parameter values: not a duplicate"

# a duplicate of a job that a daemon is running (by hand: processing/NODE/)
req POST "$P/Appointments?patient=7" -H "X-Api-Key: $A"
RID=$(jf .id)
mkdir -p "$SPOOL/processing/n1"
mv "$SPOOL/queued/$RID.job" "$SPOOL/processing/n1/"
req POST "$P/Appointments?patient=7" -H "X-Api-Key: $A"
is "$CODE $(jf .id)" "409 $RID" "duplicate of a PROCESSING job: 409"
mv "$SPOOL/processing/n1/$RID.job" "$SPOOL/completed/"
req POST "$P/Appointments?patient=7" -H "X-Api-Key: $A"
is "$CODE" 200 "once it is COMPLETED the same request is accepted"

# form encoding: '+' is a space, %2B a plus
req POST "$P/Patients?note=two+words&email=a%2Bb@example.com" -H "X-Api-Key: $A"
is "$(jq -r '[.params.note, .email] | join("|")' "$SPOOL/queued/$(jf .id).job")" \
    "two words|a+b@example.com" "'+' in a query is a space, %2B a plus"

# Idempotency-Key
req POST "$P/Invoices?format=CSV" -H "X-Api-Key: $A" -H "Idempotency-Key: k-1"
I1=$(jf .id)
req POST "$P/Invoices?format=CSV" -H "X-Api-Key: $A" -H "Idempotency-Key: k-1"
is "$CODE $(jf .id) $(jf .status)" "200 $I1 QUEUED" \
    "Idempotency-Key: a retry gets the first answer (same id)"
is "$(ls "$SPOOL/queued" | grep -c "$I1")" 1 "and no second job"
req POST "$P/Invoices?format=CSV&year=2024" -H "X-Api-Key: $A" \
    -H "Idempotency-Key: k-1"
errcheck 422 IDEMPOTENCY_KEY_REUSED "the same key for another request: 422"
req POST "$P/Invoices?format=CSV" -H "X-Api-Key: $B" -H "Idempotency-Key: k-1"
ok "another client's key of the same name is its own" \
    test "$CODE" = 200 -a "$(jf .id)" != "$I1"
stop httpd
hstart
req POST "$P/Invoices?format=CSV" -H "X-Api-Key: $A" -H "Idempotency-Key: k-1"
is "$CODE $(jf .id)" "200 $I1" "after a restart the key is found in queued/"
req POST "$P/Invoices?format=CSV&year=2023" -H "X-Api-Key: $A" \
    -H "Idempotency-Key: k-1"
errcheck 422 IDEMPOTENCY_KEY_REUSED "... and still refused for another request"
req POST "$P/Invoices" -H "X-Api-Key: $A" -H "Idempotency-Key: a b"
errcheck 400 INVALID_PARAMETER "Idempotency-Key with a space: 400"

# validation
req POST "$P/Nonesuch" -H "X-Api-Key: $A"
errcheck 404 UNKNOWN_EXPORT_TYPE "unknown type: 404 UNKNOWN_EXPORT_TYPE"
req POST "$P/..%2Fetc" -H "X-Api-Key: $A"
is "$CODE" 404 "a type that is a path: 404"
req POST "$P/Patients?format=XML" -H "X-Api-Key: $A"
errcheck 400 UNSUPPORTED_FORMAT "format=XML: 400 UNSUPPORTED_FORMAT"
req POST "$P/Invoices?format=JSON" -H "X-Api-Key: $A"
errcheck 400 UNSUPPORTED_FORMAT "a format the type does not support: 400"
req POST "$P/Patients?email=not-an-address" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "bad e-mail: 400 INVALID_PARAMETER"
req POST "$P/Patients?email=a@example.com%0D%0ABcc:x@evil.com" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "e-mail with CR/LF: 400"
req POST "$P/Patients?callback=ftp://example.com/x" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "ftp callback: 400"
req POST "$P/Patients?9lives=1" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "parameter name starting with a digit: 400"
req POST "$P/Patients?a-b=1" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "parameter name with '-': 400"
n64=a$(head -c 63 /dev/zero | tr '\0' b)
req POST "$P/Patients?${n64}=1" -H "X-Api-Key: $A"
is "$CODE" 200 "a 64-character parameter name: 200"
req POST "$P/Patients?${n64}c=1" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a 65-character parameter name: 400"
req POST "$P/Patients?x=1&x=2" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a parameter given twice: 400"
req POST "$P/Patients?format=csv&format=json" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "format given twice: 400"
long=$(head -c 1025 /dev/zero | tr '\0' a)
req POST "$P/Patients?x=$long" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a value over 1 KiB: 400"
req POST "$P/Patients?x=$(head -c 1024 /dev/zero | tr '\0' a)" -H "X-Api-Key: $A"
is "$CODE" 200 "a value of exactly 1 KiB: 200"
q=$(seq 1 33 | sed 's/.*/p&=1/' | paste -sd '&')
req POST "$P/Patients?$q" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "33 parameters: 400"
q=$(seq 1 32 | sed 's/.*/p&=1/' | paste -sd '&')
req POST "$P/Patients?$q" -H "X-Api-Key: $A"
is "$CODE" 200 "32 parameters: 200"
req POST "$P/Patients?x=%C3%28" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a value that is not UTF-8: 400"

# the password: query or header, never both; kept in the job file only
req POST "$P/Patients?q=pw1" -H "X-Api-Key: $A" \
    -H "X-Export-Password: Hdr-Secret-1"
PID=$(jf .id)
is "$CODE $(jq -r .password "$SPOOL/queued/$PID.job")" "200 Hdr-Secret-1" \
    "X-Export-Password goes into the job file"
ok "the answer does not echo it" sh -c "! grep -q Hdr-Secret-1 '$T/body'"
req POST "$P/Patients?q=pw2&password=a" -H "X-Api-Key: $A" \
    -H "X-Export-Password: b"
errcheck 400 INVALID_PARAMETER "password in both query and header: 400"

# hup : SIGHUP, then wait until the shim says it reloaded
hup() {
	_r=$(grep -c reloaded "$T/httpd.err")
	kill -HUP "$(pid_of httpd)"
	wait_for 10 sh -c "[ \$(grep -c reloaded '$T/httpd.err') -gt $_r ]"
}

# callbacks within [notify] callback_allow once it is set
sed -i 's/^\[notify\]$/&\ncallback_allow = *.example.com,127.0.0.1/' "$CONF"
hup
req POST "$P/Patients?q=cb1&callback=https://hooks.example.com/x" \
    -H "X-Api-Key: $A"
is "$CODE" 200 "a callback host on the allow-list: 200"
req POST "$P/Patients?q=cb2&callback=http://127.0.0.1:9/x" -H "X-Api-Key: $A"
is "$CODE" 200 "an address on the allow-list: 200"
req POST "$P/Patients?q=cb3&callback=https://example.org/x" -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "a callback host off the allow-list: 400"
req POST "$P/Patients?q=cb4&callback=https://evil.com/.example.com" \
    -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "the allowed name in the path only: 400"

# spool full: min_free far above what the disk has
sed -i 's/^min_free = .*/min_free = 1000T/' "$CONF"
hup
req POST "$P/Patients?q=full" -H "X-Api-Key: $A"
errcheck 503 SPOOL_FULL "spool short of space: 503 SPOOL_FULL"
curl -s "$URL/metrics" > "$T/metrics"
# since the restart: the 1 KiB value, 64-character name, 32 parameters,
# the header password, 2 callbacks
is "$(grep '^xspool_submitted_total' "$T/metrics")" "xspool_submitted_total 6" \
    "metrics count the jobs submitted since the start"

openapi_check
stop httpd
done_testing
