#!/bin/sh
# t0340 - a running job's progress (records, bytes) is written into its
# processing/NODE/ID.job every few seconds while it runs; the heartbeat is
# touched every lease/4.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types lease=2s <<CONF
[type Drip]
command = $EXP/drip 30
emits = csv
formats = JSON,CSV
CONF
daemon d
drop drip1 '{"type": "Drip"}'
P=$SPOOL/processing/testnode/drip1.job
ok "it runs" wait_for 20 test -e "$P"
hasprog() { grep -q '"records": [1-9]' "$P"; }
ok "progress with records appears while it runs" wait_for 20 hasprog
r1=$(sed -n 's/.*"records": \([0-9]*\).*/\1/p' "$P" | head -n 1)
sleep 2.5
r2=$(sed -n 's/.*"records": \([0-9]*\).*/\1/p' "$P" | head -n 1)
diag "records: $r1 then $r2"
ok "and grows" test "${r2:-0}" -gt "${r1:-0}"
ok "bytes too" grep -q '"bytes": [1-9]' "$P"
m1=$(stat -c %Y.%y "$SPOOL/nodes/testnode")
sleep 0.7
m2=$(stat -c %Y.%y "$SPOOL/nodes/testnode")
ok "the heartbeat is touched every lease/4" test "$m1" != "$m2"
ok "the job completes" wait_for 10 is_in drip1 completed
is "$(field drip1 'j["result"]["records"]')" 30 "all records"
is "$(field drip1 '"progress" in j')" False "no progress left in the final file"
stop d
done_testing
