# lib.sh - shared by the benchmarks: scratch space, medians, peak RSS,
# Markdown rows.  Benchmarks report; they never fail on a time.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/bin
RUNS=${RUNS:-3}
# runs of the slow peers (mlr, 7z) on the big inputs
SLOW_RUNS=${SLOW_RUNS:-1}
# DISK: scratch on the real disk (fsync means something there);
# SHM: tmpfs
DISK=$(mktemp -d "${BENCH_DISK:-/var/tmp}/xspool-bench.XXXXXX")
SHM=$(mktemp -d /dev/shm/xspool-bench.XXXXXX)
_pids=""
trap 'for p in $_pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$DISK" "$SHM"' EXIT
trap 'exit 1' INT TERM
# a private copy of the programs: other people rebuilding bin/ during a
# run must not change (or break) what is measured
mkdir -p "$DISK/bin/helpers" "$DISK/bin/bench"
cp "$BIN/xspool" "$BIN/xspoold" "$BIN/xspool-httpd" "$DISK/bin/" &&
    cp "$BIN/helpers/xconvert" "$BIN/helpers/xpack" "$DISK/bin/helpers/" &&
    cp "$BIN"/bench/* "$DISK/bin/bench/" || exit 1
BIN=$DISK/bin

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# ratio A B, two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0 || b == "nan") print "n/a"; else printf "%.2f\n", a / b }'; }
# timed OUT COMMAND... : runs COMMAND, appends "seconds maxrss_kib" to OUT
# (wall time from the clock in ns: time(1)'s %e has 10 ms steps; the peak
# RSS is time(1)'s %M, of the largest single process)
timed() {
	_o=$1; shift
	_a=$(now_ns)
	/usr/bin/time -f '%M' -o "$_o.t" "$@" >/dev/null 2>"$_o.err" ||
	    { echo "# failed: $*" >&2; cat "$_o.err" >&2; }
	_b=$(now_ns)
	echo "$(awk -v a="$_a" -v b="$_b" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $(tail -n 1 "$_o.t")" >> "$_o"
}
col() { awk -v c="$1" '{print $c}' "$2" | median; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f\n", b / s / 1048576; else print "n/a" }'; }
now_ns() { date +%s%N; }
say() { echo "$*" >&2; }
