#!/bin/sh
# t0300 - SIGTERM with running jobs: no new claims; exporters that finish
# within the grace period complete; the others are stopped after it (no
# process left) and handed back to failed/ as interrupted attempts, due
# at once and not counted; the heartbeat is removed; exit status 0.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types
daemon d -g 2s
drop long1 '{"type": "Slow", "params": {"sleep": "30"}}'
drop short1 '{"type": "Slow", "params": {"sleep": "1"}}'
ok "both run" wait_for 20 sh -c "[ \$(ls '$SPOOL/processing/testnode' | wc -l) -eq 2 ]"
drop later1 '{"type": "Ok"}'
t0=$(date +%s%3N)
stop d
st=$?
t1=$(date +%s%3N)
is "$st" 0 "exit status 0"
diag "stopped in $((t1 - t0)) ms (grace 2s)"
# (not waiting for the long job: 30 s; a loaded machine may be slow)
ok "within the grace period, not the long job's 30 s" test $((t1 - t0)) -lt 20000
ok "the short job finished within the grace period" is_in short1 completed
ok "the long job is handed back to failed/" is_in long1 failed
is "$(field long1 'j["attempts"]')" 0 "not counted as an attempt"
ok "its error says interrupted by shutdown" sh -c "grep -q 'interrupted by shutdown' '$SPOOL/failed/long1.job'"
is "$(field long1 'j["nextAttempt"] <= j["finished"]')" True "it is due at once"
ok "no exporter process left" sh -c "! pgrep -f '[s]leep 30; : $M' >/dev/null"
ok "the job dropped meanwhile was not claimed" is_in later1 queued
ok "heartbeat removed" test ! -e "$SPOOL/nodes/testnode"
ok "nothing left in processing/" test "$(jobs processing)" -eq 0

# a restart takes the handed-back job at once
sed -i 's/"sleep": "30"/"sleep": "0"/' "$SPOOL/failed/long1.job"
daemon d2
ok "after a restart it completes" wait_for 20 is_in long1 completed
is "$(field long1 'j["attempts"]')" 1 "attempts 1"
stop d2
done_testing
