#!/bin/sh
# t0290 - SIGHUP reloads the config: a good new one takes effect (a new
# export type is served); a bad one is refused with the reason logged and
# the old one kept (the daemon goes on serving).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/exporters/daemon.sh"

types <<CONF
CONF
daemon d
drop a1 '{"type": "Ok"}'
ok "serves type Ok" wait_for 5 is_in a1 completed

cat >> "$CONF" <<CONF

[type Fresh]
command = $EXP/ok 5
emits = csv
formats = JSON,CSV
CONF
kill -HUP "$(pid_of d)"
ok "the reload is logged" wait_for 5 grep -q 'reloaded' "$T/d.err"
drop b1 '{"type": "Fresh"}'
ok "the new type is served" wait_for 5 is_in b1 completed
is "$(field b1 'j["result"]["records"]')" 5 "with its own command"

cp "$CONF" "$T/good.conf"
printf '[spool]\nworkers = lots\n' >> "$CONF"
kill -HUP "$(pid_of d)"
ok "a bad config is refused, with file and line" wait_for 5 grep -q "reload refused.*xspool.conf:[0-9]*:" "$T/d.err"
ok "the daemon is still running" kill -0 "$(pid_of d)"
drop c1 '{"type": "Fresh"}'
ok "and still serves with the old config" wait_for 5 is_in c1 completed
stop d
is "$?" 0 "exits 0 on SIGTERM"
done_testing
