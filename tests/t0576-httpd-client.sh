#!/bin/sh
# t0576 - a client generated from etc/openapi.yaml works the whole flow:
# openapi-typescript makes the types, tests/openapi/client-flow.ts (type-
# checked by tsc, strict) drives openapi-fetch against the real
# xspool-httpd and xspoold: submit with exporter parameters serialised as
# the document says (?rows=8), Status until COMPLETED, Queued, Download
# (the zip opens with 7z and the password), the default deepObject
# serialisation understood too, a typed error; then, the daemon stopped,
# submit, Queued lists it, Cancel, Status CANCELLED (cancelReason CLIENT).
# A client asking for a format the document does not have fails tsc.
# Every answer is also checked against the document (Ajv).
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

NM=$TOP/tests/node_modules
openapi_need

# the client's project: generated types, the flow, node_modules
C=$T/client
mkdir -p "$C/src"
ln -s "$NM" "$C/node_modules"
echo '{"type": "module"}' > "$C/package.json"
cat > "$C/tsconfig.json" <<'JSON'
{"compilerOptions": {"target": "es2022", "module": "nodenext",
 "moduleResolution": "nodenext", "strict": true, "noEmitOnError": true,
 "outDir": "js", "rootDir": "src", "types": ["node"]},
 "include": ["src"]}
JSON
ok "openapi-typescript generates the types" sh -c \
    "'$NM/.bin/openapi-typescript' '$TOP/etc/openapi.yaml' -o '$C/src/schema.d.ts' > '$T/gen.log' 2>&1"
cp "$TOP/tests/openapi/client-flow.ts" "$C/src/"
ok "the client type-checks against them (tsc --strict)" sh -c \
    "cd '$C' && '$NM/.bin/tsc' -p . > '$T/tsc.log' 2>&1"
sed 's/^/# /' "$T/tsc.log"
# the document's types catch a wrong format at compile time
mkdir -p "$C/bad/src"
cp "$C/tsconfig.json" "$C/package.json" "$C/bad/"
ln -s "$NM" "$C/bad/node_modules"
cp "$C/src/schema.d.ts" "$C/bad/src/"
sed "s/format: 'CSV'/format: 'XML'/" "$C/src/client-flow.ts" > "$C/bad/src/client-flow.ts"
nok "format: 'XML' does not type-check (format is an enum)" sh -c \
    "cd '$C/bad' && '$NM/.bin/tsc' -p . > /dev/null 2>&1"

hconf
synthetic
hdaemon
ok "the flow runs" sh -c \
    "node '$C/js/client-flow.js' '$URL' '$A' flow '$T' > '$T/flow.json' 2> '$T/flow.err'"
sed 's/^/# /' "$T/flow.err"
f() { jq -r "$1" "$T/flow.json"; }
is "$(f .query)" "?format=CSV&rows=8" "the parameters are sent as ?rows=8"
is "$(f '[.accepted.status, .job.status, .job.result.success, .job.result.records] | join(" ")')" \
    "QUEUED COMPLETED true 8" "submitted, COMPLETED with the 8 rows asked for"
is "$(f '[.job.cancelReason, .job.nextAttempt, .job.result.callbackStatus] | map(tostring) | join(" ")')" \
    "null null none" "typed status fields"
is "$(f '[.download.status, .download.magic, .download.bytes] | join(" ")')" \
    "200 PK $(f .job.result.fileSizeBytes)" "Download: the zip, fileSizeBytes long"
ok "the zip opens with the password" \
    sh -c "7z x -y -pClient-Pw-1 -o'$T/x' '$T/client.zip' > /dev/null 2>&1 && test -s '$T/x/Synthetic.csv'"
is "$(f .queued.count)" 0 "Queued: nothing left"
is "$(f .deep.query)" "?format=JSON&params[rows]=7" \
    "openapi-fetch's default sends params[rows]=7 ..."
is "$(f .deep.records)" 7 "... which the server understands as rows=7"
is "$(f '[.unknown.status, .unknown.code] | join(" ")')" \
    "404 UNKNOWN_EXPORT_TYPE" "an error comes back typed"

stop daemon
ok "the cancel flow runs" sh -c \
    "node '$C/js/client-flow.js' '$URL' '$A' cancel '$T' > '$T/cancel.json' 2> '$T/cancel.err'"
sed 's/^/# /' "$T/cancel.err"
g() { jq -r "$1" "$T/cancel.json"; }
is "$(g '[.listed, .count, .cancelled.status, .status, .cancelReason] | map(tostring) | join(" ")')" \
    "true 1 CANCELLED CANCELLED CLIENT" \
    "submitted, listed as Queued, cancelled: CANCELLED by the CLIENT"
is "$(g '[.again.status, .again.code] | join(" ")')" "404 NOT_FOUND" \
    "a second cancel: 404"

# what the client got, checked against the document too
ID=$(f .accepted.id)
CID=$(g .id)
req GET "/api/v1/ExportResult/Status/$ID" -H "X-Api-Key: $A"
req GET "/api/v1/ExportResult/Status/$CID" -H "X-Api-Key: $A"
req GET "/api/v1/ExportResult/Queued?limit=10" -H "X-Api-Key: $A"
req HEAD "/api/v1/ExportResult/Download/$ID" -H "X-Api-Key: $A"
is "$CODE $(hdr Content-Length)" "200 $(f .job.result.fileSizeBytes)" \
    "HEAD Download: 200, Content-Length is the zip's size"
openapi_check
stop httpd
done_testing
