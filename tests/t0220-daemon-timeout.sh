#!/bin/sh
# t0220 - an exporter that hangs past its timeout is stopped with its whole
# process group (no process left behind), the attempt fails with a clear
# error, and the daemon goes on serving other jobs meanwhile.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types max_attempts=1 kill_grace=500ms -- 'timeout = 1s'
daemon d

drop hang1 '{"type": "Slow", "params": {"sleep": "60"}}'
alive() { pgrep -f "[s]leep 60; : $M" >/dev/null || pgrep -f "[s]low $M" >/dev/null; }
ok "the exporter and its child run" wait_for 5 alive
drop quick1 '{"type": "Ok"}'
ok "another job is served meanwhile" wait_for 5 is_in quick1 completed
ok "the hung job ends cancelled (max_attempts 1)" wait_for 10 is_in hang1 cancelled
errs=$(field hang1 '"|".join(j["result"]["errors"])')
diag "errors: $errs"
ok "the error names the timeout" sh -c "echo '$errs' | grep -qi 'timeout\|timed out'"
dead() { ! alive; }
ok "no process of the group left" wait_for 3 dead
ok "no zip for it" test ! -e "$SPOOL/out/hang1.zip"
ok "tmp/ is clean" test -z "$(ls "$SPOOL/tmp")"
stop d
done_testing
