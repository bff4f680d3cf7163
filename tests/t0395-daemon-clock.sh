#!/bin/sh
# t0395 - one clock: every time compared between nodes is the file
# server's (the heartbeat's mtime), not a node's own.  A node whose clock
# is 10 minutes ahead (faketime) neither retries another node's failed
# job before its nextAttempt nor reclaims a live node's running job.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

case ${XSPOOL_BIN:-} in
*/asan)	# libfaketime's LD_PRELOAD cannot come before ASan's runtime
	skip "a node with another clock" "faketime does not work with ASan"
	done_testing
	exit 0 ;;
esac
if ! command -v faketime >/dev/null; then
	skip "a node with another clock" "faketime is not installed"
	done_testing
	exit 0
fi
slow_types lease=4s retry_base=60s retry_max=60s <<CONF
CONF
cat >> "$CONF" <<CONF

[type Fail]
command = $EXP/bad exit
emits = csv
formats = JSON,CSV
CONF
daemon a -n nodea
drop late1 '{"type": "Fail"}'
ok "a's attempt fails" wait_for 10 is_in late1 failed
drop live1 "{\"type\": \"Slow\", \"params\": {\"sleep\": \"6\"}}"
ok "a runs a long job" wait_for 10 is_in live1 processing/nodea
# NO_FAKE_STAT, FAKE_UTIME=1: file times stay what the file system says
# (libfaketime fakes those of stat and of utime(NULL) by default), as on a real
# machine whose clock is wrong (libfaketime shifts them by default)
NO_FAKE_STAT=1 FAKE_UTIME=1; export NO_FAKE_STAT FAKE_UTIME
bg b faketime -f +10m xspoold -f -c "$CONF" -n nodeb
ok "node b (+10 min) starts" wait_for 10 grep -q 'started: node' "$T/b.err"
# faketime runs xspoold as its child: stop and clean up the daemon
# itself, not faketime (which left it running when killed)
PID_b=$(pgrep -P "$(pid_of b)" -x xspoold)
_pids="$_pids $PID_b"
ok "node b's daemon is found under faketime" test -n "$PID_b"
sleep 3
is "$(field late1 'j["attempts"]')" 1 "node b did not retry the failed job before its time"
is "$(where late1)" failed "it waits in failed/"
is "$(where live1)" processing/nodea "node b left node a's live job alone"
nok "node b judged no node lost" grep -q 'lost' "$T/b.err"
ok "the live job completes on node a" wait_for 20 is_in live1 completed
is "$(field live1 'j["node"]')" nodea "... run by node a"
stop b
stop a
done_testing
