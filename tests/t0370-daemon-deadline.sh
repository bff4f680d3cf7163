#!/bin/sh
# t0370 - the daemon's own safety net: a worker that hangs (here: stopped
# with SIGSTOP while its exporter runs) is killed at timeout + kill_grace
# + 5 s with its exporter's process group, and its attempt fails with an
# error saying so; the daemon serves other jobs meanwhile.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

# timeout 10 s: the deadline is 15.2 s after the start, room enough for
# the other job on a loaded machine
slow_types max_attempts=1 kill_grace=200ms -- 'timeout = 10s'
daemon d
drop hung1 '{"type": "Slow", "params": {"sleep": "30"}}'
exporter() { pgrep -f "[s]leep 30; : $M" >/dev/null; }
ok "its exporter runs" wait_for 10 exporter
# the worker running it is the exporter's parent (the others are idle)
worker=$(ps -o ppid= -p "$(pgrep -f "[s]low $M" | head -n 1)" | tr -d ' ')
ok "a worker process runs it" test -n "$worker"
# a stopped worker enforces no timeout and handles no SIGTERM
kill -STOP "$worker"
drop other1 '{"type": "Ok"}'
ok "other jobs are served meanwhile" wait_for 15 is_in other1 completed
ok "the hung worker's job is still processing" is_in hung1 processing/testnode
ok "after the deadline it is cancelled (max_attempts 1)" wait_for 60 is_in hung1 cancelled
errs=$(field hung1 '"|".join(j["result"]["errors"])')
diag "hung1: $errs"
ok "the error says it overran its deadline" sh -c "echo '$errs' | grep -q 'deadline'"
ok "the worker is gone" sh -c "! kill -0 $worker 2>/dev/null"
gone() { ! exporter; }
ok "its exporter was killed with it (no process left)" wait_for 5 gone
ok "the log says so" grep -q 'hung1: the worker overran its deadline' "$T/d.err"
stop d
done_testing
