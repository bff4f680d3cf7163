#!/bin/sh
# bench-growth.sh [N...] - does the cost of a look-up grow with the queue?
# With 1,000 and 100,000 queued jobs: one `xspool status`, one REST Status,
# the first page of /ExportResult/Queued, `xspool list`, and the daemon's
# start-up (rescan until its first claim).
. "$(dirname "$0")/lib.sh"
SIZES=${*:-1000 100000}
PORT=18482

ms() {	# ms COMMAND... : median wall milliseconds of RUNS runs
	: > "$DISK/ms"
	r=0
	while [ $r -lt "$RUNS" ]; do
		a=$(now_ns); "$@" >/dev/null 2>&1; b=$(now_ns)
		echo $(((b - a) / 1000)) >> "$DISK/ms"
		r=$((r + 1))
	done
	median < "$DISK/ms" | awk '{ printf "%.2f", $1 / 1000 }'
}

echo "### Growth (median of $RUNS runs, milliseconds)"
echo
echo "| queued jobs | xspool status | REST Status | REST Queued first page | xspool list | xspoold start to first claim |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
	SP=$DISK/sp$n
	cat > "$DISK/g.conf" <<CONF
[spool]
dir = $SP
node = bench
workers = 1
sync = no
[http]
listen = 127.0.0.1:$PORT
keys = $DISK/keys$n
[type Tiny]
command = $BIN/bench/tinyexp
emits = csv
formats = CSV,JSON
CONF
	key=$("$BIN/xspool" -c "$DISK/g.conf" key add bench --admin | tail -n 1)
	first=$("$BIN/xspool" -c "$DISK/g.conf" submit Tiny -f CSV)
	"$BIN/bench/submit" "$SP" Tiny $((n - 1)) 0 /dev/null 0
	last=$(ls -t "$SP/queued" | head -n 1 | sed 's/\.job$//')
	"$BIN/xspool-httpd" -f -c "$DISK/g.conf" 2>/dev/null &
	h=$!
	i=0; while ! curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
		sleep 0.1; i=$((i + 1)); [ $i -gt 50 ] && break; done
	st=$(ms "$BIN/xspool" -c "$DISK/g.conf" status "$last")
	rs=$(ms curl -sf -H "X-Api-Key: $key" "http://127.0.0.1:$PORT/api/v1/ExportResult/Status/$last")
	rq=$(ms curl -sf -H "X-Api-Key: $key" "http://127.0.0.1:$PORT/api/v1/ExportResult/Queued")
	ls_=$(ms "$BIN/xspool" -c "$DISK/g.conf" list)
	kill $h; wait $h 2>/dev/null
	# start-up: rescan, then the oldest job is claimed
	a=$(now_ns)
	"$BIN/xspoold" -f -c "$DISK/g.conf" 2>/dev/null &
	d=$!
	while [ -e "$SP/queued/$first.job" ]; do :; done
	b=$(now_ns)
	kill $d; wait $d 2>/dev/null
	su=$(awk -v a=$a -v b=$b 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
	echo "| $n | $st | $rs | $rq | $ls_ | $su |"
	rm -rf "$SP"
done
