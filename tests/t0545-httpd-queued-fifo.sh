#!/bin/sh
# t0545 - what is not a job file in queued/ cannot hang
# or fool the REST API: a FIFO (its open would block for good, holding the
# queue index's lock) leaves the listing, status and submissions prompt;
# a symlink to a valid job is not shown as QUEUED and cannot be
# cancelled; a symlink to /etc/shadow (or any file) gives 404, not 500,
# and none of its content.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
A=$(newkey erp)
ADM=$(newkey ops --admin)
Q=$SPOOL/queued
mkfifo "$Q/fifo-1.job"
printf '{"type":"Patients","client":"erp","format":"JSON"}\n' > "$T/real.job"
ln -s "$T/real.job" "$Q/link-1.job"
if [ -r /etc/shadow ]; then SECRET=/etc/shadow; else
	echo 'root:$6$not-a-real-hash:19000:0:99999:7:::' > "$T/secret"
	SECRET=$T/secret
fi
ln -s "$SECRET" "$Q/shadow-1.job"
# a FIFO also where a state lookup and the processing/ scan look
mkdir -p "$SPOOL/processing/testnode"
mkfifo "$SPOOL/processing/testnode/fifo-2.job" "$SPOOL/completed/fifo-3.job"
hstart

# q PATH [KEY] : GET with a generous bound; "timeout" when none came
q() {
	: > "$T/body"
	CODE=$(curl -s --max-time 20 -o "$T/body" -D "$T/hdr" \
	    -w '%{http_code}' -H "X-Api-Key: ${2:-$ADM}" "$URL$1") ||
	    CODE=timeout
	capture GET "$1"
}

q /api/v1/ExportResult/Queued
is "$CODE" 200 "a FIFO in queued/: the listing answers"
is "$(jf '.count')" 0 "... and lists neither the FIFO nor the symlinks"
q /api/v1/ExportResult/Queued "$A"
is "$CODE $(jf .count)" "200 0" "... for the client the link names too"

req POST "/api/v1/ExportRequest/Patients?format=CSV" -H "X-Api-Key: $A" \
    --max-time 20
is "$CODE" 200 "a submission is served (duplicate check over queued/ and processing/)"
ID=$(jf .id)
q /api/v1/ExportResult/Queued "$A"
is "$(jf '[.items[].id] | join(",")')" "$ID" "the listing shows the real job only"

for id in fifo-1 fifo-2 fifo-3; do
	q "/api/v1/ExportResult/Status/$id"
	is "$CODE $(jf .Code)" "404 NOT_FOUND" "status of the FIFO $id: 404, promptly"
done
q /api/v1/ExportResult/Status/link-1 "$A"
is "$CODE $(jf .Code)" "404 NOT_FOUND" "a symlink to a job is no QUEUED job"
req DELETE /api/v1/ExportRequest/Cancel/link-1 -H "X-Api-Key: $A" --max-time 20
is "$CODE" 404 "... and cannot be cancelled"
ok "... its target is untouched" test -f "$T/real.job" -a -L "$Q/link-1.job"
q /api/v1/ExportResult/Status/shadow-1
is "$CODE $(jf .Code)" "404 NOT_FOUND" "a symlink to $SECRET: 404, not 500"
nok "... no byte of it in the answer" grep -q 'root:' "$T/body"
nok "... nor in the log" grep -q 'root:' "$T/httpd.err" "$T/access.log"
q /api/v1/ExportResult/Download/shadow-1
is "$CODE" 404 "... nor a download"
q /metrics
is "$CODE" 200 "/metrics counts past the FIFOs"
q /livez
is "$CODE" 200 "the server is well"

openapi_check
stop httpd
is "$?" 0 "SIGTERM: exits 0"
done_testing
