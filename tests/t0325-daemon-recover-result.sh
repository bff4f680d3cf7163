#!/bin/sh
# t0325 - a kill between the zip's move into out/ and the job's final
# rewrite does not throw the finished export away: the worker records its
# success in the job file before the zip goes in place, and the next
# start completes such a job (its zip kept) instead of running it again.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types <<CONF
[type Never]
command = $EXP/bad exit
emits = csv
formats = JSON,CSV
CONF
mkdir -p "$SPOOL/processing/testnode" "$SPOOL/out"
# what a worker leaves when it is killed right after the zip's move
cat > "$SPOOL/processing/testnode/r1.job" <<JOB
{"type": "Never", "format": "CSV", "node": "testnode", "attempts": 0,
 "created": "2026-01-01T00:00:00Z", "started": "2026-01-01T00:00:01Z",
 "result": {"success": true, "errors": [], "durationMs": 5,
 "fileName": "Never.csv", "fileSizeBytes": 120, "records": 1}}
JOB
printf 'a\n1\n' > "$T/Never.csv"
(cd "$T" && zip -q "$SPOOL/out/r1.zip" Never.csv)
sum=$(sha256sum < "$SPOOL/out/r1.zip")
daemon d
ok "the job completes at start" wait_for 20 is_in r1 completed
ok "... as recovered" grep -q "r1 Never processing -> completed (recovered: its zip was in place)" "$T/d.err"
is "$(sha256sum < "$SPOOL/out/r1.zip")" "$sum" "its zip is the one that was in place"
is "$(field r1 'j["attempts"]')" 1 "one attempt"
is "$(field r1 'j["result"]["success"]')" True "a success"
nok "the exporter was not run again" grep -q "something broke" "$SPOOL/completed/r1.job"

# without the zip the recorded success is an interrupted attempt
cat > "$SPOOL/processing/testnode/r2.job" <<JOB
{"type": "Ok", "format": "CSV", "node": "testnode", "attempts": 0,
 "started": "2026-01-01T00:00:01Z",
 "result": {"success": true, "errors": [], "fileName": "Ok.csv"}}
JOB
stop d
daemon d2
ok "one without its zip runs again and completes" wait_for 20 is_in r2 completed
is "$(field r2 'j["attempts"]')" 2 "the interrupted attempt counted"
stop d2
done_testing
