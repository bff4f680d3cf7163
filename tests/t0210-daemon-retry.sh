#!/bin/sh
# t0210 - retries: a job failing twice then succeeding completes with
# attempts 3; one always failing is cancelled after max_attempts keeping
# each attempt's error; the backoff between attempts grows.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

types retry_base=300ms retry_max=10s max_attempts=4 <<CONF
[type Flaky]
command = $EXP/flaky 3
emits = csv
formats = JSON,CSV

[type Never]
command = $EXP/flaky 99
emits = csv
formats = JSON,CSV
CONF
daemon d

log=$T/attempts.log
drop flaky1 "{\"type\": \"Flaky\", \"params\": {\"log\": \"$log\"}}"
drop never1 "{\"type\": \"Never\", \"params\": {\"log\": \"$log\"}}"

ok "the flaky job completes" wait_for 20 is_in flaky1 completed
is "$(field flaky1 'j["attempts"]')" 3 "attempts 3"
is "$(field flaky1 'j["result"]["success"]')" True "success"
ok "its zip is there" test -s "$SPOOL/out/flaky1.zip"
is "$(grep -c '^flaky1 ' "$log")" 3 "the exporter ran three times"
is "$(grep '^flaky1 ' "$log" | awk '{print $2}' | tr '\n' ' ')" "1 2 3 " \
    "XSPOOL_ATTEMPT 1, 2, 3"

ok "the failing job is cancelled" wait_for 20 is_in never1 cancelled
is "$(field never1 'j["attempts"]')" 4 "after max_attempts (4)"
is "$(field never1 'j["cancelledBy"]')" attempts "cancelledBy attempts"
is "$(field never1 'j["result"]["success"]')" False "success false"
for n in 1 2 3 4; do
	ok "attempt $n's error kept" sh -c "grep -q 'attempt $n: .*attempt $n failed on purpose' '$(find "$SPOOL/cancelled" -name never1.job)'"
done
is "$(grep -c '^never1 ' "$log")" 4 "the exporter ran four times"
ok "no zip for the cancelled job" test ! -e "$SPOOL/out/never1.zip"
ok "retries are claimed straight from failed/" grep -q 'flaky1 Flaky failed -> processing (retry)' "$T/d.err"
ok "the log says why" grep -q 'never1 Never processing -> cancelled (gave up after 4 attempts: ' "$T/d.err"

# backoff: 300ms, 600ms, 1200ms +-20%, as the log's "next attempt in"
# says (the daemon's own figure: a loaded machine cannot blur it), and no
# retry starts before its time (stalls only make them later)
waits=$(sed -n 's/.* never1 Never processing -> failed (.*; next attempt in \([0-9]*\)ms) .*/\1/p' "$T/d.err" | tr '\n' ' ')
gaps=$(grep '^never1 ' "$log" | awk 'NR > 1 { printf "%d ", $3 - p } { p = $3 }')
diag "backoffs (ms): $waits; gaps between the starts (ms): $gaps"
set -- $waits
is "$#" 3 "three backoffs logged"
ok "the first about retry_base (240...360)" test "${1:-0}" -ge 240 -a "${1:-0}" -le 360
ok "the second twice that (480...720)" test "${2:-0}" -ge 480 -a "${2:-0}" -le 720
ok "the third four times (960...1440)" test "${3:-0}" -ge 960 -a "${3:-0}" -le 1440
early=$(printf '%s\n%s\n' "$waits" "$gaps" | awk 'NR == 1 { n = split($0, w) }
    NR == 2 { split($0, g); e = 0; for (i = 1; i <= n; i++) if (g[i] < w[i]) e++; print e }')
is "$early" 0 "no retry started before its backoff ran out"

stop d
done_testing
