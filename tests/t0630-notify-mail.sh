#!/bin/sh
# t0630 - mail through a real SMTP server (aiosmtpd) on 127.0.0.1: the
# RFC 5322 message and its body; a refused recipient, no relay, a relay
# that is down (retried), header injection refused; smtps with AUTH.
. "$(dirname "$0")/lib.sh"

SINK="$TOP/tests/helpers/smtp-sink.py"
. "$TOP/tests/exporters/daemon.sh"
. "$TOP/tests/helpers/notify.sh"
bg sink /usr/bin/python3 "$SINK" "$T/sport" "$T/mail"
bg refuse /usr/bin/python3 "$SINK" "$T/rport" "$T/refused" refuse
ok "the SMTP sinks are listening" wait_for 10 test -s "$T/sport" -a -s "$T/rport"
SPORT=$(cat "$T/sport")
RPORT=$(cat "$T/rport")
ID=3fa85f64-5717-4562-b3fc-2c963f66afa6

types <<CONF
smtp = smtp://127.0.0.1:$SPORT
from = Exports <xspool@example.org>
base_url = https://export.example.org
webhook_retry_base = 200ms
CONF
sed -i 's/^\[spool\]$/&\nsync = no/' "$CONF"
mkdir -p "$SPOOL/completed"
donejob "$SPOOL/completed/$ID.job" "" ops@example.com
out=$(xnotify -c "$CONF" mail "$SPOOL/completed/$ID.job" COMPLETED)
is "$out" "0 250 Message accepted for delivery" "the relay accepts the mail"
ok "one message arrived" test -s "$T/mail/1.eml"
printf 'MAIL FROM xspool@example.org\nRCPT TO ops@example.com\n' > "$T/env"
ok "envelope: from [notify] from, to the job's address" \
    diff -u "$T/env" "$T/mail/1.env"

# the headers and body, read with Python's own mail parser
/usr/bin/python3 - "$T/mail/1.eml" > "$T/parsed" <<'PY'
import email, email.policy, email.utils, sys, time
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.strict)
raw_headers = raw.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
for h in ("From", "To", "Subject", "MIME-Version", "Content-Type",
          "Content-Transfer-Encoding"):
    print([l for l in raw_headers if l.startswith(h + ": ")][0])
    assert m[h]
d = email.utils.parsedate_to_datetime(m["Date"]).timestamp()
print("Date is now:", abs(d - time.time()) < 60)
mid = m["Message-ID"]
print("Message-ID ok:", mid.startswith("<3fa85f64-") and mid.endswith("@example.org>"))
print("CRLF only:", b"\n" not in raw.replace(b"\r\n", b""))
print("charset:", m.get_content_charset())
PY
cat > "$T/want" <<EOF
From: Exports <xspool@example.org>
To: ops@example.com
Subject: Export Invoices 3fa85f64 completed
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
Date is now: True
Message-ID ok: True
CRLF only: True
charset: utf-8
EOF
ok "From, To, Subject, Date, Message-ID, MIME headers" diff -u "$T/want" "$T/parsed"
tr -d '\r' < "$T/mail/1.eml" > "$T/body"
ok "body: the status" grep -q "^Status: *COMPLETED$" "$T/body"
ok "body: the record count" grep -q "^Records: *120000$" "$T/body"
ok "body: the size" grep -q "^Size: *812345 bytes" "$T/body"
ok "body: the duration" grep -q "^Duration: *5.321 s$" "$T/body"
ok "body: the API download path with base_url" grep -q \
    "https://export.example.org/api/v1/ExportResult/Download/$ID$" "$T/body"
ok "body: the xspool download command" grep -q "xspool download $ID$" "$T/body"

# a failed attempt lists its errors
cat > "$T/$ID.job" <<JOB
{"type": "Invoices", "email": "ops@example.com", "attempts": 2,
 "result": {"success": false, "errors": ["exit status 7", "bad: broke"]}}
JOB
xnotify -c "$CONF" mail "$T/$ID.job" FAILED > /dev/null
tr -d '\r' < "$T/mail/2.eml" > "$T/body2"
ok "a failure: subject says failed" grep -q "^Subject: Export Invoices 3fa85f64 failed$" "$T/body2"
ok "... and the errors are listed" grep -q "^  bad: broke$" "$T/body2"
nok "... no download offered" grep -q "xspool download" "$T/body2"

# header injection: refused at submit, and again before sending
xspool -c "$CONF" submit Ok -e "$(printf 'a@example.com\r\nBcc: evil@example.net')" \
    > /dev/null 2>&1
