#!/bin/sh
# t0025 - etc/run.sh (what `make run` starts) brings up the daemon
# and the REST shim on the shipped config with the demo types, prints
# lines that work when pasted into a shell (the real key, the id taken
# from the answer), and both stop on SIGTERM.  A second run while one
# runs fails with the reason (port in use; the daemon's node taken) and
# exit 1; etc/keys.lock, which key commands leave, is ignored by git.
. "$(dirname "$0")/lib.sh"

freeport() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port=$(freeport)
sed -e "s#^dir *=.*#dir = $SPOOL#" -e "s#^keys *=.*#keys = $T/keys#" \
    -e "s#^listen *=.*#listen = 127.0.0.1:$port#" "$TOP/etc/xspool.conf" > "$CONF"
ok "the shipped config names the spool, keys and listen address" \
    grep -q "^listen = 127.0.0.1:$port" "$CONF"

XSPOOL_CONF=$CONF XSPOOL_BIN=$BIN XSPOOL_DEMO_KEY=$T/demo.key \
    bg run sh "$TOP/etc/run.sh"
ok "run.sh prints the ready message" wait_for 20 grep -q "Ctrl-C stops both" "$T/run.out"
key=$(cat "$T/demo.key")
sed -n 's/^  //; /^KEY=/,/ExportResult\/Download/p' "$T/run.out" > "$T/paste"
is "$(wc -l < "$T/paste")" 4 "four lines to paste: KEY, ID, status, download"
ok "KEY= carries the demo key" grep -q "^KEY='$key'\$" "$T/paste"
ok "the lines name the port" grep -q ":$port/" "$T/paste"
nok "no placeholder is left for the user to fill" grep -q '<\|/ID$\|/ID"' "$T/paste"

# paste the first two lines, as a user would, and keep what they set
(cd "$T" && { head -n 2 paste; echo 'echo "$ID" > pasted.id'; } | sh > pasted.out)
id=$(cat "$T/pasted.id")
ok "the pasted lines submit a job and set ID" sh -c "echo '$id' | grep -Eq '^[0-9a-f-]{36}\$'"
ok "and echo it" grep -qx "$id" "$T/pasted.out"
ok "the demo export completes" wait_for 30 test -e "$SPOOL/completed/$id.job"
# then the status and download lines, in the same shell
(cd "$T" && { head -n 2 paste | head -n 1; echo "ID=$id"; sed -n 3,4p paste; } |
    sh > "$T/pasted2.out")
ok "the pasted status line answers COMPLETED" grep -q '"status":"COMPLETED"' "$T/pasted2.out"
zip=$(ls "$T"/*.zip 2>/dev/null | head -n 1)
ok "the pasted download line saves the zip" test -s "$zip"
ok "it opens with 7z" sh -c "7z t '$zip' >/dev/null"

# a second run while this one runs: fails clearly, exit 1
XSPOOL_CONF=$CONF XSPOOL_BIN=$BIN XSPOOL_DEMO_KEY=$T/demo.key \
    sh "$TOP/etc/run.sh" > "$T/run2.out" 2> "$T/run2.err"
is "$?" 1 "a second run on the same port: exit 1"
ok "says the port is in use" grep -q "port $port is in use" "$T/run2.err"
nok "and does not claim to run" grep -q "xspool is running" "$T/run2.out"
# the same spool and node on another port: the daemon refuses, and says why
port2=$(freeport)
sed "s#^listen *=.*#listen = 127.0.0.1:$port2#" "$CONF" > "$T/conf2"
XSPOOL_CONF=$T/conf2 XSPOOL_BIN=$BIN XSPOOL_DEMO_KEY=$T/demo.key \
    sh "$TOP/etc/run.sh" > "$T/run3.out" 2> "$T/run3.err"
is "$?" 1 "a second run on another port, same spool and node: exit 1"
ok "says the daemon could not start, and why" \
    grep -q "make run: xspoold could not start (exit [1-9].*)" "$T/run3.err"
nok "and does not claim to run" grep -q "xspool is running" "$T/run3.out"
ok "its REST shim is stopped again" wait_for 10 sh -c \
    "! curl -s -o /dev/null http://127.0.0.1:$port2/healthz"
ok "the first run still serves" \
    curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"

st=$(curl -s -H "X-Api-Key: $key" "http://127.0.0.1:$port/api/v1/ExportResult/Status/$id" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
is "$st" COMPLETED "the REST status says COMPLETED"
kill -TERM "$(pid_of run)"
ok "both programs stop with run.sh" wait_for 15 sh -c \
    "! pgrep -f -- '[x]spool.* -c $CONF' >/dev/null"
if git -C "$TOP" rev-parse --git-dir > /dev/null 2>&1; then
	ok "etc/keys.lock (made by key commands) is ignored by git" \
	    git -C "$TOP" check-ignore -q etc/keys.lock
else
	skip "etc/keys.lock is ignored by git" "not a git tree"
fi
done_testing
