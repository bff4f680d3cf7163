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

# backoff: 300ms, 600ms, 1200ms +-20% between the starts (plus run time)
gaps=$(grep '^never1 ' "$log" | awk 'NR > 1 { printf "%d ", $3 - p } { p = $3 }')
diag "gaps between attempts (ms): $gaps"
set -- $gaps
ok "first retry after about retry_base" test "$1" -ge 240 -a "$1" -lt 1500
ok "the second gap is longer" test "$2" -gt "$1"
ok "the third gap is longer still" test "$3" -gt "$2"
ok "third gap about 4 x retry_base" test "$3" -ge 960

stop d
done_testing
