#!/bin/sh
# t0660 - https callbacks: a receiver whose certificate comes from a
# throwaway CA is refused until [notify] ca_file names that CA, then gets
# the signed webhook (one try, the queue, and the daemon); a certificate
# for another name is refused even so; tampered callback URLs are refused.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/exporters/daemon.sh"
. "$TOP/tests/helpers/notify.sh"

# a CA, and two server certificates it signs: 127.0.0.1 and another name
ossl() { openssl "$@" 2>> "$T/openssl.err"; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=xspool test CA" -days 1 -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign -keyout "$T/ca.key" -out "$T/ca.pem"
# cert NAME SAN : a key and certificate signed by the CA
cert() {
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -subj "/CN=$1" -keyout "$T/$1.key" -out "$T/$1.csr" &&
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$2" > "$T/$1.ext" &&
	ossl x509 -req -in "$T/$1.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
	    -CAcreateserial -days 1 -extfile "$T/$1.ext" -out "$T/$1.pem"
}
ok "a throwaway CA and a certificate for 127.0.0.1" cert good IP:127.0.0.1
ok "... and one for another name" cert other DNS:other.example
ok "the https receiver is listening" receiver "$T/good.pem" "$T/good.key"
bg other /usr/bin/python3 "$RECV" serve "$T/oport" "$T/ohooks" \
    "$T/other.pem" "$T/other.key"
ok "... and one with the other name" wait_for 10 test -s "$T/oport"
ok "curl trusts it with the CA" sh -c "curl -s --cacert '$T/ca.pem' \
    -X POST -d '{}' https://127.0.0.1:$PORT/probe | grep -q ok"

types <<CONF
webhook_secret = $SECRET
callback_allow = 127.0.0.1
webhook_timeout = 3s
webhook_retry_base = 200ms
CONF
sed -i 's/^\[spool\]$/&\nsync = no/' "$CONF"
sed '/^\[notify\]$/a\
ca_file = '"$T"'/ca.pem' "$CONF" > "$T/ca.conf"
ok "the config takes ca_file" grep -q "^ca_file = $T/ca.pem" "$T/ca.conf"

# try CONF URL : one try of a completed job's webhook to URL
try() {
	printf '{"type": "Ok", "callback": "%s", "result": {"success": true}}\n' \
	    "$2" > "$T/j1.job"
	xnotify -c "$1" webhook "$T/j1.job" COMPLETED
}
out=$(try "$CONF" "https://127.0.0.1:$PORT/nocafile")
is "${out%% *}" 1 "without ca_file: not trusted, tried again later"
ok "... the error names the certificate: $out" \
    sh -c "echo '$out' | grep -qi certificate"
is "$(recv count "$T/hooks" /nocafile)" 0 "... no request was sent"

out=$(try "$T/ca.conf" "https://127.0.0.1:$PORT/ok")
is "$out" "0 0 127.0.0.1: HTTP 200" "with ca_file = the CA: delivered over https"
is "$(recv count "$T/hooks" /ok)" 1 "... the receiver got it"
n=$(($(recv count "$T/hooks") - 1))
ok "... signed" recv verify "$SECRET" "$T/hooks" "$n"

out=$(try "$T/ca.conf" "https://127.0.0.1:$(cat "$T/oport")/ok")
is "${out%% *}" 1 "a certificate of the CA for another name: refused"
ok "... saying so: $out" sh -c "echo '$out' | grep -qi 'name\|certificate'"
is "$(recv count "$T/ohooks")" 0 "... no request was sent"

out=$(try "$T/ca.conf" "http://127.0.0.1:$PORT/ok\\r\\nX-Injected: 1")
is "${out%% *}" -1 "a callback URL with CR/LF is refused"
out=$(try "$T/ca.conf" "http://user:pw@127.0.0.1:$PORT/ok x")
is "${out%% *}" -1 "a callback URL with a space is refused"

# the daemon: an export's webhook over https, callbackSent true
cp "$T/ca.conf" "$CONF"
daemon d
ok "the daemon starts" test -s "$SPOOL/nodes/testnode"
id=$(xspool -c "$CONF" submit Ok -w "https://127.0.0.1:$PORT/daemon")
ok "the export completes" wait_for 10 is_in "$id" completed
delivered() { [ "$(field "$1" "j['result'].get('callbackSent')")" = True ]; }
ok "its https webhook is delivered: callbackSent true" wait_for 10 delivered "$id"
is "$(recv count "$T/hooks" /daemon)" 1 "... once"
n=$(($(recv count "$T/hooks") - 1))
ok "... signed" recv verify "$SECRET" "$T/hooks" "$n"
stop d
is "$?" 0 "the daemon stops cleanly"
done_testing
