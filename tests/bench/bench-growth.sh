#!/bin/sh
# bench-growth.sh [N...] - does the cost of a look-up grow with the queue?
# With 1,000 and 100,000 queued jobs: one `xspool status`, one REST Status,
# the first page of /ExportResult/Queued, `xspool list`, the REST shim's
# start until its first Queued answer, and the daemon's start-up (rescan
# until its first claim).
. "$(dirname "$0")/lib.sh"
SIZES=${*:-1000 100000}

ms() {	# ms COMMAND... : median wall milliseconds of RUNS runs
	: > "$DISK/ms"
	r=0
	while [ $r -lt "$RUNS" ]; do
		a=$(now_ns)
		"$@" >/dev/null 2>&1 || say "failed: $*"
		b=$(now_ns)
		echo $(((b - a) / 1000)) >> "$DISK/ms"
		r=$((r + 1))
	done
	median < "$DISK/ms" | awk '{ printf "%.2f", $1 / 1000 }'
}

# rest PATH : median of curl's own time_total in ms over 2*RUNS requests
# (no process start-up counted); each answer must be 200
rest() {
	: > "$DISK/ms"
	r=0
	while [ $r -lt $((RUNS * 2)) ]; do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
		    -H "X-Api-Key: $key" "http://127.0.0.1:$PORT/api/v1/$1" \
		    > "$DISK/c"
		read -r code secs < "$DISK/c"
		[ "$code" = 200 ] || say "GET $1: HTTP $code"
		echo "$secs" >> "$DISK/ms"
		r=$((r + 1))
	done
	median < "$DISK/ms" | awk '{ printf "%.2f", $1 * 1000 }'
}

echo "### Growth (median of $RUNS runs, milliseconds; REST times are curl's time_total)"
echo
echo "| queued jobs | xspool status | REST Status | REST Queued first page | xspool list | xspool-httpd start to first Queued page | xspoold start to first claim |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	SP=$DISK/sp$n
	cat > "$DISK/g.conf" <<CONF
[spool]
dir = $SP
node = bench
workers = 1
sync = no
[http]
listen = 127.0.0.1:0
keys = $DISK/keys$n
[type Tiny]
command = $BIN/bench/tinyexp
emits = csv
formats = CSV,JSON
CONF
	key=$("$BIN/xspool" -c "$DISK/g.conf" key add bench --admin | tail -n 1)
	first=$("$BIN/xspool" -c "$DISK/g.conf" submit Tiny -f CSV)
	sleep 0.01	# the others are younger
	"$BIN/bench/submit" "$SP" Tiny $((n - 1)) 0 /dev/null 0
	last=$(ls -t "$SP/queued" | head -n 1 | sed 's/\.job$//')
	got=$(ls "$SP/queued" | wc -l)
	[ "$got" -eq "$n" ] || say "queued: $got jobs, wanted $n"
	st=$(ms "$BIN/xspool" -c "$DISK/g.conf" status "$last")
	ls_=$(ms "$BIN/xspool" -c "$DISK/g.conf" list)
	# the shim builds its queued/ index at start: time to the first page
	a=$(now_ns)
	start_httpd "$DISK/g.conf"
	h=$HTTPD
	PORT=$HPORT
	i=0
	while [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $key" \
	    "http://127.0.0.1:$PORT/api/v1/ExportResult/Queued")" != 200 ]; do
		sleep 0.01; i=$((i + 1))
		[ $i -gt 3000 ] && { say "httpd: no Queued page"; break; }
	done
	b=$(now_ns)
	hs=$(awk -v a=$a -v b=$b 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
	rs=$(rest "ExportResult/Status/$last")
	rq=$(rest "ExportResult/Queued")
	curl -s -H "X-Api-Key: $key" \
	    "http://127.0.0.1:$PORT/api/v1/ExportResult/Queued?limit=1" |
	    grep -q "\"$first\"" || say "Queued: the oldest job is not first"
	kill $h; wait $h 2>/dev/null
	# start-up: rescan, then the oldest job is claimed
	a=$(now_ns)
	"$BIN/xspoold" -f -c "$DISK/g.conf" 2>"$DISK/d.log" &
	d=$!
	_pids="$_pids $d"
	while [ -e "$SP/queued/$first.job" ]; do :; done
	b=$(now_ns)
	kill $d; wait $d 2>/dev/null
	[ -e "$SP/queued/$last.job" ] || [ -e "$SP/completed/$last.job" ] ||
	    say "xspoold did not claim the oldest job first"
	su=$(awk -v a=$a -v b=$b 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
	echo "| $n | $st | $rs | $rq | $ls_ | $hs | $su |"
	rm -rf "$SP"
done
