#!/bin/sh
# t0275 - job files nested 100,000 levels deep (600 KB of
# {"a":{"a":..., and 100 KB of unclosed '[') in queued/ stall nothing:
# xspool-httpd's queue listing (which parses queued/) answers at once,
# xspoold sends both to bad/ with a .why naming the depth and its byte,
# and a normal job submitted after them completes.  Before json.c's
# depth pre-scan, jsmn took 30 s over each (quadratic in depth).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

clients
Q=$SPOOL/queued
/usr/bin/python3 - "$Q" <<'PY'
import sys
q = sys.argv[1]
n = 100000
with open(q + "/deep.job", "w") as f:
    f.write('{"type":"Patients","client":"erp","params":' + '{"a":' * n +
            '1' + '}' * n + '}\n')
with open(q + "/open.job", "w") as f:
    f.write('{"type":"Patients","client":"erp","x":' + '[' * n)
PY
touch -d '1 hour ago' "$Q/deep.job" "$Q/open.job"	# past drop_grace

# the listing parses every queued file (qcache): bounded, not 2 x 30 s
req GET /api/v1/ExportResult/Queued -H "X-Api-Key: $A" --max-time 20
is "$CODE $(jf .count)" "200 0" "the queue listing answers at once with the deep files in queued/"
req POST "/api/v1/ExportRequest/Patients?format=CSV" -H "X-Api-Key: $A" \
    --max-time 20
is "$CODE" 200 "a normal job is submitted after them"
ID=$(jf .id)
req GET /api/v1/ExportResult/Queued -H "X-Api-Key: $A" --max-time 20
is "$CODE $(jf .count) $(jf '.items[0].id')" "200 1 $ID" \
    "... and listed, the deep files not"

bg d xspoold -f -c "$CONF"
ok "xspoold starts" wait_for 20 grep -q 'started: node' "$T/d.err"
ok "the normal job completes" wait_for 30 test -e "$SPOOL/completed/$ID.job"
ok "the 100,000-level file goes to bad/" wait_for 30 test -e "$SPOOL/bad/deep.job"
ok "... its .why names the depth and the byte" wait_for 10 \
    grep -q 'nesting deeper than 256 at byte' "$SPOOL/bad/deep.job.why"
ok "the unclosed one goes to bad/ too" wait_for 30 test -e "$SPOOL/bad/open.job"
ok "... for its depth" wait_for 10 \
    grep -q 'nesting deeper than 256 at byte' "$SPOOL/bad/open.job.why"
ok "the log says so" grep -q 'queued/deep.job -> bad/.*nesting deeper' "$T/d.err"
req GET "/api/v1/ExportResult/Status/$ID" -H "X-Api-Key: $A" --max-time 20
is "$CODE $(jf .status)" "200 COMPLETED" "REST reports it COMPLETED"
stop d
stop httpd
openapi_check
done_testing
