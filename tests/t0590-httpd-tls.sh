#!/bin/sh
# t0590 - with tls_cert and tls_key set, xspool-httpd speaks
# HTTPS (a self-signed certificate made here with openssl) and refuses
# plain HTTP on that port; a bad certificate path stops the start.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

if ! command -v openssl > /dev/null; then
	echo "1..0 # SKIP no openssl to make a certificate"
	exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=localhost > /dev/null 2>&1
hconf "tls_cert = $T/cert.pem" "tls_key = $T/key.pem"
A=$(newkey erp)
rm -f "$T/port"
bg httpd xspool-httpd -f -c "$CONF" -p "$T/port"
ok "it starts" wait_for 10 test -s "$T/port"
PORT=$(cat "$T/port")
ok "it says https" grep -q "^listening on https://127.0.0.1:$PORT$" "$T/httpd.err"
c=$(curl -s --cacert "$T/cert.pem" -o "$T/body" -w '%{http_code}' \
    -H "X-Api-Key: $A" "https://localhost:$PORT/api/v1/Identity")
is "$c $(jq -r .client "$T/body")" "200 erp" "Identity over HTTPS, certificate verified"
nok "plain HTTP on the TLS port gets no answer" \
    curl -s -m 3 -o /dev/null "http://127.0.0.1:$PORT/livez"
stop httpd
is "$?" 0 "exits 0 on SIGTERM"

sed -i "s|^tls_key = .*|tls_key = $T/missing.pem|" "$CONF"
xspool-httpd -f -c "$CONF" > /dev/null 2> "$T/err2"
nok "a missing key file stops the start" test $? -eq 0
done_testing
