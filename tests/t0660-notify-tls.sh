#!/bin/sh
# t0660 - https callbacks verify the receiver's certificate: a self-signed
# one is refused before any request is sent; a tampered callback URL in a
# job file is refused too.
. "$(dirname "$0")/lib.sh"

RECV="$TOP/tests/helpers/webhook-receiver.py"
recv() { /usr/bin/python3 "$RECV" "$@"; }
xnotify() { "$BIN/helpers/xnotify" "$@" 2>> "$T/xnotify.err"; }
mkconf <<CONF
webhook_secret = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
callback_allow = 127.0.0.1
webhook_timeout = 2s
CONF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" 2> /dev/null
ok "a self-signed certificate for 127.0.0.1" test -s "$T/cert.pem"
bg recv /usr/bin/python3 "$RECV" serve "$T/port" "$T/hooks" "$T/cert.pem" "$T/key.pem"
ok "the https receiver is listening" wait_for 5 test -s "$T/port"
PORT=$(cat "$T/port")
ok "it does answer https (curl -k)" \
    sh -c "curl -sk -X POST -d '{}' https://127.0.0.1:$PORT/probe | grep -q ok"
is "$(recv count "$T/hooks" /probe)" 1 "... the probe is logged"

# try URL : one try of a completed job's webhook to URL
try() {
	printf '{"type": "Ok", "callback": "%s", "result": {"success": true}}\n' \
	    "$1" > "$T/j1.job"
	xnotify -c "$CONF" webhook "$T/j1.job" COMPLETED
}
out=$(try "https://127.0.0.1:$PORT/ok")
is "${out%% *}" 1 "a self-signed certificate: not delivered, tried again later"
ok "... the error names the certificate: $out" \
    sh -c "echo '$out' | grep -qi certificate"
is "$(recv count "$T/hooks" /ok)" 0 "... no request was sent"

out=$(try "http://127.0.0.1:$PORT/ok\\r\\nX-Injected: 1")
is "${out%% *}" -1 "a callback URL with CR/LF is refused"
out=$(try "http://user:pw@127.0.0.1:$PORT/ok x")
is "${out%% *}" -1 "a callback URL with a space is refused"
is "$(recv count "$T/hooks")" 1 "nothing more reached the receiver"
done_testing
