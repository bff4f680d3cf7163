#!/bin/sh
# t0391 - without -f the daemon detaches: the command returns 0 at once
# with nothing on stderr (it logs to syslog), the detached daemon writes
# its pid into its heartbeat, serves jobs, and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types </dev/null
xspoold -c "$CONF" > "$T/out" 2> "$T/err"
is "$?" 0 "the command exits 0"
ok "nothing on stderr" test ! -s "$T/err"
hb() { grep -q '^pid [0-9]' "$SPOOL/nodes/testnode" 2>/dev/null; }
ok "the heartbeat appears" wait_for 10 hb
pid=$(sed -n 's/^pid \([0-9]*\)$/\1/p' "$SPOOL/nodes/testnode")
_pids="$_pids $pid"
ok "the detached daemon runs" kill -0 "$pid"
ok "not a child of the shell that started it" \
    test "$(ps -o ppid= -p "$pid" | tr -d ' ')" != "$$"
drop det1 '{"type": "Ok"}'
ok "it serves jobs" wait_for 10 is_in det1 completed
kill -TERM "$pid"
dead() { ! kill -0 "$pid" 2>/dev/null; }
ok "SIGTERM stops it" wait_for 10 dead
ok "its heartbeat is removed" test ! -e "$SPOOL/nodes/testnode"
done_testing
