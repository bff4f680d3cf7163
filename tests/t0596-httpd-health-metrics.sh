#!/bin/sh
# t0596 - /healthz tells readiness honestly: 503 NO_LIVE_NODE (with
# Retry-After) while no xspoold has a live heartbeat, 200 naming the live
# nodes once one runs, by node.c's lease rule (a heartbeat older than
# lease is not live); /livez is 200 throughout.  /metrics adds jobs by
# type and state, the oldest queued job's age, live nodes, busy workers
# per node and notifications pending or given up.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
cat >> "$CONF" <<CONF

[type Slow]
command = $TOP/tests/exporters/slow xspool-t0596-$$
emits = csv
formats = JSON,CSV
CONF
A=$(newkey erp)
hstart
H="X-Api-Key: $A"
P=/api/v1/ExportRequest
metric() {
	curl -s "$URL/metrics" | awk -v k="$1" '$1 == k { print $2 }'
}
metric_is() { [ "$(metric "$1")" = "$2" ]; }
health_is() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = "$1" ]
}

req GET /healthz
errcheck 503 NO_LIVE_NODE "no daemon: 503 NO_LIVE_NODE"
is "$(hdr Retry-After)" 10 "... with Retry-After"
ok "... saying no node is live" sh -c "jq -r .Message '$T/body' | grep -q 'no xspoold has a live heartbeat'"
req GET /livez
is "$CODE $(jf .status)" "200 ok" "/livez: 200 without a daemon"
is "$(metric xspool_nodes_live)" 0 "metrics: no live node"

# a heartbeat older than the lease (10 s) is not live
printf 'pid 1\nhost elsewhere\n' > "$SPOOL/nodes/ghost"
touch -d '-1 hour' "$SPOOL/nodes/ghost"
req GET /healthz
is "$CODE $(jf .Code)" "503 NO_LIVE_NODE" "a heartbeat an hour old is not live"

bg daemon xspoold -f -c "$CONF"
ok "with the daemon: 200" wait_for 20 health_is 200
req GET /healthz
is "$(jq -c . "$T/body")" '{"status":"ok","nodes":["testnode"]}' \
    "the body names the live node only"
# a fresh heartbeat is live (another node's, written by hand)
printf 'pid 1\nhost elsewhere\n' > "$SPOOL/nodes/ghost"
req GET /healthz
is "$(jq -c '.nodes | sort' "$T/body")" '["ghost","testnode"]' \
    "a fresh heartbeat: both nodes named"
rm "$SPOOL/nodes/ghost"

# a busy worker, counted per node and per type
req POST "$P/Slow?sleep=300" -H "$H"
SL=$(jf .id)
ok "the slow job runs: one busy worker" \
    wait_for 20 metric_is 'xspool_workers_busy{node="testnode"}' 1
is "$(metric 'xspool_jobs_by_type{type="Slow",state="processing"}')" 1 \
    "jobs by type: Slow processing 1"
is "$(metric xspool_nodes_live)" 1 "metrics: one live node"

stop daemon
ok "the daemon stopped: 503 again" wait_for 20 health_is 503
req GET /healthz
is "$(jf .Code)" NO_LIVE_NODE "... NO_LIVE_NODE"

# the oldest queued job's age; queued jobs by type
printf '{"type":"Patients","client":"erp"}\n' > "$T/old.job"
touch -d '-2 hours' "$T/old.job"
mv "$T/old.job" "$SPOOL/queued/old-1.job"
req POST "$P/Patients?q=new" -H "$H"
age_ok() {
	_a=$(metric xspool_oldest_queued_seconds)
	[ -n "$_a" ] && awk -v a="$_a" 'BEGIN { exit !(a >= 7200 && a < 7300) }'
}
ok "xspool_oldest_queued_seconds is the dropped job's age (2 h)" \
    wait_for 10 age_ok
ok "jobs by type: Patients queued 2" \
    wait_for 10 metric_is 'xspool_jobs_by_type{type="Patients",state="queued"}' 2

# notifications given up and still tried, from the job files
for n in 1 2; do
	printf '{"id":"n-%s","type":"Invoices","client":"erp","callback":"https://hooks.example.com/x","email":"a@example.com","result":{"success":true,"errors":[],"callbackSent":false,"notifyEmailSent":false},"notify":{"webhook":{"state":"failed","tries":5,"error":"HTTP 500"},"email":{"state":"pending","tries":1,"error":"no answer"}}}\n' \
	    "$n" > "$SPOOL/completed/n-$n.job"
done
ok "notifications failed: 2 webhooks" wait_for 10 metric_is \
    'xspool_notifications{channel="webhook",state="failed"}' 2
is "$(metric 'xspool_notifications{channel="email",state="pending"}')" 2 \
    "notifications pending: 2 mails"
is "$(metric 'xspool_jobs_by_type{type="Invoices",state="completed"}')" 2 \
    "jobs by type: Invoices completed 2"
curl -s "$URL/metrics" > "$T/metrics"
if command -v promtool > /dev/null; then
	ok "promtool check metrics" sh -c "promtool check metrics < '$T/metrics'"
else
	skip "promtool check metrics" "no promtool"
fi
ok "every sample line is NAME{LABELS} VALUE" sh -c "! grep -v '^#' '$T/metrics' |
    grep -Ev '^[a-z_]+(\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\})? -?[0-9.e+]+\$'"

openapi_check
stop httpd
done_testing
