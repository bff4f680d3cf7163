#!/bin/sh
# t0250 - leases: jobs in processing/OTHER/ whose nodes/OTHER heartbeat is
# older than lease are reclaimed as failed attempts ("node lost") and run
# again; with a fresh heartbeat they are left alone (lease 3s: a loaded
# machine may stall the toucher for a second or two).  A heartbeat that
# states its holder's lease ("lease MS", a node configured with a longer
# one, which beats less often) is judged by that lease, not ours.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types lease=3s retry_base=100ms </dev/null
mkdir -p "$SPOOL/processing/lost" "$SPOOL/processing/alive" \
    "$SPOOL/processing/ghost" "$SPOOL/processing/long" "$SPOOL/nodes" \
    "$SPOOL/queued"
job='{"type": "Ok", "format": "CSV", "node": "x", "started": "2026-01-01T00:00:00Z"}'
echo "$job" > "$SPOOL/processing/lost/stale1.job"
echo "$job" > "$SPOOL/processing/alive/fresh1.job"
echo "$job" > "$SPOOL/processing/ghost/ghost1.job"
echo "$job" > "$SPOOL/processing/long/long1.job"
touch -d '10 minutes ago' "$SPOOL/processing/ghost/ghost1.job"
echo "pid 1" > "$SPOOL/nodes/lost"
touch -d '1 hour ago' "$SPOOL/nodes/lost"
echo "pid 1" > "$SPOOL/nodes/alive"
# a node with lease 10 minutes, last beat 20 s ago: alive by its lease
printf 'pid 1\nlease 600000\n' > "$SPOOL/nodes/long"
touch -d '20 seconds ago' "$SPOOL/nodes/long" "$SPOOL/processing/long/long1.job"

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
ok "a heartbeat older than our lease but not its own: job left alone" \
    is_in long1 processing/long
xspool -c "$CONF" check > "$T/check.out" 2>&1
ok "xspool check: no stale lease for that node" \
    sh -c "! grep -q 'processing/long' '$T/check.out'"
kill "$toucher"
ok "once its heartbeat stops, it is reclaimed too" wait_for 10 is_in fresh1 completed
is "$(field fresh1 'j["node"]')" testnode "now run by us"
ok "our own heartbeat is fresh" test -n "$(find "$SPOOL/nodes/testnode" -newermt '-3 seconds')"
ok "it holds our pid" grep -q "pid $(pid_of d)" "$SPOOL/nodes/testnode"
stop d
done_testing
