#!/bin/sh
# t0310 - exporters that misbehave: each attempt ends with a clear error on
# the job, the job in the right state, and the daemon still serving others.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

M=xspool-t0310-$$
types <<CONF
[type Missing]
command = $T/no-such-exporter
emits = csv
formats = JSON,CSV

[type Signal]
command = $EXP/bad signal
emits = csv
formats = JSON,CSV

[type Big]
command = $EXP/bad big
emits = csv
formats = JSON,CSV
max_bytes = 1M

[type Exit]
command = $EXP/bad exit
emits = csv
formats = JSON,CSV

[type Orphan]
command = $EXP/bad orphan $M
emits = csv
formats = JSON,CSV
timeout = 3s
CONF
spool_set max_attempts=1
daemon d

errors() { field "$1" '"|".join(j["result"]["errors"])'; }
for k in Missing Signal Big Exit; do
	drop "$k" "{\"type\": \"$k\"}"
done
for k in Missing Signal Big Exit; do
	ok "$k: cancelled after its one attempt" wait_for 10 is_in $k cancelled
	diag "$k: $(errors $k)"
done
ok "missing command: the error says it cannot run" sh -c "echo '$(errors Missing)' | grep -q 'no-such-exporter'"
ok "signal: the error names the signal" sh -c "echo '$(errors Signal)' | grep -qi 'signal 11\|SIGSEGV\|segmentation'"
ok "max_bytes: the error says so" sh -c "echo '$(errors Big)' | grep -qi 'max_bytes\|1M\|too much\|more than'"
ok "exit 7: the status and the stderr line" sh -c "echo '$(errors Exit)' | grep -q '7' && echo '$(errors Exit)' | grep -q 'something broke'"
for k in Missing Signal Big Exit; do
	ok "$k: no zip" test ! -e "$SPOOL/out/$k.zip"
done

drop Orphan '{"type": "Orphan"}'
ok "an exporter leaving a child behind ends" wait_for 10 sh -c "[ -n \"\$(find '$SPOOL/completed' '$SPOOL/cancelled' -name Orphan.job)\" ]"
diag "orphan: $(where Orphan): $(errors Orphan)"
ok "its child is killed with the group" wait_for 5 sh -c "! pgrep -f '[s]leep 60; : $M' >/dev/null"

# out/ not writable: the attempt fails, the zip is not lost in tmp/; its
# retry is far off (a loaded machine must not retry it before out/ is
# back) and is asked for at once with xspool retry
spool_set max_attempts=3 retry_base=10m retry_max=10m
kill -HUP "$(pid_of d)"
wait_for 20 grep -q reloaded "$T/d.err"
mv "$SPOOL/out" "$SPOOL/out.away"
touch "$SPOOL/out"
drop noout '{"type": "Ok"}'
ok "out/ unusable: the attempt fails" wait_for 10 is_in noout failed
diag "noout: $(errors noout)"
ok "the error says where" sh -c "echo '$(errors noout)' | grep -q 'out/noout.zip'"
ok "no tmp/ file left" test -z "$(ls "$SPOOL/tmp")"
rm "$SPOOL/out"
mv "$SPOOL/out.away" "$SPOOL/out"
# (the daemon may claim it from failed/ as soon as it is made due, before
# the CLI's move to queued/: that is the retry, and retry says so)
ok "xspool retry queues it at once" xspool -c "$CONF" retry noout
ok "once out/ is back, the retry completes" wait_for 10 is_in noout completed
is "$(field noout 'j["attempts"]')" 2 "on the second attempt"

drop fine '{"type": "Ok"}'
ok "the daemon still serves others" wait_for 20 is_in fine completed
stop d
done_testing
