#!/bin/sh
# t0370 - the daemon's own safety net: a worker that hangs (here: stopped
# with SIGSTOP after its exporter is done) is killed at timeout +
# kill_grace + 5 s, and its attempt fails with an error saying so; the
# daemon serves other jobs meanwhile.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types max_attempts=1 kill_grace=200ms -- 'timeout = 1s'
daemon d
drop hung1 '{"type": "Slow", "params": {"sleep": "0.5"}}'
wait_for 5 pgrep -P "$(pid_of d)" >/dev/null
worker=$(pgrep -P "$(pid_of d)" | head -n 1)
ok "a worker process runs" test -n "$worker"
kill -STOP "$worker"
drop other1 '{"type": "Ok"}'
ok "other jobs are served meanwhile" wait_for 5 is_in other1 completed
ok "the hung worker's job is still processing" is_in hung1 processing/testnode
ok "after the deadline it is cancelled (max_attempts 1)" wait_for 15 is_in hung1 cancelled
errs=$(field hung1 '"|".join(j["result"]["errors"])')
diag "hung1: $errs"
ok "the error says it overran its deadline" sh -c "echo '$errs' | grep -q 'deadline'"
ok "the worker is gone" sh -c "! kill -0 $worker 2>/dev/null"
ok "the log says so" grep -q 'hung1: the worker overran its deadline' "$T/d.err"
stop d
done_testing
