#!/bin/sh
# t0230 - workers = 4: four held jobs run at the same time; a fifth, quick
# job submitted after them waits only for a free worker: it stays queued
# while all four are held and completes once one is released, before any
# other is.  With free workers, a quick job completes while slow ones
# still run.  Ordering only: the held jobs end when the test says so.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types workers=4
daemon d

log=$T/run.log
held() {	# held ID : a Slow job that runs until $T/go-ID exists
	drop "$1" "{\"type\": \"Slow\", \"params\": {\"go\": \"$T/go-$1\", \"log\": \"$log\"}}"
}
release() { : > "$T/go-$1"; }
for i in 1 2 3 4; do
	held slow$i
done
running4() { [ "$(grep -c '^start' "$log" 2>/dev/null)" -eq 4 ]; }
ok "four held jobs start" wait_for 30 running4
is "$(jobs processing)" 4 "four in processing/ at once"
is "$(grep -c '^end' "$log")" 0 "none has ended yet"

# all workers busy: a quick job waits in queued/ until one frees
drop quick1 '{"type": "Ok"}'
ok "it stays queued while all four workers are held" is_in quick1 queued
t0=$(date +%s%3N)
release slow1
ok "once one is released, the quick job completes" wait_for 30 is_in quick1 completed
t1=$(date +%s%3N)
diag "quick job done $((t1 - t0)) ms after the first worker was released"
is "$(grep -c '^end' "$log")" 1 "... before any other held job ended"
for i in 2 3 4; do
	release slow$i
done
ok "all four held ones complete" wait_for 30 sh -c "[ \$(ls '$SPOOL/completed' | grep -c '^slow') -eq 4 ]"

# with free workers, a quick job is not held up by running ones
held slow5
held slow6
ok "two held jobs run" wait_for 30 sh -c "[ -e '$SPOOL/processing/testnode/slow5.job' ] && [ -e '$SPOOL/processing/testnode/slow6.job' ]"
t0=$(date +%s%3N)
drop quick2 '{"type": "Ok"}'
ok "a quick job beside two held ones completes" wait_for 30 is_in quick2 completed
t1=$(date +%s%3N)
diag "quick job beside held ones: $((t1 - t0)) ms"
ok "the held ones still run" test -e "$SPOOL/processing/testnode/slow5.job" \
    -a -e "$SPOOL/processing/testnode/slow6.job"
release slow5
release slow6
ok "then they complete" wait_for 30 sh -c "[ -e '$SPOOL/completed/slow5.job' ] && [ -e '$SPOOL/completed/slow6.job' ]"
stop d
done_testing
