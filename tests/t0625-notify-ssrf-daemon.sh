#!/bin/sh
# t0625 - through the real daemon, the case of issue 11 item 8: with
# callback_allow = *.example.com and x.example.com pointing at 127.0.0.1,
# the webhook is not delivered (the export completes, callbackSent is
# false, the webhook's error names the loopback address); an explicit
# 127.0.0.1 in callback_allow delivers it.  The daemon runs in a private
# mount namespace (unshare -rm) whose /etc/hosts holds x.example.com, so
# nothing outside the test changes.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"
. "$TOP/tests/helpers/notify.sh"

printf '127.0.0.1 localhost\n127.0.0.1 x.example.com\n' > "$T/hosts"
printf '::ffff:127.0.0.1 m.example.com\n10.1.2.3 p.example.com\n' >> "$T/hosts"
# inns COMMAND... : COMMAND with $T/hosts as /etc/hosts (nsdaemon spells
# it out: bg must remember the daemon's own pid, not a subshell's)
inns() {
	unshare -rm sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \
	    "$T/hosts" "$@"
}
if ! inns getent hosts x.example.com 2>/dev/null | grep -q '^127\.0\.0\.1 '
then
	skip "x.example.com -> 127.0.0.1 in a private namespace" \
	    "unshare -rm or a bind mount of /etc/hosts is not available"
	done_testing
	exit 0
fi
ok "in a private namespace x.example.com is 127.0.0.1" true
ok "the receiver is listening" receiver

# conf ALLOW : the daemon's config with callback_allow = ALLOW
conf() {
	types <<CONF
callback_allow = $1
webhook_timeout = 3s
webhook_attempts = 2
webhook_retry_base = 200ms
CONF
}
nsdaemon() {	# nsdaemon NAME : xspoold in the namespace, up and scanned
	bg "$1" unshare -rm sh -c 'mount --bind "$0" /etc/hosts &&
	    exec "$@"' "$T/hosts" xspoold -f -c "$CONF"
	wait_for 10 grep -q 'started: node' "$T/$1.err"
}
# track ID : the state of ID's webhook (pending, sent, failed)
track() {
	field "$1" "(j.get('notify') or {}).get('webhook', {}).get('state')"
}
sent() { [ "$(field "$1" "j['result'].get('callbackSent')")" = "$2" ]; }
given_up() { [ "$(track "$1")" = failed ]; }

conf "*.example.com"
id=$(xspool -c "$CONF" submit Ok -w "http://x.example.com:$PORT/named")
ok "submit: x.example.com is within *.example.com" test -n "$id"
mid=$(xspool -c "$CONF" submit Ok -w "http://m.example.com:$PORT/mapped")
pid=$(xspool -c "$CONF" submit Ok -w "http://p.example.com/private")
ok "the daemon starts in the namespace" nsdaemon d
ok "the export completes" wait_for 10 is_in "$id" completed
ok "its webhook is given up at once, not retried" wait_for 10 given_up "$id"
is "$(field "$id" "j['result'].get('callbackSent')")" False \
    "... callbackSent is false"
is "$(field "$id" "j['notify']['webhook']['tries']")" 1 "... after one try"
is "$(field "$id" "j['notify']['webhook']['error']")" \
    "callback host x.example.com: address 127.0.0.1 is loopback, and no address or range in callback_allow covers it" \
    "... its error names the host, the address and the rule"
ok "a v4-mapped loopback address is refused too" wait_for 10 given_up "$mid"
ok "... naming it loopback" sh -c "echo '$(field "$mid" \
    "j['notify']['webhook'].get('error')")' | grep -q 'is loopback, and no'"
ok "a private address (10.1.2.3) is refused too" wait_for 10 given_up "$pid"
is "$(field "$pid" "j['notify']['webhook'].get('error')")" \
    "callback host p.example.com: address 10.1.2.3 is private, and no address or range in callback_allow covers it" \
    "... naming it private"
is "$(recv count "$T/hooks")" 0 "the receiver on 127.0.0.1 got nothing"
ok "the daemon says why in its log" \
    grep -q 'x.example.com: address 127.0.0.1 is loopback' "$T/d.err"
stop d

# an explicit address opens it: the same name now delivers
conf "*.example.com, 127.0.0.1"
id2=$(xspool -c "$CONF" submit Ok -w "http://x.example.com:$PORT/opened")
ok "the daemon restarts with callback_allow = *.example.com, 127.0.0.1" \
    nsdaemon d2
ok "the export completes" wait_for 10 is_in "$id2" completed
ok "... callbackSent becomes true" wait_for 10 sent "$id2" True
is "$(recv count "$T/hooks" /opened)" 1 "... the receiver got it"
is "$(recv count "$T/hooks")" 1 "... and nothing else"
stop d2
done_testing
