#!/bin/sh
# bench-http.sh [SECONDS] - wrk -t2 -c64 against GET .../Status/{id} (with
# a key) and against nginx serving a static file of the same body size;
# then a 1 GiB download with curl from both.
. "$(dirname "$0")/lib.sh"
SECS=${1:-10}
GB=${GB:-1024}
SP=$DISK/spool
NPORT=$(free_port)

cat > "$DISK/x.conf" <<CONF
[spool]
dir = $SP
node = bench
[http]
listen = 127.0.0.1:0
keys = $DISK/keys
threads = 2
max_connections = 1024
[type Tiny]
command = $BIN/bench/tinyexp
emits = csv
formats = CSV,JSON
CONF
key=$("$BIN/xspool" -c "$DISK/x.conf" key add bench | tail -n 1)
id=$("$BIN/xspool" -c "$DISK/x.conf" submit Tiny -f CSV)
mkdir -p "$SP/out"
# make it a completed job with a 1 GiB result, as the daemon would
/usr/bin/python3 - "$SP" "$id" $((GB * 1048576)) <<'PY'
import json, os, sys
sp, id = sys.argv[1], sys.argv[2]
p = f"{sp}/queued/{id}.job"
j = json.load(open(p))
j.update(client="bench", started="2026-11-30T10:00:01Z", finished="2026-11-30T10:00:02Z",
         attempts=1, node="bench",
         result={"success": True, "errors": [], "durationMs": 1000,
                 "fileName": "Tiny.csv", "fileSizeBytes": int(sys.argv[3]),
                 "records": 3, "callbackSent": None, "notifyEmailSent": None})
json.dump(j, open(f"{sp}/completed/{id}.job", "w"))
os.unlink(p)
PY
dd if=/dev/urandom of="$SP/out/$id.zip" bs=1M count="$GB" status=none

start_httpd "$DISK/x.conf"
XPORT=$HPORT
URL="http://127.0.0.1:$XPORT/api/v1/ExportResult/Status/$id"
curl -s -H "X-Api-Key: $key" "$URL" > "$DISK/www-status.json"
size=$(stat -c %s "$DISK/www-status.json")
grep -q '"status":"COMPLETED"' "$DISK/www-status.json" ||
    { say "Status answers: $(cat "$DISK/www-status.json")"; exit 1; }
mkdir -p "$DISK/www"
cp "$DISK/www-status.json" "$DISK/www/status.json"
ln "$SP/out/$id.zip" "$DISK/www/big.zip"
cat > "$DISK/nginx.conf" <<CONF
daemon off;
user root;
worker_processes 2;
pid $DISK/nginx.pid;
error_log $DISK/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	default_type application/json;
	client_body_temp_path $DISK/nginx-tmp;
	proxy_temp_path $DISK/nginx-tmp;
	fastcgi_temp_path $DISK/nginx-tmp;
	uwsgi_temp_path $DISK/nginx-tmp;
	scgi_temp_path $DISK/nginx-tmp;
	server { listen 127.0.0.1:$NPORT; root $DISK/www; }
}
CONF
nginx -c "$DISK/nginx.conf" 2>"$DISK/nginx.stderr" &
_pids="$_pids $!"
i=0; while ! curl -s -o /dev/null "http://127.0.0.1:$NPORT/status.json"; do
	sleep 0.1; i=$((i + 1)); [ $i -gt 50 ] && { say "nginx did not start"; cat "$DISK/nginx.stderr" "$DISK/nginx.err" >&2; exit 1; }; done

wrkrun() {	# wrkrun OUT URL [HEADER] : "req/s p99ms" lines appended
	r=0
	while [ $r -lt "$RUNS" ]; do
		if [ $# -eq 3 ]; then
			wrk -t2 -c64 -d"${SECS}s" --latency -H "$3" "$2" > "$1.w"
		else
			wrk -t2 -c64 -d"${SECS}s" --latency "$2" > "$1.w"
		fi
		awk '/Requests\/sec/ { rps = $2 } / 99%/ { v = $2;
		    if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 }
		    else if (v ~ /ms$/) sub(/ms/, "", v)
		    else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }
		    p99 = v } END { print rps, p99 }' "$1.w" >> "$1"
		grep -q 'Non-2xx' "$1.w" && say "wrk saw errors: $(grep Non-2xx "$1.w")"
		r=$((r + 1))
	done
}
say "wrk xspool"; wrkrun "$DISK/wx" "$URL" "X-Api-Key: $key"
say "wrk nginx"; wrkrun "$DISK/wn" "http://127.0.0.1:$NPORT/status.json"

dl() {	# dl OUT URL [HEADER]
	: > "$1"
	r=0
	while [ $r -lt "$RUNS" ]; do
		if [ $# -eq 3 ]; then
			curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' -H "$3" "$2" > "$1.c"
		else
			curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' "$2" > "$1.c"
		fi
		read -r code got secs < "$1.c"
		[ "$code" = 200 ] && [ "$got" = $((GB * 1048576)) ] ||
		    say "download $2: HTTP $code, $got bytes"
		echo "$secs" >> "$1"
		r=$((r + 1))
	done
}
say "download"
dl "$DISK/dx" "http://127.0.0.1:$XPORT/api/v1/ExportResult/Download/$id" "X-Api-Key: $key"
dl "$DISK/dn" "http://127.0.0.1:$NPORT/big.zip"

xr=$(col 1 "$DISK/wx"); nr=$(col 1 "$DISK/wn")
xp=$(col 2 "$DISK/wx"); np=$(col 2 "$DISK/wn")
xd=$(median < "$DISK/dx"); nd=$(median < "$DISK/dn")
bytes=$((GB * 1048576))
echo "### HTTP (wrk -t2 -c64 -d${SECS}s, body $size bytes; download $GB MiB; median of $RUNS runs)"
echo
echo "| test | xspool-httpd | nginx | xspool / nginx |"
echo "|---|---:|---:|---:|"
echo "| Status requests/s | $xr | $nr | $(ratio "$xr" "$nr") |"
echo "| Status p99 ms | $xp | $np | |"
echo "| Download MB/s | $(mbps $bytes "$xd") | $(mbps $bytes "$nd") | $(ratio "$nd" "$xd") |"
