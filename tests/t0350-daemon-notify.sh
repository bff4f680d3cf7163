#!/bin/sh
# t0350 - the daemon sends the webhook after a job's final state (once for
# COMPLETED, once for CANCELLED after the last attempt, none for a FAILED
# attempt by default) and records callbackSent in the job file.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

bg hook /usr/bin/python3 "$EXP/hook.py" "$T/port" "$T/hook.log"
wait_for 20 test -s "$T/port"
port=$(cat "$T/port")
types <<CONF
[type Never]
command = $EXP/flaky 99
emits = csv
formats = JSON,CSV
CONF
spool_set max_attempts=2
sed -i "s/^\[notify\]\$/[notify]\ncallback_allow = 127.0.0.1\nwebhook_secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/" "$CONF"
daemon d
drop w1 "{\"type\": \"Ok\", \"callback\": \"http://127.0.0.1:$port/hook\"}"
drop w2 "{\"type\": \"Never\", \"callback\": \"http://127.0.0.1:$port/hook\"}"
sent() { grep -q "\"idExportJob\":\"$1\"" "$T/hook.log" 2>/dev/null; }
ok "the completed job's webhook arrives" wait_for 10 sent w1
ok "the cancelled job's webhook arrives" wait_for 10 sent w2
ok "COMPLETED, success" grep -q '"idExportJob":"w1".*"success":true.*"status":"COMPLETED"' "$T/hook.log"
ok "CANCELLED with both attempts' errors" grep -q '"idExportJob":"w2".*"status":"CANCELLED".*attempt 1.*attempt 2' "$T/hook.log"
sleep 0.5
is "$(grep -c '"idExportJob":"w2"' "$T/hook.log")" 1 "no webhook for the FAILED attempt, one for the end"
recorded() { [ "$(field w1 'j["result"].get("callbackSent")')" = True ]; }
ok "callbackSent recorded in the job file" wait_for 20 recorded
stop d
done_testing
