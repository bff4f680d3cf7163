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

# another server on the port (another make run?): say so, start nothing
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/healthz"; then
	echo "make run: port $PORT is in use (another make run? stop it with" \
	    "Ctrl-C, or change listen in $CONF)" >&2
	exit 1
fi

# each program's stderr into a file, shown here as it comes, so that
# this script sees whether each one started or why it stopped
LOG=$(mktemp -d "${TMPDIR:-/tmp}/xspool-run.XXXXXX") || exit 1
: > "$LOG/xspoold.log"
: > "$LOG/xspool-httpd.log"
tail -q -n +1 -f "$LOG/xspoold.log" "$LOG/xspool-httpd.log" >&2 &
L=$!
"$BIN/xspoold" -f -c "$CONF" 2>> "$LOG/xspoold.log" &
D=$!
"$BIN/xspool-httpd" -f -c "$CONF" -p "$LOG/port" 2>> "$LOG/xspool-httpd.log" &
H=$!
cleanup() { kill $D $H 2>/dev/null; wait $D $H 2>/dev/null; kill $L 2>/dev/null; rm -rf "$LOG"; }
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

# died NAME PID HINT: NAME stopped before it was ready: why, and exit 1
died() {
	wait "$2"
	rc=$?
	sleep 0.2	# tail shows its last lines
	echo "make run: $1 could not start (exit $rc): $(tail -n 1 "$LOG/$1.log")" >&2
	echo "make run: $3" >&2
	exit 1
}
i=0
while ! grep -q 'started: node' "$LOG/xspoold.log" || [ ! -s "$LOG/port" ]; do
	kill -0 $D 2>/dev/null || died xspoold $D "is another xspoold running with this config's node name and spool (another make run)?"
	kill -0 $H 2>/dev/null || died xspool-httpd $H "is port $PORT in use (another make run)?"
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		echo "make run: not ready after 30 s" >&2
		exit 1
	fi
	sleep 0.1
done
cat <<MSG

xspool is running: the daemon (pid $D) and the REST API at
  http://127.0.0.1:$PORT/api/v1/   (demo admin key in $DEMOKEY)

Try (paste the lines into a shell; ID is the job the first one queues):
  KEY='$KEY'
  ID=\$(curl -s -X POST -H "X-Api-Key: \$KEY" 'http://127.0.0.1:$PORT/api/v1/ExportRequest/Patients?format=CSV' | sed -n 's/.*"id":"\([^"]*\)".*/\1/p'); echo "\$ID"
  curl -s -H "X-Api-Key: \$KEY" "http://127.0.0.1:$PORT/api/v1/ExportResult/Status/\$ID"; echo
  curl -s -OJ -H "X-Api-Key: \$KEY" "http://127.0.0.1:$PORT/api/v1/ExportResult/Download/\$ID"
or with the command-line tool:
  $BIN/xspool submit Invoices -f CSV -P from=2026-01-01 && $BIN/xspool list completed
Ctrl-C stops both.
MSG
wait $D $H
