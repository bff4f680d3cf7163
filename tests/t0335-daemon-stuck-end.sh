#!/bin/sh
# t0335 - a job whose end cannot be moved (here completed/ID.job is taken,
# as a full disk would refuse the rewrite) stays in processing/, is tried
# again with backoff and logged once: the exporter never runs again, the
# daemon does not spin, and once the way is clear the job completes.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types lease=2s retry_base=200ms retry_max=1s
daemon d
drop s1 "{\"type\": \"Slow\", \"params\": {\"sleep\": \"1\", \"log\": \"$T/runs\"}}"
ok "the job runs" wait_for 10 grep -q '^start s1' "$T/runs"
echo '{"type": "Ok"}' > "$SPOOL/completed/s1.job"
ok "its end cannot be moved" wait_for 10 grep -q 's1: cannot move to completed/' "$T/d.err"
sleep 4
is "$(grep -c 's1: cannot move' "$T/d.err")" 1 "logged once, though tried again"
is "$(grep -c '^start s1' "$T/runs")" 1 "the exporter ran once"
ok "the job is still in processing/" test -e "$SPOOL/processing/testnode/s1.job"
ok "its zip is kept" test -s "$SPOOL/out/s1.zip"
cpu=$(ps -o times= -p "$(pid_of d)" | tr -d ' ')
diag "daemon CPU seconds so far: $cpu"
ok "the daemon did not spin (under 3 s of CPU)" test "$cpu" -lt 3
rm "$SPOOL/completed/s1.job"
ok "once clear, the job completes" wait_for 20 is_in s1 completed
is "$(field s1 'j["type"]')" Slow "with its own text"
stop d
done_testing
