#!/bin/sh
# bench-nfs.sh [JOBS] - xspoold on a real NFS spool: the rig of
# tests/nfs/README (a user-mode Linux guest serving a tmpfs over NFS to
# itself, mounts A, B, C, D).  Measures, in the guest:
#   - throughput of 1, 2 and 3 nodes (n1 on A, n2 on B, n3 on C; 2
#     workers each, rescan = 1s) for a batch of JOBS (default 200) job
#     files renamed into queued/ through D, the mount with no node, from
#     one process; from the batch's first file to the last job in
#     completed/ (the server's own view, waited for by inotify); the
#     ratio to one node;
#   - pickup latency, submit to exporter start (tests/helpers/xrunlog),
#     for LAT_N jobs (default 200) one every LAT_GAP_MS (default 500)
#     with the three nodes up: through D (cross-node: no node sees the
#     file arrive, it is found by a rescan) and through A (n1's own mount:
#     n1's inotify sees it; n2 and n3 find it by rescan).
# Then, in a second guest, tests/t0810-nfs-nodes.sh with BIG_N + 100 jobs
# (BIG_N default 2900: the 3,000 jobs of issue 10; 0 skips it), with all
# of that test's checks, and reports its verdict and times.
# Prints Markdown tables.  Without linux.uml or the NFS tools it says so
# and prints nothing else.  UML_TIMEOUT (default 1800 s; 3600 s for the
# big run) bounds each guest.
# Benchmarks report; they never fail on a time.
set -u

if [ -z "${XSPOOL_NFS_GUEST:-}" ]; then
	# on the host: a private copy of the programs (lib.sh), then the guest
	. "$(dirname "$0")/lib.sh"
	cp "$TOP/bin/helpers/xrunlog" "$TOP/bin/helpers/xdrop" \
	    "$BIN/helpers/" || exit 1
	[ -x "$BIN/bench/waitn" ] ||
	    cc -O2 -o "$BIN/bench/waitn" "$TOP/tests/bench/waitn.c" || exit 1
	export XSPOOL_BIN=$BIN
	export UML_TIMEOUT=${UML_TIMEOUT:-1800}
	export UML_ENV="JOBS LAT_N LAT_GAP_MS"
	export JOBS=${1:-${JOBS:-200}}
	say "bench-nfs: booting the NFS rig (up to $UML_TIMEOUT s)"
	out=$(sh "$TOP/tests/nfs/uml-run.sh" "$TOP/tests/bench/bench-nfs.sh")
	rc=$?
	case $out in
	"1..0 # SKIP"*)
		echo "### NFS rig: skipped (${out#1..0 # SKIP })"
		exit 0 ;;
	esac
	printf '%s\n' "$out" | grep -v '^# uml:'
	echo
	printf '%s\n' "$out" | sed -n 's/^# uml: \(guest booted.*\)/_uml: \1_/p'
	[ $rc -eq 0 ] || printf '%s\n' "$out" | grep '^# uml:' >&2
	BIG_N=${BIG_N:-2900}
	[ "$BIG_N" -gt 0 ] || exit $rc
	say "bench-nfs: t0810 with $((BIG_N + 100)) jobs (up to 3600 s)"
	a=$(date +%s)
	big=$(N=$BIG_N M=100 NFS_WAIT=3000 UML_TIMEOUT=3600 \
	    sh "$TOP/tests/nfs/uml-run.sh" "$TOP/tests/t0810-nfs-nodes.sh")
	brc=$?
	b=$(date +%s)
	printf '%s\n' "$big" > "$DISK/big.tap"
	echo
	echo "### NFS rig: exactly once at scale (tests/t0810-nfs-nodes.sh, N=$BIG_N M=100)"
	echo
	echo "| jobs | verdict | TAP ok / not ok / TODO failing | submitted in | all done after | jobs per node | jobs run twice | host wall s |"
	echo "|---:|---|---|---|---|---|---:|---:|"
	nok=$(grep -c '^ok ' "$DISK/big.tap")
	nnot=$(grep '^not ok ' "$DISK/big.tap" | grep -vc '# TODO')
	ntodo=$(grep '^not ok ' "$DISK/big.tap" | grep -c '# TODO')
	verdict=pass
	[ $brc -eq 0 ] || verdict="FAIL (exit $brc)"
	echo "| $((BIG_N + 100)) | $verdict | $nok / $nnot / $ntodo |" \
	    "$(sed -n 's/^# submitted [0-9]* jobs in \(.*\)/\1/p' "$DISK/big.tap") |" \
	    "$(sed -n 's/^# [0-9]* jobs done \([0-9]* s\) after.*/\1/p' "$DISK/big.tap") |" \
	    "$(sed -n 's/^# jobs per node: //p' "$DISK/big.tap") |" \
	    "$(sed -n 's/^# jobs run more than once: //p' "$DISK/big.tap") | $((b - a)) |"
	echo
	sed -n 's/^# uml: \(guest booted.*\)/_uml: \1_/p' "$DISK/big.tap"
	if [ $brc -ne 0 ]; then
		echo
		echo "Failing lines:"
		echo
		grep -A3 '^not ok ' "$DISK/big.tap" | sed 's/^/    /'
		grep '^# uml: kept' "$DISK/big.tap" >&2
	fi
	exit 0
