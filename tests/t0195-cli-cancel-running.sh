#!/bin/sh
# t0195 - cancel --running through real daemons: the daemon running the
# job (on whichever node) kills its exporter's process group and moves it
# to cancelled/ (cancelledBy "operator") within seconds, no zip and no
# request file left, the node goes on with other jobs; the REST API still
# refuses to cancel a running job (404 NOT_FOUND, as for any job not
# QUEUED); an old request for no running job is swept.  resubmit makes a new job from a finished one's request, and
# asks for the password again when the original's zip was encrypted.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types workers=2 lease=4s < /dev/null
# a relay, so that e-mail is taken (port 9: the mail is never delivered)
sed -i 's|^\[notify\]$|&\nsmtp = smtp://127.0.0.1:9|' "$CONF"
X="xspool -c $CONF"
py=/usr/bin/python3
$X list > /dev/null
daemon a -n nodea
daemon b -n nodeb

exporter_runs() { pgrep -f -- "$M" > /dev/null; }
exporter_gone() { ! pgrep -f -- "$M" > /dev/null; }
running() { is_in "$1" "processing/$2" && exporter_runs; }

id=$($X submit Slow -C erp -f CSV -e ops@example.com -P sleep=60)
ok "the slow job runs" wait_for 20 sh -c "[ -n \"\$(find '$SPOOL/processing' -name '$id.job')\" ]"
node=$(where "$id" | sed 's|processing/||')
ok "its exporter runs (on $node)" wait_for 20 exporter_runs
$X cancel "$id" > /dev/null 2> "$T/c0"
is "$?" 1 "cancel without --running: exit 1"
ok "and says how" grep -q 'is PROCESSING: .*--running stops a running one' "$T/c0"
ok "the job still runs" is_in "$id" "processing/$node"

t0=$(date +%s%3N)
$X cancel --running "$id" > "$T/c1" 2> "$T/c1.err"
r=$?
t1=$(date +%s%3N)
diag "cancel --running took $((t1 - t0)) ms"
is "$r" 0 "cancel --running: exit 0"
is "$(cat "$T/c1")" CANCELLED "prints CANCELLED"
ok "well before the CLI's 60 s limit" test $((t1 - t0)) -lt 40000
ok "the job is in cancelled/" is_in "$id" cancelled
is "$($X status "$id" --json | $py -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["cancelledBy"], j["result"]["success"], j["result"]["errors"][-1])')" \
    "CANCELLED operator False attempt 1: cancelled by an operator while running" \
    "status: CANCELLED by operator, with the reason"
ok "the exporter's process group is gone" wait_for 10 exporter_gone
ok "no zip in out/" test ! -e "$SPOOL/out/$id.zip"
is "$(find "$SPOOL/tmp" -name "*$id*" | wc -l)" 0 "nothing of it in tmp/"
is "$(find "$SPOOL/processing" -type f ! -name '*.job' | wc -l)" 0 "no request file left in processing/"
grep -h "$id" "$T/a.err" "$T/b.err" > "$T/log"
ok "the daemon logs the cancel" grep -q "cancel requested" "$T/log"
ok "and the move" grep -q "processing -> cancelled (cancelled while running)" "$T/log"
nok "and no worker warning" grep -q 'overran\|worker .* killed\|exited' "$T/log"

# the nodes go on: another job completes
ok2=$($X submit Ok -f CSV)
ok "the nodes go on with other jobs" wait_for 30 is_in "$ok2" completed

# the other node's job: the same from here, whichever node runs it
id2=$($X submit Slow -P sleep=60)
ok "a second slow job runs" wait_for 20 sh -c "[ -n \"\$(find '$SPOOL/processing' -name '$id2.job')\" ]"
n2=$(where "$id2" | sed 's|processing/||')
ok "its exporter runs (on $n2)" wait_for 20 exporter_runs
is "$($X cancel --running "$id2")" CANCELLED "cancel --running on $n2: CANCELLED"
ok "its exporter is gone too" wait_for 10 exporter_gone

# cancel --running of a queued job cancels it as a plain cancel does
stop a
stop b
id3=$($X submit Slow)
$X cancel --running "$id3" > "$T/c3"
is "$?" 0 "cancel --running of a queued job: exit 0"
ok "it is cancelled" is_in "$id3" cancelled
$X cancel --running "$ok2" 2> "$T/c4"
is "$?" 1 "cancel --running of a completed job: exit 1"
ok "names its state" grep -q "is COMPLETED" "$T/c4"

