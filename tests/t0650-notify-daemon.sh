#!/bin/sh
# t0650 - notifications through the real daemon: a completed export's
# signed webhook and mail; a hanging receiver delays neither the export nor
# other jobs; a user's cancel; a webhook per failed attempt with
# notify_each_failure; a daemon killed before delivery sends after restart.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/exporters/daemon.sh"

. "$TOP/tests/helpers/notify.sh"
bg sink /usr/bin/python3 "$TOP/tests/helpers/smtp-sink.py" "$T/sport" "$T/mail"
ok "the SMTP sink is listening" wait_for 10 test -s "$T/sport"
ok "the webhook receiver is listening" receiver
URL=http://127.0.0.1:$PORT
types <<CONF
smtp = smtp://127.0.0.1:$(cat "$T/sport")
from = xspool@example.org
webhook_secret = $SECRET
callback_allow = 127.0.0.1
webhook_timeout = 20s
webhook_attempts = 2
webhook_retry_base = 200ms
notify_each_failure = yes
CONF
cat >> "$CONF" <<CONF

[type Bad]
command = $EXP/bad exit
emits = csv
formats = JSON,CSV
CONF
# reqs PATH : requests the receiver got on PATH
reqs() { recv count "$T/hooks" "$1"; }
# body N KEY : field KEY of request N's body
body() {
	/usr/bin/python3 -c 'import json,sys
r = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])]
print(json.loads(r["body"])[sys.argv[3]])' "$T/hooks" "$1" "$2"
}
# nth PATH : index in the log of the last request to PATH
nth() {
	/usr/bin/python3 -c 'import json,sys
rs = [json.loads(l)["path"] for l in open(sys.argv[1])]
print(max(i for i, p in enumerate(rs) if p == sys.argv[2]))' "$T/hooks" "$1"
}
sent() { [ "$(field "$1" "j['result'].get('$2')")" = "$3" ]; }

# a user's cancels before the daemon runs, with the CLI and through the
# REST shim: each leaves a hint the daemon picks up
cid=$(xspool -c "$CONF" submit Ok -w "$URL/cancelled")
ok "cancel a queued job with the CLI" xspool -c "$CONF" cancel "$cid"
KEY=$(xspool -c "$CONF" key add erp)
bg httpd xspool-httpd -f -c "$CONF" -p "$T/hport"
ok "the REST shim is listening" wait_for 10 test -s "$T/hport"
API=http://127.0.0.1:$(cat "$T/hport")/api/v1/ExportRequest
aid=$(curl -s -X POST -H "X-Api-Key: $KEY" \
    "$API/Ok?callback=$URL/apicancel&email=ops@example.com" | jq -r .id)
is "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE -H "X-Api-Key: $KEY" \
    "$API/Cancel/$aid")" 200 "submit and cancel another through the REST shim"
stop httpd
daemon d
ok "the daemon starts" wait_for 5 test -s "$SPOOL/nodes/testnode"
test -s "$SPOOL/nodes/testnode" || { cat "$T/d.err"; done_testing; exit 1; }
ok "the CLI cancel's webhook arrives" wait_for 10 sent "$cid" callbackSent True
n=$(nth /cancelled)
is "$(body "$n" status)" CANCELLED "... status CANCELLED"
is "$(body "$n" idExportJob)" "$cid" "... for that job"
is "$(body "$n" errorMessages)" "['cancelled by user']" "... cancelled by user"
ok "the REST cancel's webhook arrives" wait_for 10 sent "$aid" callbackSent True
ok "... and its mail" wait_for 10 sent "$aid" notifyEmailSent True
n=$(nth /apicancel)
is "$(body "$n" idExportJob) $(body "$n" status)" "$aid CANCELLED" \
    "... CANCELLED, for that job"
ok "... the mail says cancelled" grep -q \
    "^Subject: Export Ok $(echo "$aid" | cut -c1-8) cancelled" "$T/mail/1.eml"
ok "... by the user" sh -c "tr -d '\r' < '$T/mail/1.eml' | grep -q '^Reason: *cancelled by user\$'"

# a completed export: webhook and mail
id=$(xspool -c "$CONF" submit Ok -f CSV -w "$URL/done" -e ops@example.com)
ok "the export completes" wait_for 10 is_in "$id" completed
ok "callbackSent becomes true" wait_for 10 sent "$id" callbackSent True
ok "notifyEmailSent becomes true" wait_for 10 sent "$id" notifyEmailSent True
n=$(nth /done)
is "$(reqs /done)" 1 "one webhook"
is "$(body "$n" idExportJob)" "$id" "webhook: idExportJob"
is "$(body "$n" status)" COMPLETED "webhook: status COMPLETED"
is "$(body "$n" success)" True "webhook: success"
is "$(body "$n" fileName)" Ok.csv "webhook: fileName"
is "$(body "$n" fileSizeBytes)" "$(stat -c %s "$SPOOL/out/$id.zip")" \
    "webhook: fileSizeBytes is the zip's size"
