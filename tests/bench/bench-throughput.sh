#!/bin/sh
# bench-throughput.sh [N] - job throughput and pickup latency of xspoold
# (2 workers) against the bare file-system work of a job (fsbare) and
# task-spooler (tsp -S 2) running the same tiny exporter.
. "$(dirname "$0")/lib.sh"
N=${1:-2000}
LAT_N=${LAT_N:-1000}

conf() {	# conf DIR SYNC
	cat > "$1.conf" <<CONF
[spool]
dir = $1
node = bench
workers = 2
sync = $2
rescan = 30s
min_free = 1M
[type Tiny]
command = $BIN/bench/tinyexp
emits = csv
formats = CSV,JSON
CONF
}

# xspool_run DIR SYNC N INTERVAL_US : prints jobs/s; latencies in DIR.lat
xspool_run() {
	rm -rf "$1" "$1.lat"; mkdir -p "$1"
	conf "$1" "$2"
	# time(1) around the daemon: its CPU and its children's, per job
	/usr/bin/time -f '%U %S' -o "$1.cpu" "$BIN/xspoold" -f -c "$1.conf" \
	    2>"$1.log" &
	_tp=$!
	_pids="$_pids $_tp"
	while [ -z "${_d:=$(pgrep -P $_tp)}" ]; do sleep 0.01; done
	# wait for the layout
	while [ ! -d "$1/queued" ]; do sleep 0.01; done
	sleep 0.2
	# the end is waited for by inotify (waitn), not by polling with ls,
	# which took CPU from the daemon; a watchdog ends the wait if it dies
	"$BIN/bench/waitn" "$1/completed" "$3" &
	_w=$!
	( while kill -0 $_d 2>/dev/null; do sleep 1; done; kill $_w 2>/dev/null ) &
	_dog=$!
	_t0=$(now_ns)
	"$BIN/bench/submit" "$1" Tiny "$3" "$4" "$1.lat" "$2"
	wait $_w || { say "xspoold died"; tail "$1.log" >&2; }
	_t1=$(now_ns)
	kill $_dog 2>/dev/null
	kill $_d; wait $_tp 2>/dev/null
	_d=
	awk -v n="$3" -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f\n", n / ((b - a) / 1e9) }'
	awk -v n="$3" '{ printf "%.2f\n", ($1 + $2) * 1000 / n }' "$1.cpu" >> "$1.cpums"
}

tsp_run() {	# tsp_run DIR N : prints jobs/s (outputs in DIR)
	export TS_SOCKET="$1/tsp.sock" TMPDIR="$1"
	shift
	tsp -K 2>/dev/null
	tsp -S 2 >/dev/null
	_t0=$(now_ns)
	i=0
	while [ $i -lt "$1" ]; do
		tsp "$BIN/bench/tinyexp" >/dev/null
		i=$((i + 1))
	done
	tsp -w >/dev/null 2>&1
	# -w waits for the last job only; wait for the whole queue to drain
	while tsp | grep -q -e running -e queued; do sleep 0.01; done
	_t1=$(now_ns)
	tsp -K 2>/dev/null
	awk -v n="$1" -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f\n", n / ((b - a) / 1e9) }'
}

pct() {	# pct FILE : "p50 p99 max" of exporter start - submit, in ms
	awk '{ print ($3 - $2) / 1e6 }' "$1" | sort -g | awk '
	    { a[NR] = $1 } END { if (!NR) { print "n/a n/a n/a"; exit }
	    i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
	    i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
	    printf "%.2f %.2f %.2f\n", a[i50], a[i99], a[NR] }'
}

for where in disk tmpfs; do
	if [ $where = disk ]; then base=$DISK; sync=yes; s=1; else base=$SHM; sync=no; s=0; fi
	: > "$base/x.r"; : > "$base/b.r"; : > "$base/sp.cpums"
	r=0
	while [ $r -lt "$RUNS" ]; do
		say "throughput $where run $r"
		xspool_run "$base/sp" $sync "$N" 0 >> "$base/x.r"
		rm -rf "$base/bare"; mkdir -p "$base/bare"
		"$BIN/bench/fsbare" "$base/bare" "$N" $s >> "$base/b.r"
		r=$((r + 1))
	done
	eval "X_$where=$(median < "$base/x.r")"
	eval "B_$where=$(median < "$base/b.r")"
	eval "C_$where=$(median < "$base/sp.cpums")"
	say "latency $where"
	xspool_run "$base/lat" $sync "$LAT_N" 5000 >/dev/null
	eval "L_$where=\"$(pct "$base/lat.lat")\""
done
# one every 5 ms can be more than sync = yes sustains (then the latency is
# the backlog's); the same below that rate, one every 20 ms
say "latency disk, one every 20 ms"
xspool_run "$DISK/lat" yes $((LAT_N / 4)) 20000 >/dev/null
L_slow=$(pct "$DISK/lat.lat")
# task-spooler, 2 slots, the same exporter; its queue lives in memory and
# each job's output in a file in TMPDIR (on the disk, then on tmpfs)
for where in disk tmpfs; do
	if [ $where = disk ]; then base=$DISK; else base=$SHM; fi
	: > "$base/t.r"
	r=0
	while [ $r -lt "$RUNS" ]; do
		say "tsp $where run $r"
		tsp_run "$base" "$N" >> "$base/t.r"
		r=$((r + 1))
	done
	eval "T_$where=$(median < "$base/t.r")"
done

echo "### Job throughput ($N jobs, 2 workers, median of $RUNS runs)"
echo
echo "| setup | xspool jobs/s | xspoold CPU ms/job | bare fs jobs/s | xspool / bare | tsp -S 2 jobs/s | xspool / tsp |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| disk, sync = yes | $X_disk | $C_disk | $B_disk | $(ratio "$X_disk" "$B_disk") | $T_disk | $(ratio "$X_disk" "$T_disk") |"
echo "| tmpfs, sync = no | $X_tmpfs | $C_tmpfs | $B_tmpfs | $(ratio "$X_tmpfs" "$B_tmpfs") | $T_tmpfs | $(ratio "$X_tmpfs" "$T_tmpfs") |"
echo
echo "### Pickup latency ($LAT_N jobs, one every 5 ms; submit to exporter start, ms)"
echo
echo "| setup | p50 | p99 | max |"
echo "|---|---:|---:|---:|"
set -- $L_disk; echo "| disk, sync = yes | $1 | $2 | $3 |"
set -- $L_tmpfs; echo "| tmpfs, sync = no | $1 | $2 | $3 |"
set -- $L_slow; echo "| disk, sync = yes, $((LAT_N / 4)) jobs one every 20 ms | $1 | $2 | $3 |"