# the REST API keeps refusing to cancel a running job
. "$TOP/tests/openapi/httpd.sh"
A=$(newkey erp)
hstart
mkdir -p "$SPOOL/processing/nodea"
echo 1 > "$SPOOL/processing/nodea/stale-1.cancel"
touch -d '-2 min' "$SPOOL/processing/nodea/stale-1.cancel"
echo 1 > "$SPOOL/processing/nodea/fresh-1.cancel"
daemon a2 -n nodea
ok "a daemon removes an old request for no running job" \
    test ! -e "$SPOOL/processing/nodea/stale-1.cancel"
ok "and leaves a fresh one (its writer may still be waiting)" \
    test -e "$SPOOL/processing/nodea/fresh-1.cancel"
rm -f "$SPOOL/processing/nodea/fresh-1.cancel"
id4=$($X submit Slow -C erp -P sleep=60)
ok "a job of client erp runs" wait_for 20 sh -c "[ -n \"\$(find '$SPOOL/processing' -name '$id4.job')\" ]"
req DELETE "/api/v1/ExportRequest/Cancel/$id4" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "REST: cancel of a PROCESSING job is refused as before (404 NOT_FOUND)"
ok "it still runs" sh -c "[ -n \"\$(find '$SPOOL/processing' -name '$id4.job')\" ]"
is "$($X cancel --running "$id4")" CANCELLED "the operator can"
stop a2
stop httpd

# resubmit
new=$($X resubmit "$id")
is "$?" 0 "resubmit of a cancelled job: exit 0"
ok "prints a new id" test -n "$new" -a "$new" != "$id"
is "$(field "$new" '[j["type"], j["format"], j["client"], j["email"], j["params"], j.get("password"), j["attempts"] if "attempts" in j else 0]')" \
    "['Slow', 'CSV', 'erp', 'ops@example.com', {'sleep': '60'}, None, 0]" \
    "the new job has the request: type, format, client, e-mail, params"
ok "it is queued" is_in "$new" queued
$X resubmit "$new" 2> "$T/r1"
is "$?" 1 "resubmit of a queued job: exit 1"
ok "says why" grep -q "is QUEUED: only a COMPLETED, FAILED or CANCELLED" "$T/r1"

# an encrypted one: its password is gone once it ended
pid=$($X submit Ok -p secret1 -w https://hooks.example.com/x)
bg a3 xspoold -f -c "$CONF" -n nodea
ok "the encrypted job completes" wait_for 30 is_in "$pid" completed
stop a3
ok "its file keeps no password" sh -c "! grep -q secret1 '$SPOOL/completed/$pid.job'"
ok "status says one was set" sh -c "$X status '$pid' | grep -q 'password: *(was set; not kept)'"
$X resubmit "$pid" > "$T/r2" 2> "$T/r2.err"
is "$?" 2 "resubmit of an encrypted job without -p: exit 2"
ok "asks for the password again" grep -q "zip was encrypted and its password is not kept.*-p.*--no-password" "$T/r2.err"
is "$(cat "$T/r2")" "" "and queues nothing"
p2=$(echo secret2 | $X resubmit "$pid" -p -)
ok "resubmit -p -: a new job" is_in "$p2" queued
is "$(field "$p2" '[j["password"], j["encrypted"], j["callback"]]')" \
    "['secret2', True, 'https://hooks.example.com/x']" "with the new password and the callback"
p3=$($X resubmit --no-password "$pid")
is "$(field "$p3" '[j.get("password"), j.get("encrypted")]')" "[None, None]" \
    "--no-password: a job without one"
$X resubmit "$pid" -p x --no-password > /dev/null 2>&1
is "$?" 2 "-p with --no-password: exit 2"

# retry never runs an encrypted job again without its password
eid=$($X submit Slow -p secret3)
$X cancel "$eid"
$X retry "$eid" 2> "$T/rt"
is "$?" 1 "retry of a cancelled encrypted job: exit 1"
ok "points to resubmit -p" grep -q "password is not kept: xspool resubmit $eid -p PASSWORD" "$T/rt"
ok "it stays cancelled" is_in "$eid" cancelled
# a dropped file's password marks it encrypted once claimed
printf '{"type": "Slow", "password": "pw", "params": {"sleep": "0"}}\n' > "$SPOOL/queued/drop-enc.job"
bg a4 xspoold -f -c "$CONF" -n nodea
ok "the dropped encrypted job completes" wait_for 30 is_in drop-enc completed
stop a4
is "$(field drop-enc '[j.get("password"), j.get("encrypted")]')" "[None, True]" \
    "a dropped file's password: encrypted, the password gone"
done_testing
