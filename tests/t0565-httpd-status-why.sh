#!/bin/sh
# t0565 - Status says why a job ended and what comes next, with the real
# daemon: nextAttempt while FAILED; cancelReason CLIENT (REST cancel),
# OPERATOR (xspool cancel), ATTEMPTS (after the last attempt); a webhook
# still being tried (callbackStatus pending, with the last error) apart
# from one given up (failed) and one sent, whose fileSizeBytes is
# Status's; a job dropped without "created" shows the same time in
# Queued and in Status, kept by a cancel.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"
. "$TOP/tests/helpers/notify.sh"

ok "the webhook receiver is listening" receiver
RPORT=$PORT
hconf
# retries and webhook tries an hour apart: a FAILED job and a pending
# webhook stay as they are while the test looks
sed -i -e 's/^retry_base = .*/retry_base = 1h/' \
    -e 's/^retry_max = .*/retry_max = 1h/' \
    -e "s/^\[notify\]\$/&\ncallback_allow = 127.0.0.1\nwebhook_attempts = 2\nwebhook_retry_base = 1h\nwebhook_secret = $SECRET/" \
    "$CONF"
synthetic
hdaemon
P=/api/v1/ExportRequest
S=/api/v1/ExportResult/Status
H="X-Api-Key: $A"
state_is() {
	[ "$(curl -s -H "$H" "$URL$S/$1" | jq -r .status)" = "$2" ]
}
cb_is() {
	[ "$(curl -s -H "$H" "$URL$S/$1" | jq -r .result.callbackStatus)" = "$2" ]
}

# FAILED with an attempt left: when the next one comes
req POST "$P/Synthetic?fail_attempts=9&rows=1" -H "$H"
F=$(jf .id)
ok "a failing job is FAILED after its first attempt" \
    wait_for 20 state_is "$F" FAILED
req GET "$S/$F" -H "$H"
is "$(jq -r '[.cancelReason, (.nextAttempt | test("^[0-9]{4}-[0-9-]+T[0-9:.]+Z$")),
    .nextAttempt > .finished] | map(tostring) | join(" ")' "$T/body")" \
    "null true true" "FAILED: nextAttempt is a time after finished; no cancelReason"
is "$(jq -r .nextAttempt "$T/body")" \
    "$(jq -r .nextAttempt "$SPOOL/failed/$F.job")" \
    "nextAttempt is the job file's"
is "$(jq -r .result.fileSizeBytes "$T/body")" null \
    "FAILED: fileSizeBytes null, as the webhook says it"
# the operator retries it now: the last attempt fails, CANCELLED (the
# daemon may claim it from failed/ before the retry's move: "moved
# meanwhile", the same outcome)
xspool -c "$CONF" retry "$F" > /dev/null 2>&1
ok "after its last attempt it is CANCELLED" wait_for 20 state_is "$F" CANCELLED
req GET "$S/$F" -H "$H"
is "$(jq -c '[.cancelReason, .nextAttempt, .attempts]' "$T/body")" \
    '["ATTEMPTS",null,2]' "cancelReason ATTEMPTS, no nextAttempt"

# webhooks: delivered, still being tried, given up
req POST "$P/Patients?q=ok&callback=http://127.0.0.1:$RPORT/ok" -H "$H"
W1=$(jf .id)
req POST "$P/Patients?q=fail&callback=http://127.0.0.1:$RPORT/fail" -H "$H"
W2=$(jf .id)
req POST "$P/Patients?q=bad&callback=http://127.0.0.1:$RPORT/bad" -H "$H"
W3=$(jf .id)
ok "a delivered webhook: callbackStatus sent" wait_for 20 cb_is "$W1" sent
req GET "$S/$W1" -H "$H"
is "$(jq -c '[.result.callbackSent, .result.callbackError, .result.notifyEmailStatus, .result.notifyEmailError]' "$T/body")" \
    '[true,null,"none",null]' "sent: callbackSent true, no error; no mail asked for"
SIZE=$(jf .result.fileSizeBytes)
is "$SIZE" "$(stat -c %s "$SPOOL/out/$W1.zip")" "fileSizeBytes is the zip's size"
is "$(recv show "$T/hooks" 0 | awk '$1 == "fileSizeBytes" { print $3 }')" \
    "$SIZE" "the webhook's fileSizeBytes is Status's"
ok "a webhook answered 500: pending" wait_for 20 cb_is "$W2" pending
wait_for 10 sh -c "curl -s -H '$H' '$URL$S/$W2' | jq -e '.result.callbackError != null' > /dev/null"
req GET "$S/$W2" -H "$H"
is "$(jq -r '[.status, .result.callbackSent, (.result.callbackError | test("500"))] | map(tostring) | join(" ")' "$T/body")" \
    "COMPLETED false true" "pending: not sent, the last error says 500"
ok "a webhook answered 400: given up, failed" wait_for 20 cb_is "$W3" failed
req GET "$S/$W3" -H "$H"
is "$(jq -r '[.result.callbackSent, (.result.callbackError | test("400"))] | map(tostring) | join(" ")' "$T/body")" \
    "false true" "failed: not sent, the error says 400"
stop daemon

# a client's cancel and an operator's
req POST "$P/Patients?q=c1" -H "$H"
C1=$(jf .id)
req DELETE "$P/Cancel/$C1" -H "$H"
req GET "$S/$C1" -H "$H"
is "$(jq -c '[.status, .cancelReason, .nextAttempt]' "$T/body")" \
    '["CANCELLED","CLIENT",null]' "DELETE Cancel: cancelReason CLIENT"
req POST "$P/Patients?q=c2" -H "$H"
C2=$(jf .id)
xspool -c "$CONF" cancel "$C2" > /dev/null
req GET "$S/$C2" -H "$H"
is "$(jq -c '[.status, .cancelReason]' "$T/body")" \
    '["CANCELLED","OPERATOR"]' "xspool cancel: cancelReason OPERATOR"

# a job dropped by hand without "created": the file's time, everywhere
printf '{"type":"Patients","client":"erp"}\n' > "$T/d.job"
touch -d '2026-11-01 08:00:00.250 UTC' "$T/d.job"
mv "$T/d.job" "$SPOOL/queued/dropped-1.job"
req GET "/api/v1/ExportResult/Queued" -H "$H"
QC=$(jq -r '.items[] | select(.id == "dropped-1") | .created' "$T/body")
is "$QC" "2026-11-01T08:00:00.250Z" "Queued: created is the file's mtime"
req GET "$S/dropped-1" -H "$H"
is "$(jf .created)" "$QC" "Status: the same created"
req DELETE "$P/Cancel/dropped-1" -H "$H"
req GET "$S/dropped-1" -H "$H"
is "$(jf .created)" "$QC" "cancelled: still the same created"
is "$(jq -r .created "$SPOOL/cancelled/dropped-1.job")" "$QC" \
    "the cancel recorded it in the job file"

openapi_check
stop httpd
done_testing