is "$?" 2 "submit: CR/LF in the address is refused"
xspool -c "$CONF" submit Ok -e "a@example.com, evil@example.net" > /dev/null 2>&1
is "$?" 2 "submit: two addresses are refused"
xspool -c "$CONF" submit Ok -e "a@example.com>
Bcc: evil@example.net" > /dev/null 2>&1
is "$?" 2 "submit: a newline in the address is refused"
printf '{"type": "Ok", "email": "a@example.com\\r\\nBcc: evil@example.net"}\n' \
    > "$T/$ID.job"
out=$(xnotify -c "$CONF" mail "$T/$ID.job" COMPLETED)
is "$out" "-1 invalid e-mail address" "a tampered job file: refused before sending"
is "$(ls "$T/mail" | grep -c 'eml$')" 2 "... and nothing sent"

# the queue: a refused recipient, no relay, a relay that is down
job() {
	printf '{"type": "Invoices", "email": "ops@example.com", "result": {"success": true}}\n' \
	    > "$SPOOL/completed/$1.job"
}
field() { jfield "$SPOOL/completed/$1.job" "$2"; }
job refused
sed "s/:$SPORT\$/:$RPORT/" "$CONF" > "$T/refuse.conf"
ok "refusing relay: the queue drains" xnotify -c "$T/refuse.conf" -t 10 queue refused
is "$(field refused 'j["result"]["notifyEmailSent"]')" False "550: notifyEmailSent false"
is "$(field refused 'j["notify"]["email"]["tries"]')" 1 "... a 5xx is not retried"
ok "... with the relay's answer" \
    grep -q "550 5.1.1 <ops@example.com>: Recipient address rejected" \
    "$SPOOL/completed/refused.job"

job norelay
sed '/^smtp =/d' "$CONF" > "$T/norelay.conf"
ok "no relay: the queue drains" xnotify -c "$T/norelay.conf" -t 10 queue norelay
is "$(field norelay 'j["result"]["notifyEmailSent"]')" False "no relay: notifyEmailSent false"
is "$(field norelay 'j["notify"]["email"]["error"]')" "no SMTP relay configured" \
    "... with an error saying so"

job down
/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' > "$T/dport"
sed "s/:$SPORT\$/:$(cat "$T/dport")/" "$CONF" > "$T/down.conf"
ok "relay down: the queue drains" xnotify -c "$T/down.conf" -t 10 queue down
is "$(field down 'j["notify"]["email"]["tries"]')" 3 "relay down: tried 3 times"
is "$(field down 'j["result"]["notifyEmailSent"]')" False "... then notifyEmailSent false"

# smtps with a user and password; the relay's certificate trusted through
# ca_file (a self-signed certificate is its own CA)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 \
    -keyout "$T/smtp.key" -out "$T/smtp.pem" 2> /dev/null
bg tls /usr/bin/python3 "$SINK" "$T/tport" "$T/tmail" \
    tls "$T/smtp.pem" "$T/smtp.key" auth bob:s3cret
ok "an smtps relay requiring AUTH is listening" wait_for 10 test -s "$T/tport"
# smtps PASSWORD [CA] : the config for it
smtps() {
	sed "s|^smtp = .*|smtp = smtps://127.0.0.1:$(cat "$T/tport")\\
smtp_user = bob\\
smtp_password = $1${2:+\\
ca_file = $2}|" "$CONF" > "$T/smtps.conf"
}
smtps s3cret "$T/smtp.pem"
out=$(xnotify -c "$T/smtps.conf" mail "$SPOOL/completed/$ID.job" COMPLETED)
is "$out" "0 250 Message accepted for delivery" "smtps, user and password: accepted"
ok "... authenticated as smtp_user" grep -qx "AUTH bob" "$T/tmail/1.env"
ok "... the message arrived" grep -q "^Subject: Export Invoices 3fa85f64 completed" "$T/tmail/1.eml"
smtps wrong "$T/smtp.pem"
out=$(xnotify -c "$T/smtps.conf" mail "$SPOOL/completed/$ID.job" COMPLETED)
is "${out%% *}" -1 "a wrong password: refused, not retried"
ok "... with the relay's answer: $out" sh -c "echo '$out' | grep -q 535"
smtps s3cret
out=$(xnotify -c "$T/smtps.conf" mail "$SPOOL/completed/$ID.job" COMPLETED)
is "${out%% *}" 1 "without ca_file the relay's certificate is not trusted"
ok "... saying so: $out" sh -c "echo '$out' | grep -qi certificate"
is "$(ls "$T/tmail" | grep -c 'eml$')" 1 "... only the first mail went through"
nok "the password is never in what xnotify wrote" grep -q s3cret "$T/xnotify.err"
is "$(find "$SPOOL/notify" -type f | wc -l)" 0 "no hint files left"
done_testing
