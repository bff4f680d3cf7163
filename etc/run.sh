#!/bin/sh
# run.sh - `make run`: start xspoold and xspool-httpd in the foreground on
# the default spool and config, with the demo export types, and show how to
# use them.  Ctrl-C stops both.
set -u
cd "$(dirname "$0")/.."
CONF=${XSPOOL_CONF:-etc/xspool.conf}
PORT=$(sed -n 's/^[[:space:]]*listen[[:space:]]*=[[:space:]]*[^:]*:\([0-9]*\).*/\1/p' "$CONF" | head -n 1)
PORT=${PORT:-8080}

# a demo API key, made once and kept in etc/keys (git-ignored)
if [ ! -s etc/demo.key ] || ! grep -q "^$(cut -d. -f1 etc/demo.key) " etc/keys 2>/dev/null; then
	bin/xspool -c "$CONF" key add demo --admin | tail -n 1 > etc/demo.key || exit 1
	chmod 600 etc/demo.key
fi
KEY=$(cat etc/demo.key)

# the spool's layout first: the REST shim does not create it
bin/xspool -c "$CONF" list >/dev/null || exit 1
bin/xspoold -f -c "$CONF" &
D=$!
bin/xspool-httpd -f -c "$CONF" &
H=$!
trap 'kill $D $H 2>/dev/null; wait; exit 0' INT TERM
trap 'kill $D $H 2>/dev/null' EXIT
sleep 0.5
cat <<MSG

xspool is running: the daemon (pid $D) and the REST API at
  http://127.0.0.1:$PORT/api/v1/   (demo admin key in etc/demo.key)

Try:
  curl -s -X POST -H 'X-Api-Key: $KEY' 'http://127.0.0.1:$PORT/api/v1/ExportRequest/Patients?format=CSV'
  curl -s -H 'X-Api-Key: $KEY' http://127.0.0.1:$PORT/api/v1/ExportResult/Status/ID
  curl -s -OJ -H 'X-Api-Key: $KEY' http://127.0.0.1:$PORT/api/v1/ExportResult/Download/ID
or with the command-line tool:
  bin/xspool submit Invoices -f CSV -P from=2026-01-01 && bin/xspool list completed
Ctrl-C stops both.
MSG
wait
