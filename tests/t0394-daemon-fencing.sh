#!/bin/sh
# t0394 - fencing: a node stopped (SIGSTOP of its whole process tree) for
# longer than the lease is judged lost; another node reclaims and
# completes its job.  When the stopped node goes on (SIGCONT) it finds its
# lease lapsed, abandons its attempt and puts no result in place: the zip
# is the other node's, the job in one state, the spool consistent.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types lease=3s retry_base=100ms
daemon a -n nodea
drop f1 "{\"type\": \"Slow\", \"params\": {\"sleep\": \"2\", \"log\": \"$T/runs\"}}"
ok "node a runs the job" wait_for 10 is_in f1 processing/nodea
ok "its exporter started" wait_for 10 grep -q '^start f1' "$T/runs"

# the whole tree: the daemon, its workers and their exporters
tree() {
	_all=$1; _new=$1
	while [ -n "$_new" ]; do
		_next=
		for _p in $_new; do
			_next="$_next $(pgrep -P "$_p" | tr '\n' ' ')"
		done
		_new=$(echo $_next)
		_all="$_all $_new"
	done
	echo $_all
}
stopped=$(tree "$(pid_of a)")
kill -STOP $stopped
daemon b -n nodeb
ok "node b reclaims the job once a's lease ran out" wait_for 20 grep -q 'f1: node nodea lost' "$T/b.err"
ok "node b completes it" wait_for 20 is_in f1 completed
sum=$(sha256sum < "$SPOOL/out/f1.zip")
kill -CONT $stopped
ok "node a finds its lease lapsed" wait_for 20 grep -q 'our lease lapsed' "$T/a.err"
ok "... and abandons its attempt" grep -q '1 running attempts abandoned' "$T/a.err"
# the exporter of a's attempt, had it lived, would have ended by now
sleep 3
is "$(sha256sum < "$SPOOL/out/f1.zip")" "$sum" "the result is node b's, not overwritten"
is "$(where f1)" completed "the job is in one state"
is "$(field f1 'j["node"]')" nodeb "run by node b"
ok "xspool check finds the spool consistent" xspool -c "$CONF" check
ok "node a's heartbeat is current again" wait_for 10 grep -q 'lease current again' "$T/a.err"
drop f2 '{"type": "Ok"}'
ok "and jobs are served again" wait_for 20 is_in f2 completed
stop a
stop b
done_testing
