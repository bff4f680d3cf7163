#!/bin/sh
# t0260 - two daemons with different node names on one spool share 1,000
# jobs: each job is processed exactly once (the exporter logs every run),
# both nodes take part, and every job ends in completed/ with its zip.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

N=${N:-1000}
types workers=2 sync=no </dev/null
daemon a -n nodea
daemon b -n nodeb
log=$T/runs.log
i=1
while [ $i -le $N ]; do
	printf '{"type": "Ok", "format": "CSV", "params": {"log": "%s"}}\n' \
	    "$log" > "$SPOOL/tmp/j$i.job"
	i=$((i + 1))
done
t0=$(date +%s%3N)
(cd "$SPOOL/tmp" && mv -- j*.job ../queued/ 2>/dev/null)
alldone() { [ "$(ls "$SPOOL/completed" | wc -l)" -ge "$N" ]; }
ok "all $N jobs complete" wait_for 60 alldone
t1=$(date +%s%3N)
diag "$N jobs on two nodes: $((t1 - t0)) ms"
sleep 0.3
is "$(wc -l < "$log")" "$N" "the exporter ran $N times"
is "$(sort "$log" | uniq -d | wc -l)" 0 "no job ran twice"
is "$(sort -u "$log" | wc -l)" "$N" "every job ran"
is "$(total)" "$N" "$N job files in all"
is "$(ls "$SPOOL/out" | wc -l)" "$N" "$N zips"
na=$(grep -l '"node": "nodea"' "$SPOOL"/completed/*.job | wc -l)
nb=$(grep -l '"node": "nodeb"' "$SPOOL"/completed/*.job | wc -l)
diag "nodea ran $na, nodeb ran $nb"
ok "both nodes took part" test "$na" -gt 0 -a "$nb" -gt 0
is $((na + nb)) "$N" "each job was run by one of them"
ok "no attempt was lost to the race" test -z "$(grep -l '"attempts": [^1]' "$SPOOL"/completed/*.job)"
ok "nothing went to bad/" test -z "$(ls "$SPOOL/bad")"
stop a
stop b
done_testing