ok "webhook: the signature verifies" recv verify $SECRET "$T/hooks" "$n"
id8=$(echo "$id" | cut -c1-8)
ok "mail: arrived with the subject" \
    sh -c "grep -q 'Subject: Export Ok $id8 completed' '$T/mail/'*.eml"
ok "no hint left" wait_for 5 sh -c "test -z \"\$(find '$SPOOL/notify' -type f)\""

# a hanging receiver delays nothing else: the export, another job and its
# webhook all get through while the hanging request is still open (the
# first try ends only at webhook_timeout, 20 s: long enough that a loaded
# machine gets the other job through first)
tries() { field "$1" "j['notify']['webhook'].get('tries', 0)"; }
hid=$(xspool -c "$CONF" submit Ok -w "$URL/hang")
ok "with a hanging receiver the export still completes" wait_for 10 is_in "$hid" completed
is "$(tries "$hid")" 0 "... before its webhook's first try ended"
ok "... its webhook is being tried" wait_for 5 sh -c "[ \$(/usr/bin/python3 '$RECV' count '$T/hooks' /hang) -ge 1 ]"
oid=$(xspool -c "$CONF" submit Ok -w "$URL/other")
ok "... another job completes meanwhile" wait_for 10 is_in "$oid" completed
ok "... and its webhook is delivered" wait_for 10 sent "$oid" callbackSent True
is "$(tries "$hid")" 0 "... all while the hanging request was still open"

# notify_each_failure: a webhook per failed attempt, then the cancel
bid=$(xspool -c "$CONF" submit Bad -w "$URL/badjob")
ok "a failing export ends cancelled" wait_for 15 is_in "$bid" cancelled
ok "three webhooks: two failed attempts and the cancel" \
    wait_for 10 sh -c "[ \$(/usr/bin/python3 '$RECV' count '$T/hooks' /badjob) -eq 3 ]"
statuses=$(/usr/bin/python3 -c 'import json,sys
print(" ".join(json.loads(r["body"])["status"] for r in map(json.loads, open(sys.argv[1])) if r["path"] == "/badjob"))' "$T/hooks")
is "$statuses" "FAILED FAILED CANCELLED" "... in order"
ok "... with the exporter's error" grep -q 'bad: something broke' "$T/hooks"
ok "... three distinct webhook-ids" sh -c "[ \$(/usr/bin/python3 -c 'import json,sys
print(len({r[\"headers\"][\"webhook-id\"] for r in map(json.loads, open(sys.argv[1])) if r[\"path\"] == \"/badjob\"}))' '$T/hooks') -eq 3 ]"

# (meanwhile the hanging webhook went on)
ok "the hanging webhook gives up after webhook_attempts" \
    wait_for 90 sh -c "grep -q '\"state\": *\"failed\"' '$SPOOL/completed/$hid.job'"
is "$(field "$hid" "j['result']['callbackSent']")" False "... callbackSent false"
is "$(reqs /hang)" 2 "... after 2 tries"
ok "... timed out" grep -q "timed out" "$SPOOL/completed/$hid.job"

# killed before the webhook is delivered: sent after the restart
kid=$(xspool -c "$CONF" submit Ok -w "$URL/slow/2")
ok "a slow receiver gets the webhook" wait_for 10 sh -c "[ \$(/usr/bin/python3 '$RECV' count '$T/hooks' /slow/2) -ge 1 ]"
kill -KILL "$(pid_of d)"
wait "$(pid_of d)" 2>/dev/null
ok "killed mid-delivery: the hint is there" test -e "$SPOOL/notify/testnode/$kid"
is "$(field "$kid" "j['notify']['webhook']['state']")" pending "... still pending"
daemon d2
ok "after the restart callbackSent becomes true" wait_for 10 sent "$kid" callbackSent True
is "$(reqs /slow/2)" 2 "... sent again, once"
is "$(/usr/bin/python3 -c 'import json,sys
print(len({r["headers"]["webhook-id"] for r in map(json.loads, open(sys.argv[1])) if r["path"] == "/slow/2"}))' "$T/hooks")" 1 \
    "... with the same webhook-id"

# a clean stop waits for a delivery in flight; a restart sends nothing twice
sid=$(xspool -c "$CONF" submit Ok -w "$URL/slow/1")
ok "another slow webhook on its way" wait_for 10 sh -c "[ \$(/usr/bin/python3 '$RECV' count '$T/hooks' /slow/1) -ge 1 ]"
stop d2
is "$?" 0 "the daemon stops cleanly (SIGTERM) meanwhile"
is "$(field "$sid" "j['result'].get('callbackSent')")" True \
    "... after the delivery in flight was answered and recorded"
ok "... no hint left" test -z "$(find "$SPOOL/notify" -type f)"
before=$(recv count "$T/hooks")
daemon d3
ok "the daemon restarts" grep -q 'started: node' "$T/d3.err"
sleep 1
is "$(recv count "$T/hooks")" "$before" "... and sends nothing again"
stop d3
done_testing
