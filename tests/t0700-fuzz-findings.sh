#!/bin/sh
# t0700 - what the fuzzers (tests/fuzz/, make fuzz)
# found, through the real programs (and what was found next to them);
# t-fuzz-regress replays the inputs themselves through every fuzz target.
. "$(dirname "$0")/lib.sh"

# fuzz-config: "dir =" (an empty value) loaded with no spool directory,
# which xspool, xspoold and xspool-httpd then handed to spool_open
printf '[spool]\ndir =    ; a comment\n' > "$T/emptydir.conf"
xspool -c "$T/emptydir.conf" list > "$T/out" 2> "$T/err"
is "$?" 2 "an empty dir: xspool list exits 2"
ok "...saying FILE:2: dir: empty" grep -qF "$T/emptydir.conf:2: dir: empty" \
    "$T/err"
for prog in xspoold xspool-httpd; do
	timeout 10 "$prog" -f -c "$T/emptydir.conf" > "$T/out" 2> "$T/err"
	is "$?" 2 "an empty dir: $prog exits 2"
	ok "...saying FILE:2: dir: empty" \
	    grep -qF "$T/emptydir.conf:2: dir: empty" "$T/err"
done

# next to them: a webhook receiver's Retry-After of any size (curl hands
# over the number as it is; times 1000 it overflowed: UB, and a garbage
# wait in a build without UBSan)
cat > "$T/busy.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(429)
        self.send_header("Retry-After", sys.argv[2])
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
s.timeout = 20
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.handle_request()
PY
bg busy /usr/bin/python3 "$T/busy.py" "$T/port" 99999999999999999
ok "a receiver that answers 429, Retry-After: 99999999999999999" \
    wait_for 10 test -s "$T/port"
PORT=$(cat "$T/port")
printf '[spool]\ndir = %s\nnode = n\n[notify]\ncallback_allow = 127.0.0.1\n' \
    "$SPOOL" > "$T/notify.conf"
printf '{"type": "T", "callback": "http://127.0.0.1:%s/x"}\n' "$PORT" \
    > "$T/busy.job"
"$BIN/helpers/xnotify" -c "$T/notify.conf" webhook "$T/busy.job" \
    COMPLETED > "$T/out" 2> "$T/err"
is "$?" 1 "the try ends: try again later"
is "$(cut -d' ' -f1,2 "$T/out")" "1 9223372036854775807" \
    "...the wait is the largest there is (the queue caps it at a day)"
[ -s "$T/err" ] && diag "stderr: $(cat "$T/err")"

done_testing
