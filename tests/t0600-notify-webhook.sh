#!/bin/sh
# t0600 - one webhook try against a real receiver: the exact body, its
# types, the Standard Webhooks headers, and the signature checked with
# Python's hmac and with the openssl command; a wrong secret fails.
. "$(dirname "$0")/lib.sh"

. "$TOP/tests/helpers/notify.sh"
mkconf <<CONF
webhook_secret = $SECRET
callback_allow = 127.0.0.1
webhook_timeout = 2s
CONF
ok "the receiver is listening" receiver
ID=3fa85f64-5717-4562-b3fc-2c963f66afa6

donejob "$T/$ID.job" "http://127.0.0.1:$PORT/ok"

# the spec's own example, recomputed here with openssl
printf '%s' '{"test": 2432232314}' > "$T/spec.body"
hexkey() { echo "${1#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n'; }
hmac() {	# hmac SECRET FILE : base64 HMAC-SHA256 of FILE, by openssl
	openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(hexkey "$1")" \
	    -binary "$2" | base64
}
printf 'msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.' | cat - "$T/spec.body" \
    > "$T/spec.signed"
is "$(xnotify sign $SECRET msg_p5jXN8AQM9LWM0D4loKWxJek 1614265330 \
    "$T/spec.body")" "v1,$(hmac $SECRET "$T/spec.signed")" \
    "notify_sign agrees with openssl on the Standard Webhooks example"

out=$(xnotify -c "$CONF" webhook "$T/$ID.job" COMPLETED)
is "$out" "0 0 127.0.0.1: HTTP 200" "a 2xx answer is delivered"
is "$(recv count "$T/hooks")" 1 "the receiver got one POST"

recv show "$T/hooks" 0 > "$T/fields"
cat > "$T/want" <<EOF
idExportJob string "$ID"
exportType string "Invoices"
success bool true
status string "COMPLETED"
errorMessages array []
durationMs int 5321
fileName string "Invoices.csv"
fileSizeBytes int 812345
EOF
ok "exactly the eight fields, in order, with their types" \
    diff -u "$T/want" "$T/fields"

h() { recv header "$T/hooks" "$1" "$2"; }
is "$(h 0 content-type)" application/json "Content-Type: application/json"
is "$(h 0 expect)" "" "no Expect: 100-continue"
ok "webhook-id is msg_ and 32 hex digits" \
    sh -c "h=\$(/usr/bin/python3 '$RECV' header '$T/hooks' 0 webhook-id); \
    echo \"\$h\" | grep -Eqx 'msg_[0-9a-f]{32}'"
ts=$(h 0 webhook-timestamp)
now=$(date +%s)
ok "webhook-timestamp is now, in unix seconds ($ts)" \
    test "$ts" -ge $((now - 30)) -a "$ts" -le $((now + 5))
ok "the signature verifies with Python's hmac" \
    recv verify $SECRET "$T/hooks" 0
nok "a wrong secret does not verify" \
    recv verify whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA== "$T/hooks" 0

# the same check with openssl over the bytes the receiver got
/usr/bin/python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).readline())
h = r["headers"]
sys.stdout.write("%s.%s.%s" % (h["webhook-id"], h["webhook-timestamp"], r["body"]))' \
    "$T/hooks" > "$T/signed"
is "$(h 0 webhook-signature)" "v1,$(hmac $SECRET "$T/signed")" \
    "the signature is what openssl computes over id.timestamp.body"

# the man page's own examples, run on the request the receiver got
# literal AFTER : the .Bd -literal block after the line AFTER in the page
literal() {
	sed -n "/^$1\$/,/^\.Ed\$/p" "$TOP/man/xspool-webhook.7" |
	    sed '1,2d; $d; s/\\e/\\/g'
}
literal 'In Python:' > "$T/verify.py"
pyverify() {
	/usr/bin/python3 -c 'import json,sys
exec(open(sys.argv[1]).read())
r = json.loads(open(sys.argv[2]).readline())
sys.exit(not verify(sys.argv[3], r["headers"], r["body"].encode()))' \
	    "$T/verify.py" "$T/hooks" "$1"
}
ok "xspool-webhook(7)'s Python verify() accepts the request" pyverify "$SECRET"
nok "... and refuses it with another secret" \
    pyverify whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==
literal 'in that order:' > "$T/verify.sh"
/usr/bin/python3 -c 'import json,sys
r = json.loads(open(sys.argv[1]).readline())
open(sys.argv[2], "w").write(r["body"])' "$T/hooks" "$T/body.json"
shverify() {
	(cd "$T" && SECRET=$1 ID=$(h 0 webhook-id) TS=$(h 0 webhook-timestamp) \
	    SIG=$(h 0 webhook-signature) sh verify.sh)
}
is "$(shverify "$SECRET")" valid "xspool-webhook(7)'s shell check says valid"
is "$(shverify whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==)" invalid \
    "... and invalid with another secret"

# a failed attempt and a user's cancel
cat > "$T/$ID.job" <<JOB
{"type": "Invoices", "format": "CSV", "attempts": 2,
 "callback": "http://127.0.0.1:$PORT/ok",
 "result": {"success": false, "errors": ["exit status 7", "bad: \"x\""],
  "durationMs": 12}}
JOB
xnotify -c "$CONF" webhook "$T/$ID.job" FAILED > /dev/null
recv show "$T/hooks" 1 > "$T/fields"
cat > "$T/want" <<EOF
idExportJob string "$ID"
exportType string "Invoices"
success bool false
status string "FAILED"
errorMessages array ["exit status 7", "bad: \\"x\\""]
durationMs int 12
fileName null null
fileSizeBytes null null
EOF
ok "FAILED: success false, the errors, no file" diff -u "$T/want" "$T/fields"
nok "... and another request's id" test "$(h 1 webhook-id)" = "$(h 0 webhook-id)"

cat > "$T/$ID.job" <<JOB
{"type": "Invoices", "cancelledBy": "user",
 "callback": "http://127.0.0.1:$PORT/ok"}
JOB
xnotify -c "$CONF" webhook "$T/$ID.job" CANCELLED > /dev/null
recv show "$T/hooks" 2 > "$T/fields"
ok "CANCELLED by a user says so" \
    grep -qx 'errorMessages array \["cancelled by user"\]' "$T/fields"
ok "... with status CANCELLED" grep -qx 'status string "CANCELLED"' "$T/fields"

# no secret configured: sent unsigned, the operator's choice
sed '/webhook_secret/d' "$CONF" > "$T/nosecret.conf"
xnotify -c "$T/nosecret.conf" webhook "$T/$ID.job" CANCELLED > /dev/null
is "$(h 3 webhook-signature)" "" "without webhook_secret: no signature"
done_testing
