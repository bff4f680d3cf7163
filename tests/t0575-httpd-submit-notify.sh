#!/bin/sh
# t0575 - a notification that could never be sent is refused at
# submission with a clear 400 (the CLI: exit 2, the same reason): an
# e-mail when the server has no SMTP
# relay; a callback whose host is an address literal that the delivery
# rules refuse (loopback, private, link-local ... unless callback_allow
# covers it).  Names and public addresses are still taken (a name is
# judged when it is resolved, at delivery).  No daemon: nothing is sent.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
sed -i '/^smtp = /d' "$CONF"		# no relay
A=$(newkey erp)
hstart
P=/api/v1/ExportRequest
H="X-Api-Key: $A"
# hup : SIGHUP, then wait until the shim says it reloaded
hup() {
	_r=$(grep -c reloaded "$T/httpd.err")
	kill -HUP "$(pid_of httpd)"
	wait_for 10 sh -c "[ \$(grep -c reloaded '$T/httpd.err') -gt $_r ]"
}

req POST "$P/Patients?email=ops@example.com" -H "$H"
errcheck 400 INVALID_PARAMETER "an e-mail without an SMTP relay: 400"
ok "... saying there is no relay" sh -c "jq -r .Message '$T/body' | grep -q 'no SMTP relay'"
is "$(ls "$SPOOL/queued" | wc -l)" 0 "and no job is queued"

# refused CLASS URL : a callback refused at submission, naming the class
refused() {
	req POST "$P/Patients?q=$1&callback=$2" -H "$H"
	is "$CODE $(jf .Code) $(jf .Message | grep -c "is $1, and no address or range in \[notify\] callback_allow covers it")" \
	    "400 INVALID_PARAMETER 1" "callback $2: 400, $1"
}
refused loopback "http://127.0.0.1:9/x"
refused loopback "http://[::1]:9/x"
refused private "http://10.1.2.3/x"
refused private "https://192.168.0.10/x"
refused link-local "http://169.254.169.254/latest/meta-data"
refused unspecified "http://0.0.0.0/x"
refused loopback "http://[::ffff:127.0.0.1]/x"
req POST "$P/Patients?q=pub&callback=http://93.184.216.34/x" -H "$H"
is "$CODE" 200 "a public address literal is taken"
req POST "$P/Patients?q=name&callback=https://hooks.example.com/x" -H "$H"
is "$CODE" 200 "a name is taken (judged at delivery)"

# the CLI applies the same rules (job_accept): exit 2, the reason, nothing
# queued
xspool -c "$CONF" submit Patients -e ops@example.com > "$T/cli.out" 2> "$T/cli.err"
is "$?" 2 "CLI: an e-mail without an SMTP relay: exit 2"
ok "... saying there is no relay" grep -q 'no SMTP relay' "$T/cli.err"
xspool -c "$CONF" submit Patients -w http://10.1.2.3/x > "$T/cli.out" 2> "$T/cli.err"
is "$?" 2 "CLI: a private address literal as callback: exit 2"
ok "... saying why" grep -q 'is private, and no address or range in \[notify\] callback_allow covers it' "$T/cli.err"
is "$(ls "$SPOOL/queued" | grep -c .)" 2 "the CLI queued nothing (the 2 REST jobs only)"

# callback_allow opens an address or a range; a relay allows e-mail
sed -i "s|^\[notify\]\$|&\ncallback_allow = 127.0.0.0/8, hooks.example.com\nsmtp = smtp://127.0.0.1:9|" "$CONF"
hup
req POST "$P/Patients?q=lo&callback=http://127.0.0.2:9/x" -H "$H"
is "$CODE" 200 "callback_allow = 127.0.0.0/8: 127.0.0.2 is taken"
req POST "$P/Patients?q=ten&callback=http://10.1.2.3/x" -H "$H"
errcheck 400 INVALID_PARAMETER "an address outside callback_allow: still 400"
req POST "$P/Patients?q=mail&email=ops@example.com" -H "$H"
is "$CODE" 200 "with a relay an e-mail is taken"
ok "CLI: with a relay an e-mail is taken" \
    sh -c "xspool -c '$CONF' submit Patients -e ops@example.com > /dev/null"

openapi_check
stop httpd
done_testing
