#!/bin/sh
# t0610 - the notification queue's retries against a real receiver:
# 500 twice then 200, always 500, 410, 302, 429 with Retry-After, a
# receiver that hangs; outcomes recorded in the job files.
. "$(dirname "$0")/lib.sh"

. "$TOP/tests/helpers/notify.sh"
mkconf <<CONF
webhook_secret = $SECRET
callback_allow = 127.0.0.1
webhook_timeout = 1s
webhook_attempts = 3
webhook_retry_base = 200ms
CONF
sed -i 's/^\[spool\]$/&\nsync = no/' "$CONF"
ok "the receiver is listening" receiver
mkdir -p "$SPOOL/completed"

# job NAME PATH : a completed job whose callback is the receiver's PATH
job() { donejob "$SPOOL/completed/$1.job" "http://127.0.0.1:$PORT$2"; }
# field ID EXPR : a python expression on the job file j
field() { jfield "$SPOOL/completed/$1.job" "$2"; }
# gaps PATH : seconds between the requests to PATH, one per line
gaps() {
	/usr/bin/python3 -c 'import json,sys
t = [r["t"] for r in map(json.loads, open(sys.argv[1])) if r["path"] == sys.argv[2]]
for a, b in zip(t, t[1:]): print("%.2f" % (b - a))' "$T/hooks" "$1"
}
ids() {		# ids PATH : the distinct webhook-ids sent to PATH
	/usr/bin/python3 -c 'import json,sys
print(len({r["headers"]["webhook-id"] for r in map(json.loads, open(sys.argv[1])) if r["path"] == sys.argv[2]}))' "$T/hooks" "$1"
}

job flaky /flaky
job fail /fail
job gone /gone
job redir /redirect
job busy /busy
job fine /fine
start=$(date +%s)
ok "the queue drains" sh -c "'$BIN/helpers/xnotify' -c '$CONF' -t 20 \
    queue flaky fail gone redir busy fine 2> '$T/queue.err'"
diag "queue drained in $(($(date +%s) - start)) s"

is "$(recv count "$T/hooks" /fine)" 1 "2xx: one request"
is "$(field fine 'j["result"]["callbackSent"]')" True "2xx: callbackSent true"
is "$(field fine 'j["notify"]["webhook"]["state"]')" sent "2xx: state sent"

is "$(recv count "$T/hooks" /flaky)" 3 "500, 500, 200: three requests"
is "$(field flaky 'j["result"]["callbackSent"]')" True "... callbackSent true"
is "$(field flaky 'j["notify"]["webhook"]["tries"]')" 3 "... three tries recorded"
is "$(ids /flaky)" 1 "... the same webhook-id on every retry"
set -- $(gaps /flaky)
ok "... the first retry after webhook_retry_base +-20% ($1 s)" \
    /usr/bin/python3 -c "import sys; sys.exit(not 0.16 <= $1 < 1.5)"
ok "... the second after twice as long +-20% ($2 s)" \
    /usr/bin/python3 -c "import sys; sys.exit(not 0.32 <= $2 < 2)"

is "$(recv count "$T/hooks" /fail)" 3 "always 500: webhook_attempts requests"
is "$(field fail 'j["result"]["callbackSent"]')" False "... callbackSent false"
is "$(field fail 'j["notify"]["webhook"]["state"]')" failed "... state failed"
ok "... the last error kept" sh -c "grep -q 'HTTP 500' '$SPOOL/completed/fail.job'"

is "$(recv count "$T/hooks" /gone)" 1 "410: no further tries"
is "$(field gone 'j["notify"]["webhook"]["state"]')" failed "... state failed"
is "$(field gone 'j["result"]["callbackSent"]')" False "... callbackSent false"

is "$(recv count "$T/hooks" /redirect)" 1 "302: one request, not retried"
is "$(recv count "$T/hooks" /ok)" 0 "... and the redirect not followed"
ok "... the error says so" sh -c "grep -q 'redirect not followed' '$SPOOL/completed/redir.job'"

is "$(recv count "$T/hooks" /busy)" 2 "429 then 200: two requests"
set -- $(gaps /busy)
ok "... Retry-After: 1 honoured ($1 s)" \
    /usr/bin/python3 -c "import sys; sys.exit(not 0.95 <= $1 < 3)"
