#!/bin/sh
# t0250 - leases: jobs in processing/OTHER/ whose nodes/OTHER heartbeat is
# older than lease are reclaimed as failed attempts ("node lost") and run
# again; with a fresh heartbeat they are left alone (lease 3s: a loaded
# machine may stall the toucher for a second or two).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types lease=3s retry_base=100ms </dev/null
mkdir -p "$SPOOL/processing/lost" "$SPOOL/processing/alive" \
    "$SPOOL/processing/ghost" "$SPOOL/nodes" "$SPOOL/queued"
job='{"type": "Ok", "format": "CSV", "node": "x", "started": "2026-01-01T00:00:00Z"}'
echo "$job" > "$SPOOL/processing/lost/stale1.job"
echo "$job" > "$SPOOL/processing/alive/fresh1.job"
echo "$job" > "$SPOOL/processing/ghost/ghost1.job"
touch -d '10 minutes ago' "$SPOOL/processing/ghost/ghost1.job"
echo "pid 1" > "$SPOOL/nodes/lost"
touch -d '1 hour ago' "$SPOOL/nodes/lost"
echo "pid 1" > "$SPOOL/nodes/alive"

# the "alive" node keeps touching its heartbeat
( while :; do touch "$SPOOL/nodes/alive"; sleep 0.2; done ) &
toucher=$!
_pids="$_pids $toucher"

daemon d
ok "the stale node's job is reclaimed and completes" wait_for 10 is_in stale1 completed
is "$(field stale1 'j["attempts"]')" 2 "the lost attempt counted"
ok "the log names the lost node" grep -q 'stale1: node lost lost' "$T/d.err"
ok "a job with no heartbeat file and an old mtime is reclaimed" wait_for 10 is_in ghost1 completed
sleep 4
ok "the live node's job is left alone (after > lease)" is_in fresh1 processing/alive
kill "$toucher"
ok "once its heartbeat stops, it is reclaimed too" wait_for 10 is_in fresh1 completed
is "$(field fresh1 'j["node"]')" testnode "now run by us"
ok "our own heartbeat is fresh" test -n "$(find "$SPOOL/nodes/testnode" -newermt '-3 seconds')"
ok "it holds our pid" grep -q "pid $(pid_of d)" "$SPOOL/nodes/testnode"
stop d
done_testing
