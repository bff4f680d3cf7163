#!/bin/sh
# bench-fair.sh [FLOOD] - fair share (issue 15).  1. Pickup latency of a
# small client's jobs (client B: SMALL jobs, default 50, one every 100 ms)
# while client A floods the queue with FLOOD (default 10,000) jobs, under
# schedule = fifo (the order before fair share) and schedule = fair;
# workers = 2, tmpfs, no fsync, the tiny exporter.  2. The scheduler's
# cost per claim at QUEUED (default "1000 10000 100000") queued jobs:
# unit/t-sched -b (the structure alone, always 1,000/10,000/100,000), and
# the daemon's rate over the first 1,000 claims (999 at 1,000 queued)
# with that many queued behind them.
. "$(dirname "$0")/lib.sh"
FLOOD=${1:-10000}
SMALL=${SMALL:-50}
QUEUED=${QUEUED:-1000 10000 100000}

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
	# bounded: a job that never completes must not hang the bench
	timeout 1800 "$BIN/bench/waitn" "$SP/completed" $((FLOOD + SMALL)) ||
	    say "fair bench: $mode: not all $((FLOOD + SMALL)) jobs completed"
	kill "$d"; wait "$d" 2>/dev/null
	echo "| $mode | $FLOOD | $SMALL | $(pct "$DISK/b.lat" | tr ' ' '|' | sed 's/|/ | /') | $(pct "$DISK/a.lat" | sed 's/ / | /') |"
	rm -rf "$SP"
done

echo
echo "### The scheduler's cost per claim"
echo
echo "| queued jobs | sched.c alone, ns per claim (t-sched -b) | xspoold, claims per second over the first 1,000 (tiny exporter, 2 workers) |"
echo "|---:|---:|---:|"
"$TOP/bin/unit/t-sched" -b | sed -n 's/^# sched: \([0-9]*\) queued: \([0-9]*\) ns.*/\1 \2/p' > "$DISK/unit"
for n in $QUEUED; do
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
	# timed from the first job's end (the start-up rescan is not a
	# claim) to the end of the next m: 1,000, or all the rest (999 at
	# 1,000 queued: there is no 1,001st job to wait for)
	m=$((n > 1000 ? 1000 : n - 1))
	timeout 600 "$BIN/bench/waitn" "$SP/completed" 1 ||
	    say "fair bench: $n queued: no job completed"
	a=$(now_ns)
	timeout 600 "$BIN/bench/waitn" "$SP/completed" $((m + 1)) ||
	    say "fair bench: $n queued: not $((m + 1)) completed"
	b=$(now_ns)
	kill "$d"; wait "$d" 2>/dev/null
	rate=$(awk -v a="$a" -v b="$b" -v m="$m" 'BEGIN { printf "%.0f", m / ((b - a) / 1e9) }')
	echo "| $n | $(awk -v n="$n" '$1 == n { print $2 }' "$DISK/unit") | $rate |"
	rm -rf "$SP"
done
