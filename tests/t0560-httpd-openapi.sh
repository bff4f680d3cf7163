#!/bin/sh
# t0560 - etc/openapi.yaml lints clean with @redocly/cli, and
# the validator (tests/openapi/validate.mjs) both passes a real session
# of every endpoint and catches answers that drift from the document.
# Installs tests/openapi/package.json's packages into tests/node_modules
# with npm when they are missing (openapi_need); skips when npm cannot
# reach a registry.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

NM=$TOP/tests/node_modules
openapi_need

ok "redocly lint: etc/openapi.yaml is a clean OpenAPI 3.1 document" \
    sh -c "'$NM/.bin/redocly' lint --format=stylish '$TOP/etc/openapi.yaml' > '$T/lint' 2>&1"
grep -v '^$' "$T/lint" | sed 's/^/# /' | tail -5
ok "it says 3.1" grep -q '^openapi: 3\.1\.' "$TOP/etc/openapi.yaml"

# every route and every error shape, once
hconf "rate = 1000"
A=$(newkey erp)
ADM=$(newkey ops --admin)
hstart
H="X-Api-Key: $A"
req GET /api/v1/Identity -H "$H"
req GET /api/v1/Identity -H "X-Api-Key: $ADM"
req GET /api/v1/Identity
req GET /api/v1/Identity -H "X-Api-Key: ${A%%.*}"
req POST "/api/v1/ExportRequest/Patients?format=CSV&from=2020-01-01" -H "$H"
ID=$(jf .id)
req POST "/api/v1/ExportRequest/Patients?format=CSV&from=2020-01-01" -H "$H"
req POST "/api/v1/ExportRequest/Nope" -H "$H"
req POST "/api/v1/ExportRequest/Patients?format=XML" -H "$H"
req POST "/api/v1/ExportRequest/Patients?x=1" -H "$H" -H "Idempotency-Key: i1"
req POST "/api/v1/ExportRequest/Patients?x=2" -H "$H" -H "Idempotency-Key: i1"
req GET "/api/v1/ExportResult/Status/$ID" -H "$H"
req GET "/api/v1/ExportResult/Status/nope" -H "$H"
req GET "/api/v1/ExportResult/Queued?limit=1" -H "$H"
req GET "/api/v1/ExportResult/Queued?limit=0" -H "$H"
req DELETE "/api/v1/ExportRequest/Cancel/$ID" -H "$H"
req GET "/api/v1/ExportResult/Status/$ID" -H "$H"
req GET "/api/v1/ExportResult/Download/$ID" -H "$H"
mv "$SPOOL/cancelled/$ID.job" "$SPOOL/completed/$ID.job"
printf 'PK' > "$SPOOL/out/$ID.zip"
req GET "/api/v1/ExportResult/Download/$ID" -H "$H"
req GET "/api/v1/ExportResult/Download/$ID" -H "$H" -H "Range: bytes=0-0"
req GET "/api/v1/ExportResult/Download/$ID" -H "$H" -H "Range: bytes=9-"
req HEAD "/api/v1/ExportResult/Download/$ID" -H "$H"
req PUT /api/v1/Identity -H "$H"
req GET /nowhere
req GET /healthz
req GET /livez
req GET /metrics
ok "a session of every endpoint matches the document" node \
    "$TOP/tests/openapi/validate.mjs" "$TOP/etc/openapi.yaml" \
    "$T/captures.jsonl"

# drift is caught: a field renamed, a status not documented, a bad type
vquiet() {
	node "$TOP/tests/openapi/validate.mjs" "$TOP/etc/openapi.yaml" "$1" \
	    2> /dev/null
}
jq -c 'if .path == "/api/v1/Identity" and .status == 200
    then .body |= sub("\"keyId\""; "\"KeyId\"") else . end' \
    "$T/captures.jsonl" > "$T/drift1"
nok "a renamed field fails the check" vquiet "$T/drift1"
jq -c 'if .status == 409 then .status = 418 else . end' \
    "$T/captures.jsonl" > "$T/drift2"
nok "an undocumented status fails the check" vquiet "$T/drift2"
jq -c 'if (.path | test("Status")) and .status == 200
    then .body |= sub("\"attempts\":0"; "\"attempts\":\"0\"") else . end' \
    "$T/captures.jsonl" > "$T/drift3"
nok "a number sent as a string fails the check" vquiet "$T/drift3"
jq -c '.requestId = ""' "$T/captures.jsonl" > "$T/drift4"
nok "a missing X-Request-Id fails the check" vquiet "$T/drift4"
jq -c 'if .status == 405 then .headers |= del(.allow) else . end' \
    "$T/captures.jsonl" > "$T/drift5"
nok "a 405 without Allow fails the check" vquiet "$T/drift5"
jq -c 'if .status == 206 then .headers |= del(.etag) else . end' \
    "$T/captures.jsonl" > "$T/drift6"
nok "a 206 without ETag fails the check" vquiet "$T/drift6"
jq -c 'if .status == 405 then .body = "{\"Code\":1}" else . end' \
    "$T/captures.jsonl" > "$T/drift7"
nok "a 405 body that is not an Error fails the check" vquiet "$T/drift7"

stop httpd
done_testing