fi

# --- in the guest -------------------------------------------------------
BIN=$XSPOOL_BIN
JOBS=${JOBS:-200}
LAT_N=${LAT_N:-200}
LAT_GAP_MS=${LAT_GAP_MS:-500}
T=$(mktemp -d /tmp/bench-nfs.XXXXXX)
_pids=""
trap 'for p in $_pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
say() { echo "$*" >&2; }
now_ns() { date +%s%N; }

# conf NAME MOUNT SPOOLDIR : $T/NAME.conf, node NAME on MOUNT/SPOOLDIR
conf() {
	cat > "$T/$1.conf" <<CONF
[spool]
dir = $2/$3
node = $1
workers = 2
rescan = 1s
lease = 30s
min_free = 1M

[type Log]
command = $BIN/helpers/xrunlog
emits = csv
formats = JSON,CSV
CONF
}

# nodes SPOOLDIR K : start n1..nK on A..C, wait for their "started" lines
nodes() {
	_up=""
	for _k in $(seq 1 "$2"); do
		_m=$(echo "$_k" | tr 123 abc)
		eval "_mnt=\$NFS_$(echo "$_m" | tr abc ABC)"
		conf n$_k "$_mnt" "$1"
		"$BIN/xspoold" -f -c "$T/n$_k.conf" > /dev/null \
		    2> "$T/n$_k.err" &
		_pids="$_pids $!"
		_up="$_up $!"
	done
	for _k in $(seq 1 "$2"); do
		_i=0
		until grep -q 'started: node' "$T/n$_k.err"; do
			sleep 0.2
			_i=$((_i + 1))
			[ $_i -gt 600 ] && { say "n$_k did not start"; cat "$T/n$_k.err" >&2; exit 1; }
		done
	done
}

# stop_nodes : SIGTERM to the nodes, wait for them
stop_nodes() {
	for _p in $_up; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _p in $_up; do
		wait "$_p" 2>/dev/null
	done
	_up=""
}

# waitfor DIR N : until DIR holds N entries (the server's view, by
# inotify: polling with ls would take the guest's one CPU)
waitfor() {
	timeout 1200 "$BIN/bench/waitn" "$1" "$2" ||
	    say "waitn $1 $2 gave up (exit $?)"
}

