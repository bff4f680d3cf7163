#!/bin/sh
# t0290 - SIGHUP reloads the config: a good new one takes effect (a new
# export type is served); a bad one is refused with the reason logged and
# the old one kept (the daemon goes on serving).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types </dev/null
daemon d
drop a1 '{"type": "Ok"}'
ok "serves type Ok" wait_for 20 is_in a1 completed

cat >> "$CONF" <<CONF

[type Fresh]
command = $EXP/ok 5
emits = csv
formats = JSON,CSV
CONF
kill -HUP "$(pid_of d)"
ok "the reload is logged" wait_for 20 grep -q 'reloaded' "$T/d.err"
drop b1 '{"type": "Fresh"}'
ok "the new type is served" wait_for 20 is_in b1 completed
is "$(field b1 'j["result"]["records"]')" 5 "with its own command"

# more workers take effect at once
cat >> "$CONF" <<CONF

[type Slow]
command = $EXP/slow xspool-t0290-$$
emits = csv
formats = JSON,CSV
CONF
spool_set workers=3
kill -HUP "$(pid_of d)"
ok "reloaded with 3 workers" wait_for 20 grep -q 'reloaded.*3 workers' "$T/d.err"
for i in 1 2 3; do
	drop "slow$i" '{"type": "Slow", "params": {"sleep": "1.5"}}'
done
three() { [ "$(ls "$SPOOL/processing/testnode" | wc -l)" -eq 3 ]; }
ok "three jobs run at once" wait_for 20 three

cp "$CONF" "$T/good.conf"
printf '[spool]\nworkers = lots\n' >> "$CONF"
kill -HUP "$(pid_of d)"
ok "a bad config is refused, with file and line" wait_for 20 grep -q "reload refused.*xspool.conf:[0-9]*:" "$T/d.err"
ok "the daemon is still running" kill -0 "$(pid_of d)"
drop c1 '{"type": "Fresh"}'
ok "and still serves with the old config" wait_for 20 is_in c1 completed
stop d
is "$?" 0 "exits 0 on SIGTERM"
done_testing
