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
# free_port : a TCP port on 127.0.0.1 nobody listens on (other people run
# these benchmarks and the tests on this machine at the same time)
free_port() {
	_p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
	while curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$_p/"; [ $? -ne 7 ]; do
		_p=$((_p + 1))
	done
	echo $_p
}
# start_httpd CONF : xspool-httpd on the port of CONF (0: any), in the
# background; sets HTTPD (its pid) and HPORT
start_httpd() {
	rm -f "$DISK/hport"
	"$BIN/xspool-httpd" -f -c "$1" -p "$DISK/hport" 2>"$DISK/httpd.log" &
	HTTPD=$!
	_pids="$_pids $HTTPD"
	_i=0
	while [ ! -s "$DISK/hport" ]; do
		sleep 0.005; _i=$((_i + 1))
		[ $_i -gt 2000 ] && { say "xspool-httpd did not start"; cat "$DISK/httpd.log" >&2; exit 1; }
	done
	HPORT=$(cat "$DISK/hport")
}
