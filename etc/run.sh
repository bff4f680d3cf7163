#!/bin/sh
# run.sh - `make run`: start xspoold and xspool-httpd in the foreground on
# the default spool and config, with the demo export types, and show how to
# use them.  Ctrl-C stops both.
# XSPOOL_CONF, XSPOOL_BIN and XSPOOL_DEMO_KEY override the defaults (tests).
set -u
cd "$(dirname "$0")/.."
CONF=${XSPOOL_CONF:-etc/xspool.conf}
BIN=${XSPOOL_BIN:-bin}
DEMOKEY=${XSPOOL_DEMO_KEY:-etc/demo.key}
PORT=$(sed -n 's/^[[:space:]]*listen[[:space:]]*=[[:space:]]*[^:]*:\([0-9]*\).*/\1/p' "$CONF" | head -n 1)
PORT=${PORT:-8080}

# a demo admin API key, made once and kept in etc/demo.key (git-ignored)
if [ ! -s "$DEMOKEY" ] ||
    ! "$BIN/xspool" -c "$CONF" key list 2>/dev/null | grep -q "$(cut -d. -f1 "$DEMOKEY")"; then
	"$BIN/xspool" -c "$CONF" key add demo --admin | tail -n 1 > "$DEMOKEY" || exit 1
	chmod 600 "$DEMOKEY"
fi
KEY=$(cat "$DEMOKEY")

# the spool's layout first: the REST shim does not create it
"$BIN/xspool" -c "$CONF" list >/dev/null || exit 1
"$BIN/xspoold" -f -c "$CONF" &
D=$!
"$BIN/xspool-httpd" -f -c "$CONF" &
H=$!
trap 'kill $D $H 2>/dev/null; wait; exit 0' INT TERM
trap 'kill $D $H 2>/dev/null' EXIT
i=0
while ! curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
cat <<MSG

xspool is running: the daemon (pid $D) and the REST API at
  http://127.0.0.1:$PORT/api/v1/   (demo admin key in $DEMOKEY)

Try:
  curl -s -X POST -H 'X-Api-Key: $KEY' 'http://127.0.0.1:$PORT/api/v1/ExportRequest/Patients?format=CSV'
  curl -s -H 'X-Api-Key: $KEY' http://127.0.0.1:$PORT/api/v1/ExportResult/Status/ID
  curl -s -OJ -H 'X-Api-Key: $KEY' http://127.0.0.1:$PORT/api/v1/ExportResult/Download/ID
or with the command-line tool:
  $BIN/xspool submit Invoices -f CSV -P from=2026-01-01 && $BIN/xspool list completed
Ctrl-C stops both.
MSG
wait
