#!/bin/sh
# t0380 - two nodes on one spool, one killed with -9 while it runs jobs:
# the survivor reclaims them once the dead node's lease runs out ("node
# lost", a counted attempt), and every job ends completed, in exactly one
# state, with its zip.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

N=16
slow_types lease=2s retry_base=100ms
daemon a -n nodea
daemon b -n nodeb
i=1
while [ $i -le $N ]; do
	drop "s$i" '{"type": "Slow", "params": {"sleep": "0.4"}}'
	i=$((i + 1))
done
held() { [ "$(ls "$SPOOL/processing/nodea" | wc -l)" -gt 0 ]; }
ok "node a is running jobs" wait_for 5 held
kill -9 "$(pid_of a)"
wait "$(pid_of a)" 2>/dev/null
ok "its jobs are left in processing/nodea/" held
alldone() { [ "$(jobs completed)" -eq $N ]; }
ok "node b finishes every job" wait_for 30 alldone
ok "node b reclaimed node a's jobs" grep -q 'node nodea lost' "$T/b.err"
ok "processing/nodea/ is empty" test -z "$(ls "$SPOOL/processing/nodea")"
is "$(total)" $N "$N job files in all, none twice"
is "$(ls "$SPOOL/out" | wc -l)" $N "$N zips"
ok "a reclaimed job counts the lost attempt" sh -c "grep -l '\"attempts\": 2' '$SPOOL'/completed/*.job >/dev/null"
ok "no exporter left running" sh -c "! pgrep -f '[s]leep 0.4; : $M' >/dev/null"
stop b
done_testing
