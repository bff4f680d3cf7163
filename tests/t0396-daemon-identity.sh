#!/bin/sh
# t0396 - a node's identity: nodes/NODE holds pid, host, boot id and a
# token; a second xspoold under a live name is refused, whatever path it
# reaches the spool by; a removed heartbeat is recreated at the next beat
# (and its jobs are not reclaimed meanwhile); a daemon whose heartbeat is
# taken over by another process stops.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

slow_types lease=4s
daemon a
hb=$SPOOL/nodes/testnode
for f in pid host boot token; do
	ok "the heartbeat holds its $f" grep -q "^$f ." "$hb"
done
ok "the pid is the daemon's" grep -qx "pid $(pid_of a)" "$hb"

# the same spool by another path (as through a second mount)
ln -s "$SPOOL" "$T/other-path"
sed "s|^dir = .*|dir = $T/other-path|" "$CONF" > "$T/other.conf"
xspoold -f -c "$T/other.conf" > /dev/null 2> "$T/second.err"
is "$?" 1 "a second daemon under the live name exits 1"
ok "... saying who holds the name" grep -q "node testnode is in use.*by pid $(pid_of a)" "$T/second.err"
ok "... and the first one runs on" kill -0 "$(pid_of a)"

# a removed heartbeat: recreated, and the node's job is left to it
drop h1 "{\"type\": \"Slow\", \"params\": {\"sleep\": \"4\", \"log\": \"$T/runs\"}}"
ok "the job runs on node a" wait_for 10 is_in h1 processing/testnode
daemon b -n other
rm -f "$hb"
ok "the heartbeat is recreated" wait_for 5 test -s "$hb"
ok "... and logged" grep -q "our heartbeat was gone: recreated" "$T/a.err"
ok "the job completes" wait_for 20 is_in h1 completed
is "$(grep -c '^start h1' "$T/runs")" 1 "it ran once: node b did not take it"
nok "node b never judged node a lost" grep -q "node testnode lost" "$T/b.err"
stop b

# another process takes the name over: the daemon stops
tok=$(mktemp "$SPOOL/tmp/hb.XXXXXX")
printf 'pid 1\nhost elsewhere\nboot x\ntoken 00ff\n' > "$tok"
mv "$tok" "$hb"
wait_gone() { ! kill -0 "$(pid_of a)" 2>/dev/null; }
ok "a daemon whose heartbeat is taken over stops" wait_for 10 wait_gone
ok "... saying so" grep -q "another xspoold took over our heartbeat" "$T/a.err"
ok "... and leaves the other's heartbeat alone" grep -q "^token 00ff" "$hb"
done_testing
