#!/bin/sh
# t0200 - a job's life through the real daemon: submitted with xspool,
# claimed, exported, zipped into out/ID.zip, moved to completed/.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types </dev/null
daemon d
ok "the daemon writes its heartbeat" wait_for 20 test -s "$SPOOL/nodes/testnode"

id=$(xspool -c "$CONF" submit Ok -f CSV -p sesame)
ok "submit prints an id" test -n "$id"
ok "the job is completed" wait_for 10 is_in "$id" completed
ok "out/ID.zip is in place" test -s "$SPOOL/out/$id.zip"
is "$(field "$id" 'j["result"]["success"]')" True "result.success"
is "$(field "$id" 'j["attempts"]')" 1 "attempts 1"
is "$(field "$id" 'j["result"]["records"]')" 3 "records counted"
is "$(field "$id" 'j["result"]["fileName"]')" Ok.csv "file name"
is "$(field "$id" 'j["result"]["fileSizeBytes"]')" \
    "$(stat -c %s "$SPOOL/out/$id.zip")" "fileSizeBytes is the zip's size"
is "$(field "$id" 'j["node"]')" testnode "node recorded"
is "$(field "$id" '"password" in j')" False "password removed"
is "$(field "$id" 'bool(j["started"] and j["finished"])')" True "started and finished recorded"
is "$(cd "$T" && 7z x -y -psesame "$SPOOL/out/$id.zip" >/dev/null 2>&1 && head -n 1 Ok.csv | tr -d '\r')" \
    'id,name' "the zip opens with the password and holds the CSV"
ok "the log has the transitions" grep -q "$id Ok queued -> processing (claimed)" "$T/d.err"
ok "... and the end" grep -q "$id Ok processing -> completed (done)" "$T/d.err"
ok "nothing left in tmp/" test -z "$(ls "$SPOOL/tmp")"

# a job dropped straight into queued/ (no tmp/), JSON by default
drop direct1 '{"type": "Ok"}'
ok "a dropped job is processed" wait_for 10 is_in direct1 completed
is "$(field direct1 'j["format"]')" JSON "format defaults to JSON"
ok "JSON entry in the zip" sh -c "unzip -l '$SPOOL/out/direct1.zip' | grep -q Ok.json"

stop d
is "$?" 0 "SIGTERM: exit 0"
ok "heartbeat removed on a clean stop" test ! -e "$SPOOL/nodes/testnode"
done_testing
