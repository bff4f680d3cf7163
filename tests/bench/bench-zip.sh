#!/bin/sh
# bench-zip.sh [MB] - packing an MB-sized CSV (default 500) with xspool's
# zip code (libzip, bin/helpers/xpack) at level 6, level 1 and with
# AES-256, against zip -6, zip -1 and 7z's AES.
. "$(dirname "$0")/lib.sh"
MB=${1:-500}
bytes=$((MB * 1048576))
"$BIN/bench/gen" csv $bytes > "$DISK/in.csv"

run() {	# run NAME TIMES COMMAND... : the zip is checked with 7z t
	_n=$1; _k=$2; shift 2
	: > "$DISK/$_n"
	r=0
	while [ $r -lt "$_k" ]; do
		rm -f "$DISK/o.zip"
		timed "$DISK/$_n" "$@"
		r=$((r + 1))
	done
	stat -c %s "$DISK/o.zip" > "$DISK/$_n.size" 2>/dev/null || echo 0 > "$DISK/$_n.size"
	7z t -psecret "$DISK/o.zip" > "$DISK/$_n.test" 2>&1 ||
	    { say "$_n: 7z t fails:"; tail -n 5 "$DISK/$_n.test" >&2; }
}
P=$BIN/helpers/xpack
say "zip: level 6"
run x6 "$RUNS" "$P" "$DISK/in.csv" "$DISK/o.zip" in.csv 6
run z6 "$RUNS" zip -q -6 -j "$DISK/o.zip" "$DISK/in.csv"
say "zip: level 1"
run x1 "$RUNS" "$P" "$DISK/in.csv" "$DISK/o.zip" in.csv 1
run z1 "$RUNS" zip -q -1 -j "$DISK/o.zip" "$DISK/in.csv"
say "zip: AES-256"
run xa "$RUNS" "$P" "$DISK/in.csv" "$DISK/o.zip" in.csv 6 secret
run sa "$SLOW_RUNS" 7z a -tzip -mx=5 -mem=AES256 -psecret "$DISK/o.zip" "$DISK/in.csv"
rm -f "$DISK/o.zip"

row() {	# row LABEL XFILE PEERFILE PEERNAME
	xs=$(col 1 "$DISK/$2"); ps=$(col 1 "$DISK/$3")
	echo "| $1 | $(mbps $bytes "$xs") | $(($(col 2 "$DISK/$2") / 1024)) | $(($(cat "$DISK/$2.size") / 1048576)) | $4 | $(mbps $bytes "$ps") | $(($(col 2 "$DISK/$3") / 1024)) | $(($(cat "$DISK/$3.size") / 1048576)) | $(ratio "$ps" "$xs") |"
}
echo "### Zip ($MB MiB CSV; median of $RUNS runs, 7z of $SLOW_RUNS; ratio > 1 means xspool is faster)"
echo
echo "| xspool | MB/s | RSS MiB | zip MiB | peer | MB/s | RSS MiB | zip MiB | xspool / peer |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
row "level 6" x6 z6 "zip -6"
row "level 1" x1 z1 "zip -1"
row "level 6 + AES-256" xa sa "7z a -tzip -mem=AES256 (-mx=5)"
x6=$(col 1 "$DISK/x6"); xa=$(col 1 "$DISK/xa")
echo
echo "AES-256 costs $(awk -v a="$xa" -v b="$x6" 'BEGIN { printf "%+.1f%%", (a / b - 1) * 100 }') over level 6 alone."
