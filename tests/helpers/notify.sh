# notify.sh - shared by the notification tests (t06xx), sourced after
# lib.sh: the webhook receiver, the xnotify driver, job file fields.
SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
RECV=$TOP/tests/helpers/webhook-receiver.py

recv() { /usr/bin/python3 "$RECV" "$@"; }
xnotify() { "$BIN/helpers/xnotify" "$@" 2>> "$T/xnotify.err"; }

# receiver [CERT KEY] : start the webhook receiver (TLS with CERT and KEY);
# sets PORT, 1 if it did not come up
receiver() {
	bg recv /usr/bin/python3 "$RECV" serve "$T/port" "$T/hooks" "$@"
	wait_for 10 test -s "$T/port" || return 1
	PORT=$(cat "$T/port")
}

# jfield FILE EXPR : a python expression on the job file FILE as j
jfield() {
	/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# donejob FILE [CALLBACK [EMAIL]] : a completed export's job file
donejob() {
	_cb=null _em=null
	[ -n "${2:-}" ] && _cb="\"$2\""
	[ -n "${3:-}" ] && _em="\"$3\""
	cat > "$1" <<JOB
{"type": "Invoices", "format": "CSV", "attempts": 1,
 "callback": $_cb, "email": $_em,
 "result": {"success": true, "errors": [], "durationMs": 5321,
  "fileName": "Invoices.csv", "fileSizeBytes": 812345, "records": 120000}}
JOB
}
