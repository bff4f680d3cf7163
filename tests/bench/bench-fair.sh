#!/bin/sh
# bench-fair.sh [FLOOD] - fair share (issue 15).  1. Pickup latency of a
# small client's jobs (client B: 50 jobs, one every 100 ms) while client A
# floods the queue with FLOOD (10,000) jobs, under schedule = fifo (the
# order before fair share) and schedule = fair; workers = 2, tmpfs, no
# fsync, the tiny exporter.  2. The scheduler's cost per claim at 1,000,
# 10,000 and 100,000 queued: unit/t-sched -b (the structure alone), and
# the daemon's rate over 1,000 claims with that many queued behind them.
. "$(dirname "$0")/lib.sh"
FLOOD=${1:-10000}
SMALL=50

conf() {	# conf SPOOL SCHEDULE
	cat > "$DISK/f.conf" <<CONF
[spool]
dir = $1
node = bench
workers = 2
sync = no
schedule = $2
[http]
listen = 127.0.0.1:0
keys = $DISK/keys
[type Tiny]
command = $BIN/bench/tinyexp
emits = csv
formats = CSV,JSON
CONF
	rm -rf "$1"
	"$BIN/xspool" -c "$DISK/f.conf" list > /dev/null	# the layout
}

pct() {	# pct FILE : "p50 p99" of exporter start - submit, in ms
	awk '{ print ($3 - $2) / 1e6 }' "$1" | sort -g | awk '
	    { a[NR] = $1 } END { if (!NR) { print "n/a n/a"; exit }
	    i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
	    i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
	    printf "%.1f %.1f\n", a[i50], a[i99] }'
}

echo "### Fair share: a small client's pickup latency under a flood (ms, submit to exporter start)"
echo
echo "| schedule | flood (client A) | client B's jobs | B p50 | B p99 | A p50 | A p99 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for mode in fifo fair; do
	SP=$SHM/fair-$mode
	conf "$SP" $mode
	: > "$DISK/a.lat"; : > "$DISK/b.lat"
	"$BIN/xspoold" -f -c "$DISK/f.conf" 2> "$DISK/d.log" &
	d=$!
	_pids="$_pids $d"
	say "fair bench: $mode, flooding $FLOOD"
	"$BIN/bench/submit" "$SP" Tiny "$FLOOD" 0 "$DISK/a.lat" no A
	"$BIN/bench/submit" "$SP" Tiny "$SMALL" 100000 "$DISK/b.lat" no B
	"$BIN/bench/waitn" "$SP/completed" $((FLOOD + SMALL))
	kill "$d"; wait "$d" 2>/dev/null
	echo "| $mode | $FLOOD | $SMALL | $(pct "$DISK/b.lat" | tr ' ' '|' | sed 's/|/ | /') | $(pct "$DISK/a.lat" | sed 's/ / | /') |"
	rm -rf "$SP"
done

echo
echo "### The scheduler's cost per claim"
echo
echo "| queued jobs | sched.c alone, ns per claim (t-sched -b) | xspoold, claims per second over 1,000 (tiny exporter, 2 workers) |"
echo "|---:|---:|---:|"
"$TOP/bin/unit/t-sched" -b | sed -n 's/^# sched: \([0-9]*\) queued: \([0-9]*\) ns.*/\1 \2/p' > "$DISK/unit"
for n in 1000 10000 100000; do
	SP=$SHM/cost
	conf "$SP" fair
	say "fair bench: $n queued"
	# n - 1,000 jobs of 100 clients behind 1,000 of client A: the daemon
	# claims A's 1,000 in turn with the others'
	i=0
	while [ $i -lt 100 ]; do
		"$BIN/bench/submit" "$SP" Tiny $(((n - 1000) / 100)) 0 /dev/null no c$i
		i=$((i + 1))
	done
	"$BIN/bench/submit" "$SP" Tiny 1000 0 /dev/null no A
	"$BIN/xspoold" -f -c "$DISK/f.conf" 2> "$DISK/d.log" &
	d=$!
	_pids="$_pids $d"
	"$BIN/bench/waitn" "$SP/completed" 1
	a=$(now_ns)
	"$BIN/bench/waitn" "$SP/completed" 1001
	b=$(now_ns)
	kill "$d"; wait "$d" 2>/dev/null
	rate=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.0f", 1000 / ((b - a) / 1e9) }')
	echo "| $n | $(awk -v n="$n" '$1 == n { print $2 }' "$DISK/unit") | $rate |"
	rm -rf "$SP"
done
