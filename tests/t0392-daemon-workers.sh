#!/bin/sh
# t0392 - long-lived workers: xspoold forks its workers once, at start, and
# they serve job after job; one that dies while idle is replaced; one killed
# mid-job fails that attempt (retried, then completed) and is replaced; a
# reload replaces idle workers with new ones; SIGTERM leaves none behind.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types workers=2 max_attempts=3 retry_base=100ms retry_max=200ms
daemon d
D=$(pid_of d)
workers() { pgrep -P "$D" | sort -n | tr '\n' ' '; }
nworkers() { [ "$(pgrep -P "$D" | wc -l)" -eq "$1" ]; }
ok "two worker processes at start" wait_for 10 nworkers 2
before=$(workers)
ok "the workers are in their own process groups" sh -c "for p in $before; do [ \"\$(ps -o pgid= -p \$p | tr -d ' ')\" = \$p ] || exit 1; done"
for i in 1 2 3 4 5 6; do
	drop "ok$i" '{"type": "Ok"}'
done
six() { [ "$(jobs completed)" -eq 6 ]; }
ok "six jobs complete" wait_for 20 six
is "$(workers)" "$before" "by the same two workers (no fork per job)"
ok "no job left in tmp/" test -z "$(ls "$SPOOL/tmp")"

# an idle worker that dies is replaced, and jobs go on
set -- $before
kill -9 "$1"
replaced() { nworkers 2 && ! pgrep -P "$D" | grep -qx "$1"; }
ok "an idle worker killed is replaced" wait_for 10 replaced "$1"
ok "the log says so" grep -q "worker $1 killed by signal: replaced" "$T/d.err"
drop ok7 '{"type": "Ok"}'
ok "jobs are still served" wait_for 10 is_in ok7 completed

# a worker killed mid-job: that attempt fails, the retry completes
drop mid1 '{"type": "Slow", "params": {"sleep": "1"}}'
exporter() { pgrep -f "[s]low $M" >/dev/null; }
ok "its exporter runs" wait_for 10 exporter
w=$(ps -o ppid= -p "$(pgrep -f "[s]low $M" | head -n 1)" | tr -d ' ')
kill -9 "$w"
ok "the job is retried and completes" wait_for 20 is_in mid1 completed
is "$(field mid1 'j["attempts"]')" 2 "the killed attempt counts"
ok "the log says its worker died" grep -q 'mid1 Slow processing -> failed (attempt 1: the worker process died of signal 9' "$T/d.err"
ok "the killed worker was replaced" wait_for 10 replaced "$w"
ok "no zip left in tmp/" test -z "$(ls "$SPOOL/tmp")"

# a reload replaces the idle workers (they have the old config)
before=$(workers)
kill -HUP "$D"
ok "the reload is logged" wait_for 10 grep -q 'reloaded' "$T/d.err"
fresh() {
	nworkers 2 || return 1
	for p in $before; do pgrep -P "$D" | grep -qx "$p" && return 1; done
	return 0
}
ok "after a reload two new workers" wait_for 10 fresh
drop ok8 '{"type": "Ok"}'
ok "which serve jobs" wait_for 10 is_in ok8 completed

last=$(workers)
stop d
is "$?" 0 "SIGTERM: exit 0"
gone() { for p in $last; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }
ok "no worker left behind" wait_for 5 gone
done_testing