is "$(field busy 'j["result"]["callbackSent"]')" True "... then delivered"
is "$(find "$SPOOL/notify" -type f | wc -l)" 0 "no hint files left once all is done"
ok "each try is logged with the host and the status" grep -q \
    "flaky webhook try 1: will retry, 127.0.0.1: HTTP 500" "$T/queue.err"
nok "... never the secret" grep -q MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw "$T/queue.err"

# jitter: eight webhooks failing at once with webhook_retry_base = 10s;
# each schedules its second try 8 to 12 s after its first, not all alike
sed 's/^webhook_retry_base = .*/webhook_retry_base = 10s/' "$CONF" > "$T/slow.conf"
for i in 1 2 3 4 5 6 7 8; do job "j$i" /fail; done
xnotify -c "$T/slow.conf" -t 3 queue j1 j2 j3 j4 j5 j6 j7 j8
/usr/bin/python3 - "$T/hooks" "$SPOOL/completed" > "$T/delays" <<'PY'
import datetime, json, sys
sent = {r["headers"]["webhook-id"]: r["t"] for r in map(json.loads, open(sys.argv[1]))}
for i in range(1, 9):
    w = json.load(open("%s/j%d.job" % (sys.argv[2], i)))["notify"]["webhook"]
    nxt = datetime.datetime.strptime(w["next"], "%Y-%m-%dT%H:%M:%S" +
                                     (".%fZ" if "." in w["next"] else "Z"))
    nxt = nxt.replace(tzinfo=datetime.timezone.utc).timestamp()
    print("%.3f" % (nxt - sent[w["id"]]))
PY
diag "second tries scheduled after: $(echo $(cat "$T/delays"))"
is "$(wc -l < "$T/delays")" 8 "jitter: eight first tries failed and were rescheduled"
ok "... each 8 to 12 s later (webhook_retry_base 10s +-20%)" \
    /usr/bin/python3 -c 'import sys
d = [float(l) for l in open(sys.argv[1])]
sys.exit(not all(7.99 <= x <= 14 for x in d))' "$T/delays"
ok "... spread out, not all alike" /usr/bin/python3 -c 'import sys
d = [float(l) for l in open(sys.argv[1])]
sys.exit(not max(d) - min(d) > 0.5)' "$T/delays"

# six receivers that hang do not hold up another webhook queued before
# them: it is delivered while they are all still open
sed 's/^webhook_timeout = .*/webhook_timeout = 3s/; s/^webhook_attempts = .*/webhook_attempts = 1/' \
    "$CONF" > "$T/hang.conf"
job first /first
for i in 1 2 3 4 5 6; do job "h$i" /hang; done
xnotify -c "$T/hang.conf" -t 15 queue first h1 h2 h3 h4 h5 h6
is "$(recv count "$T/hooks" /hang)" 6 "six hanging receivers were all tried"
is "$(field first 'j["result"]["callbackSent"]')" True "... and the other webhook delivered"
ok "... while they were still open" /usr/bin/python3 -c 'import json,sys
rs = [json.loads(l) for l in open(sys.argv[1])]
hang = min(r["t"] for r in rs if r["path"] == "/hang")
first = [r["t"] for r in rs if r["path"] == "/first"][0]
sys.exit(not first < hang + 2.5)' "$T/hooks"

# a receiver that never answers: one try ends at webhook_timeout
job hang /hang
t0=$(date +%s%N)
out=$(xnotify -c "$CONF" webhook "$SPOOL/completed/hang.job" COMPLETED)
ms=$((($(date +%s%N) - t0) / 1000000))
is "${out%% *}" 1 "a hanging receiver: try again later"
ok "... the error says so: $out" sh -c "echo '$out' | grep -qi 'timed out'"
# the receiver would hold it 60 s; the try ends at webhook_timeout (1 s),
# by curl's count, and well before the receiver's minute by the clock
ok "... after webhook_timeout by curl's count" sh -c \
    "echo '$out' | grep -Eq 'after [12][0-9]{3} milliseconds'"
ok "... the try took ${ms} ms, not the receiver's minute" \
    test "$ms" -ge 900 -a "$ms" -lt 15000
done_testing
