#!/bin/sh
# t0240 - crash safety: kill -9 the daemon while jobs run, restart it;
# every job ends in exactly one state and none is lost.  Repeated at
# several points, plus the state a crash between the final rewrite and
# the move leaves behind (the file already says what happened), and one
# right after a claim, before the claim was recorded in the file.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types max_attempts=10 retry_base=50ms retry_max=200ms

once() {	# once ID : ID's file is in exactly one state directory
	[ "$(find "$SPOOL" -name "$1.job" ! -path "$SPOOL/tmp/*" | wc -l)" -eq 1 ]
}

# 1. mid-export: two slow exporters running
daemon d1
drop mid1 '{"type": "Slow", "params": {"sleep": "20"}}'
drop mid2 '{"type": "Slow", "params": {"sleep": "20"}}'
ok "both run" wait_for 20 sh -c "[ \$(find '$SPOOL/processing' -name 'mid*.job' | wc -l) -eq 2 ]"
ok "their exporters run" wait_for 20 sh -c "pgrep -f '[s]leep 20; : $M' >/dev/null"
kill -9 "$(pid_of d1)"; wait "$(pid_of d1)" 2>/dev/null
ok "the workers and exporters die with the daemon" wait_for 20 sh -c "! pgrep -f '[s]leep 20; : $M' >/dev/null"
ok "the jobs are still in processing/" test "$(jobs processing)" -eq 2
sed -i 's/"sleep": "20"/"sleep": "0"/' "$SPOOL"/processing/testnode/mid*.job
daemon d2
ok "restart: mid1 completes" wait_for 30 is_in mid1 completed
ok "restart: mid2 completes" wait_for 30 is_in mid2 completed
is "$(field mid1 'j["attempts"]')" 2 "the interrupted attempt counts"
ok "the log says it was interrupted" grep -q 'mid1 Slow processing -> failed (attempt 1: interrupted' "$T/d2.err"
stop d2

# 2. kill -9 at random points while a stream of quick jobs runs
N=20
i=1
while [ $i -le $N ]; do
	drop "q$i" '{"type": "Slow", "params": {"sleep": "0.3"}}'
	i=$((i + 1))
done
for round in 1 2 3 4 5; do
	daemon "r$round"
	sleep 0.$((round * 7 % 10))
	kill -9 "$(pid_of "r$round")"; wait "$(pid_of "r$round")" 2>/dev/null
done
diag "after 5 crashes: queued $(jobs queued) processing $(jobs processing) failed $(jobs failed) completed $(jobs completed)"
daemon final
alldone() { [ "$(jobs completed)" -eq $((N + 2)) ]; }
ok "after the crashes every job completes" wait_for 90 alldone
lost=0; twice=0; nozip=0
i=1
while [ $i -le $N ]; do
	n=$(find "$SPOOL" -name "q$i.job" ! -path "$SPOOL/tmp/*" | wc -l)
	[ "$n" -eq 0 ] && lost=$((lost + 1))
	[ "$n" -gt 1 ] && twice=$((twice + 1))
	[ -s "$SPOOL/out/q$i.zip" ] || nozip=$((nozip + 1))
	i=$((i + 1))
done
is "$lost" 0 "no job lost"
is "$twice" 0 "no job in two states"
is "$nozip" 0 "every completed job has its zip"
is "$(total)" $((N + 2)) "the number of job files is the number of jobs"
is "$(ls "$SPOOL/out" | wc -l)" $((N + 2)) "no stray zips"
stop final

# 3. what a crash between the final rewrite and the move leaves
P=$SPOOL/processing/testnode
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat > "$P/done1.job" <<JOB
{"type": "Ok", "format": "CSV", "attempts": 1, "node": "testnode",
 "started": "$now", "finished": "$now",
 "result": {"success": true, "errors": [], "durationMs": 5,
  "fileName": "Ok.csv", "fileSizeBytes": 3, "records": 1}}
JOB
printf 'zip' > "$SPOOL/out/done1.zip"
cat > "$P/fail1.job" <<JOB
{"type": "Ok", "format": "CSV", "attempts": 1, "node": "testnode",
 "started": "$now", "finished": "$now", "nextAttempt": "2099-01-01T00:00:00Z",
 "result": {"success": false, "errors": ["attempt 1: boom"]}}
JOB
cat > "$P/gone1.job" <<JOB
{"type": "Ok", "format": "CSV", "attempts": 10, "node": "testnode",
 "started": "$now", "finished": "$now", "cancelledBy": "attempts",
 "result": {"success": false, "errors": ["attempt 10: boom"]}}
JOB
# a crash right after a claim, before its record (node, started) was
# written: the file still holds the queued text
printf '{"type": "Ok", "format": "CSV"}\n' > "$P/claim1.job"
daemon again
ok "a finished success goes to completed/" is_in done1 completed
is "$(cat "$SPOOL/out/done1.zip")" zip "... with its zip untouched (not run again)"
ok "a finished failure goes to failed/" is_in fail1 failed
is "$(field fail1 'j["attempts"]')" 1 "... not counted twice"
ok "a finished last attempt goes to cancelled/" is_in gone1 cancelled
ok "a claim without its record is an interrupted attempt, run again" \
    wait_for 30 is_in claim1 completed
is "$(field claim1 'j["attempts"]')" 2 "... counted"
for id in done1 fail1 gone1 claim1; do
	ok "$id in exactly one state" once $id
done
stop again
done_testing
