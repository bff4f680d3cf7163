#!/bin/sh
# t0530 - GET Download/{id}: the zip of a COMPLETED job
# (put in completed/ and out/ by hand), Content-Disposition, ETag and
# If-None-Match, single Range (206, suffix, open-ended, 416), HEAD, and 404
# for jobs that are not COMPLETED or whose zip is gone.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/openapi/httpd.sh"

hconf
A=$(newkey erp)
hstart
D=/api/v1/ExportResult/Download

req POST "/api/v1/ExportRequest/Patients?format=CSV" -H "X-Api-Key: $A"
ID=$(jf .id)
req GET "$D/$ID" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "download of a QUEUED job: 404"

# complete it by hand, with a real zip of 200 KB
mv "$SPOOL/queued/$ID.job" "$SPOOL/completed/$ID.job"
/usr/bin/python3 - "$T/Patients.csv" "$SPOOL/out/$ID.zip" <<'PY'
import random, sys, zipfile
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write("id,name\n")
    for i in range(20000):
        f.write("%d,%08x\n" % (i, random.getrandbits(32)))
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.write(sys.argv[1], "Patients.csv")
PY
SIZE=$(stat -c %s "$SPOOL/out/$ID.zip")

req GET "$D/$ID" -H "X-Api-Key: $A"
is "$CODE $(hdr Content-Type) $(hdr Content-Length)" \
    "200 application/zip $SIZE" "200 application/zip with Content-Length"
ok "the body is the zip, byte for byte" cmp -s "$T/body" "$SPOOL/out/$ID.zip"
is "$(hdr Content-Disposition)" "attachment; filename=\"Patients-$ID.zip\"" \
    "Content-Disposition: attachment; filename=\"TYPE-ID.zip\""
ok "the zip opens with 7z" sh -c "7z t '$T/body' > /dev/null"
ok "X-Request-Id on a download" test -n "$(hdr X-Request-Id)"
is "$(hdr Accept-Ranges)" bytes "Accept-Ranges: bytes"
ETAG=$(hdr ETag)
ok "a strong ETag" sh -c "echo '$ETAG' | grep -q '^\"[0-9a-f-]*\"$'"

req GET "$D/$ID" -H "X-Api-Key: $A" -H "If-None-Match: $ETAG"
is "$CODE $(hdr ETag)" "304 $ETAG" "If-None-Match with the tag: 304"
ok "304 has no body" test ! -s "$T/body"
req GET "$D/$ID" -H "X-Api-Key: $A" -H 'If-None-Match: "other"'
is "$CODE" 200 "If-None-Match with another tag: 200"

req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=0-99"
is "$CODE $(hdr Content-Length) $(hdr Content-Range)" \
    "206 100 bytes 0-99/$SIZE" "Range bytes=0-99: 206 and Content-Range"
ok "the first 100 bytes" sh -c "head -c 100 '$SPOOL/out/$ID.zip' | cmp -s - '$T/body'"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=-50"
is "$CODE $(hdr Content-Range)" "206 bytes $((SIZE - 50))-$((SIZE - 1))/$SIZE" \
    "suffix range bytes=-50"
ok "the last 50 bytes" sh -c "tail -c 50 '$SPOOL/out/$ID.zip' | cmp -s - '$T/body'"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=1000-"
is "$CODE $(hdr Content-Length)" "206 $((SIZE - 1000))" "open range bytes=1000-"
ok "from byte 1000 on" sh -c "tail -c +1001 '$SPOOL/out/$ID.zip' | cmp -s - '$T/body'"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=100-99999999"
is "$CODE $(hdr Content-Range)" "206 bytes 100-$((SIZE - 1))/$SIZE" \
    "a range past the end is cut at the end"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=$SIZE-"
errcheck 416 RANGE_NOT_SATISFIABLE "a range starting at the end: 416"
is "$(hdr Content-Range)" "bytes */$SIZE" "416 says the size"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=0-1,5-6"
is "$CODE $(hdr Content-Length)" "200 $SIZE" "several ranges: the whole file"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: pages=1"
is "$CODE" 200 "an unknown range unit: the whole file"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=0-9" -H 'If-Range: "old"'
is "$CODE" 200 "If-Range with a stale tag: the whole file"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "Range: bytes=0-9" -H "If-Range: $ETAG"
is "$CODE" 206 "If-Range with the current tag: the range"

req HEAD "$D/$ID" -H "X-Api-Key: $A"
is "$CODE $(hdr Content-Length) $(hdr Content-Type)" "200 $SIZE application/zip" \
    "HEAD: headers of the download"
ok "HEAD: no body" test ! -s "$T/body"

touch -d '2020-01-01' "$SPOOL/out/$ID.zip"
req GET "$D/$ID" -H "X-Api-Key: $A" -H "If-None-Match: $ETAG"
is "$CODE" 200 "a changed file gets a new ETag"

rm "$SPOOL/out/$ID.zip"
req GET "$D/$ID" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "completed but the zip is gone: 404"
mv "$SPOOL/completed/$ID.job" "$SPOOL/cancelled/$ID.job"
req GET "$D/$ID" -H "X-Api-Key: $A"
errcheck 404 NOT_FOUND "download of a CANCELLED job: 404"
req GET "$D/..%2F..%2Fetc%2Fpasswd" -H "X-Api-Key: $A"
ok "a traversal id gets a 4xx JSON error" sh -c \
    "test '$CODE' -ge 400 -a '$CODE' -lt 500 && test -n '$(jf .Code)'"
req GET "$D/...." -H "X-Api-Key: $A"
errcheck 400 INVALID_PARAMETER "an id of dots: 400"

openapi_check
stop httpd
done_testing
