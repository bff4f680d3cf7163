#!/bin/sh
# t0025 - etc/run.sh (what `make run` starts) brings up the daemon
# and the REST shim on the shipped config with the demo types, prints a
# working curl line, and both stop on SIGTERM.
. "$(dirname "$0")/lib.sh"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s#^dir *=.*#dir = $SPOOL#" -e "s#^keys *=.*#keys = $T/keys#" \
    -e "s#^listen *=.*#listen = 127.0.0.1:$port#" "$TOP/etc/xspool.conf" > "$CONF"
ok "the shipped config names the spool, keys and listen address" \
    grep -q "^listen = 127.0.0.1:$port" "$CONF"

XSPOOL_CONF=$CONF XSPOOL_BIN=$BIN XSPOOL_DEMO_KEY=$T/demo.key \
    bg run sh "$TOP/etc/run.sh"
ok "run.sh prints the ready message" wait_for 20 grep -q "Ctrl-C stops both" "$T/run.out"
key=$(cat "$T/demo.key")
line=$(grep "ExportRequest/Patients" "$T/run.out" | sed "s/^ *//")
ok "the printed curl line carries the demo key and the port" \
    sh -c "echo \"\$1\" | grep -q \"$key\" && echo \"\$1\" | grep -q \":$port/\"" _ "$line"
id=$(eval "$line" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
ok "the printed curl line submits a job" test -n "$id"
ok "the demo export completes" wait_for 30 test -e "$SPOOL/completed/$id.job"
ok "its zip opens with 7z" sh -c "7z t '$SPOOL/out/$id.zip' >/dev/null"
st=$(curl -s -H "X-Api-Key: $key" "http://127.0.0.1:$port/api/v1/ExportResult/Status/$id" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
is "$st" COMPLETED "the REST status says COMPLETED"
kill -TERM "$(pid_of run)"
ok "both programs stop with run.sh" wait_for 15 sh -c \
    "! pgrep -f -- '[x]spool.* -c $CONF' >/dev/null"
done_testing
