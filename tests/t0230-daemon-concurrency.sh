#!/bin/sh
# t0230 - workers = 4: four slow jobs run at the same time, and a fifth,
# quick job submitted after them is not held up by the event loop (it
# waits only for a free worker, and is picked up the moment one frees).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types workers=4
daemon d

log=$T/run.log
for i in 1 2 3 4; do
	drop slow$i "{\"type\": \"Slow\", \"params\": {\"sleep\": \"2\", \"log\": \"$log\"}}"
done
running4() { [ "$(grep -c '^start' "$log" 2>/dev/null)" -eq 4 ]; }
ok "four slow jobs start" wait_for 5 running4
is "$(jobs processing)" 4 "four in processing/ at once"
is "$(grep -c '^end' "$log")" 0 "none has ended yet"

# fill the workers, then a quick job: it is claimed as soon as one frees
t0=$(date +%s%3N)
drop quick1 '{"type": "Ok"}'
ok "the quick job completes" wait_for 10 is_in quick1 completed
t1=$(date +%s%3N)
first_end=$(grep '^end' "$log" | awk '{print $3}' | sort -n | head -n 1)
diag "quick job done $((t1 - t0)) ms after its drop; $((t1 - first_end)) ms after the first slow job ended"
ok "it waited only for a free worker (< 1.5 s after the first slow job ended)" \
    test $((t1 - first_end)) -lt 1500
ok "all four slow ones complete" wait_for 10 sh -c "[ \$(ls '$SPOOL/completed' | grep -c '^slow') -eq 4 ]"

# with free workers, a quick job is not delayed by running slow ones
for i in 5 6; do
	drop slow$i "{\"type\": \"Slow\", \"params\": {\"sleep\": \"3\", \"log\": \"$log\"}}"
done
wait_for 5 is_in slow6 processing/testnode
t0=$(date +%s%3N)
drop quick2 '{"type": "Ok"}'
ok "a quick job beside two slow ones" wait_for 5 is_in quick2 completed
t1=$(date +%s%3N)
diag "quick job beside slow ones: $((t1 - t0)) ms"
ok "done within 2 s (the slow ones take 3 s)" test $((t1 - t0)) -lt 2000
ok "the slow ones still run" is_in slow5 processing/testnode
stop d
done_testing