# per node: how many of the completed jobs each ran
pernode() {
	for _k in $(seq 1 "$2"); do
		printf ' n%s=%s' "$_k" \
		    "$(grep -l "\"node\": \"n$_k\"" "$1"/completed/*.job | wc -l)"
	done
}

# throughput K : jobs/s of K nodes for JOBS jobs dropped through D
throughput() {
	_s=tp$1
	mkdir -p "$NFS_EXPORT/$_s"
	nodes "$_s" "$1"
	: > "$T/$_s.log"
	sleep 2		# let the nodes settle into their rescan rhythm
	_a=$(now_ns)
	"$BIN/helpers/xdrop" -m -T Log "$NFS_D/$_s" b 1 "$JOBS" "$T/$_s.log" \
	    > /dev/null || say "xdrop failed"
	_d=$(now_ns)
	waitfor "$NFS_EXPORT/$_s/completed" "$JOBS"
	_b=$(now_ns)
	stop_nodes
	_rate=$(awk -v n="$JOBS" -v a="$_a" -v b="$_b" \
	    'BEGIN { printf "%.2f", n / ((b - a) / 1e9) }')
	_sub=$(awk -v a="$_a" -v b="$_d" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	_runs=$(wc -l < "$T/$_s.log")
	_uniq=$(sort -u "$T/$_s.log" | wc -l)
	echo "$1 $_rate $_sub $_runs $_uniq$(pernode "$NFS_EXPORT/$_s" "$1")"
}

# pct FILE : "n p50 p99 max" of exporter start - submit, in ms
pct() {
	awk '{ print ($3 - $2) / 1e6 }' "$1" | sort -g | awk '
	    { a[NR] = $1 } END { if (!NR) { print "0 n/a n/a n/a"; exit }
	    i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
	    i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
	    printf "%d %.0f %.0f %.0f\n", NR, a[i50], a[i99], a[NR] }'
}

# latency MOUNT NAME : LAT_N jobs through MOUNT, one every LAT_GAP_MS,
# with the three nodes on spool lat
latency() {
	: > "$T/lat-$2.log"
	"$BIN/helpers/xdrop" -m -t -i $((LAT_GAP_MS * 1000)) -T Log \
	    "$1/lat" "$2" 1 "$LAT_N" "$T/lat-$2.log" > /dev/null ||
	    say "xdrop failed"
	waitfor "$NFS_EXPORT/lat/completed" "$3"
}

say "bench-nfs: throughput, $JOBS jobs"
: > "$T/tp"
for k in 1 2 3; do
	say "bench-nfs: $k node(s)"
	throughput $k >> "$T/tp"
done
say "bench-nfs: latency, $LAT_N jobs through D, then through A"
mkdir -p "$NFS_EXPORT/lat"
nodes lat 3
sleep 2
latency "$NFS_D" viaD "$LAT_N"
latency "$NFS_A" viaA $((2 * LAT_N))
stop_nodes

one=$(awk '$1 == 1 { print $2 }' "$T/tp")
echo "### NFS rig: throughput of 1, 2, 3 nodes ($JOBS jobs renamed into queued/ through D; 2 workers and rescan = 1s per node)"
echo
echo "| nodes | jobs/s | ratio to 1 node | submit s | exporter runs | distinct jobs run | jobs per node |"
echo "|---|---:|---:|---:|---:|---:|---|"
while read -r k rate sub runs uniq per; do
	r=$(awk -v a="$rate" -v b="$one" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
	echo "| $k | $rate | $r | $sub | $runs | $uniq | $per |"
done < "$T/tp"
echo
echo "### NFS rig: pickup latency, submit to exporter start ($LAT_N jobs each, one every $LAT_GAP_MS ms; 3 nodes; ms)"
echo
echo "| submitted through | jobs | p50 | p99 | max |"
echo "|---|---:|---:|---:|---:|"
set -- $(pct "$T/lat-viaD.log")
echo "| D, no node on it (cross-node: found by a rescan) | $1 | $2 | $3 | $4 |"
set -- $(pct "$T/lat-viaA.log")
echo "| A, n1's own mount (n1's inotify sees it) | $1 | $2 | $3 | $4 |"
echo
echo "Jobs through A claimed by n1 (its inotify) / n2 / n3: $(grep -c 'viaA-[0-9]* .*(claimed)' "$T/n1.err") / $(grep -c 'viaA-[0-9]* .*(claimed)' "$T/n2.err") / $(grep -c 'viaA-[0-9]* .*(claimed)' "$T/n3.err"); through D: $(grep -c 'viaD-[0-9]* .*(claimed)' "$T/n1.err") / $(grep -c 'viaD-[0-9]* .*(claimed)' "$T/n2.err") / $(grep -c 'viaD-[0-9]* .*(claimed)' "$T/n3.err")."
