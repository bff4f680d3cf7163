#!/bin/sh
# t0910 - the per-client cap and the visible order: with max_queued = 2, a
# client's third submission is refused over REST (429 QUEUE_LIMIT_EXCEEDED
# with RetryAfterSeconds and Retry-After) and by the CLI (exit 1, naming
# max_queued), while a file dropped over the cap stays queued and runs;
# xspool list and an admin's GET /ExportResult/Queued show the queued jobs
# of every client in one order, and the daemon (one worker) starts them in
# exactly that order (read from what the exporter logged).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

log=$T/turn.log
hconf
sed -i "/^\[spool\]\$/a max_queued = 2\nweights = 1, erp:2\nworkers = 1" "$CONF"
cat >> "$CONF" <<CONF

[type Turn]
command = $TOP/tests/exporters/turn $log
emits = csv
formats = JSON,CSV
CONF
A=$(newkey erp)
B=$(newkey crm)
ADM=$(newkey ops --admin)
hstart

sub() { req POST "/api/v1/ExportRequest/Turn?n=$2" -H "X-Api-Key: $1"; }
sub "$A" 1
is "$CODE" 200 "erp's first job is queued"
sub "$A" 2
is "$CODE" 200 "erp's second job is queued"
sub "$A" 3
errcheck 429 QUEUE_LIMIT_EXCEEDED "erp's third is refused: 429 QUEUE_LIMIT_EXCEEDED"
is "$(jf .RetryAfterSeconds) $(hdr Retry-After)" "30 30" "with RetryAfterSeconds and Retry-After"
ok "the message names max_queued" sh -c "jq -r .Message '$T/body' | grep -q max_queued"
sub "$B" 1
is "$CODE" 200 "crm is not held by erp's cap"

xspool -c "$CONF" submit -C erp -P n=4 Turn > "$T/cli.out" 2> "$T/cli.err"
is "$?" 1 "the CLI over the cap: exit 1"
ok "... saying why" grep -q "erp has its max_queued (2) jobs queued" "$T/cli.err"
ok "... and nothing is queued" test "$(ls "$SPOOL/queued" | wc -l)" -eq 3
xspool -c "$CONF" submit -P n=5 Turn > /dev/null &&
    xspool -c "$CONF" submit -P n=6 Turn > /dev/null
is "$?" 0 "two jobs without a client (the client -, cap 2)"
printf '{"type": "Turn", "client": "erp", "params": {"n": "7"}}\n' > "$SPOOL/queued/erpdrop.job"
sub "$B" 2
is "$CODE" 200 "crm's second job"

# the order shown, by both listings, then the order run
xspool -c "$CONF" list | awk 'NR > 1 { print $1 }' > "$T/list"
req GET "/api/v1/ExportResult/Queued?limit=4" -H "X-Api-Key: $ADM"
jf '.items[].id' > "$T/rest"
c=$(jf .nextCursor)
req GET "/api/v1/ExportResult/Queued?limit=4&cursor=$c" -H "X-Api-Key: $ADM"
jf '.items[].id' >> "$T/rest"
is "$(wc -l < "$T/list")" 7 "xspool list shows the 7 queued jobs (the drop over the cap among them)"
ok "the admin's Queued pages show the same order as xspool list" diff -u "$T/list" "$T/rest"
ok "each client once, then erp (weight 2) again: erp has two of the first four" \
    test "$(head -n 4 "$T/list" | while read -r id; do cat "$SPOOL/queued/$id.job"; done | grep -c '"erp"')" -eq 2

req GET /metrics
grep '^xspool_\(client\|type\)_queued_jobs' "$T/body" > "$T/m"
is "$(grep -c . "$T/m")" 4 "/metrics: queued per client (3) and per type (1)"
ok "... erp 3, crm 2, - 2" sh -c "grep -qx 'xspool_client_queued_jobs{client=\"erp\"} 3' '$T/m' &&
    grep -qx 'xspool_client_queued_jobs{client=\"crm\"} 2' '$T/m' &&
    grep -qx 'xspool_client_queued_jobs{client=\"-\"} 2' '$T/m'"
ok "... Turn 7" grep -qx 'xspool_type_queued_jobs{type="Turn"} 7' "$T/m"
ok "... and the running gauges" grep -q '^# TYPE xspool_client_running_jobs gauge' "$T/body"

bg d xspoold -f -c "$CONF"
ok "all 7 complete, the drop over the cap too" wait_for 30 sh -c "[ \$(ls '$SPOOL/completed' | grep -c job) -eq 7 ]"
ok "nothing went to bad/" test -z "$(ls "$SPOOL/bad" 2>/dev/null)"
awk '$1 == "start" { print $2 }' "$log" > "$T/ran"
ok "the daemon started them in the order listed" diff -u "$T/list" "$T/ran"
stop d
openapi_check
done_testing
