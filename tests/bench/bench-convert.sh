#!/bin/sh
# bench-convert.sh [MB] - CSV -> JSON and JSONL -> CSV of an MB-sized input
# (default 500): xspool's converter (bin/helpers/xconvert, the code the
# daemon runs) against Miller and against cat as the I/O ceiling.
. "$(dirname "$0")/lib.sh"
MB=${1:-500}
bytes=$((MB * 1048576))
"$BIN/bench/gen" csv $bytes > "$DISK/in.csv"
"$BIN/bench/gen" jsonl $bytes > "$DISK/in.jsonl"

run() {	# run NAME COMMAND... (stdin/stdout redirected by the caller)
	_n=$1; shift
	: > "$DISK/$_n"
	r=0
	while [ $r -lt "$RUNS" ]; do
		timed "$DISK/$_n" "$@"
		r=$((r + 1))
	done
}
X=$BIN/helpers/xconvert
run cat1 sh -c "cat '$DISK/in.csv' > /dev/null"
run x1 sh -c "'$X' csv JSON < '$DISK/in.csv' > '$DISK/o'"
run m1 sh -c "mlr --icsv --ojson cat < '$DISK/in.csv' > '$DISK/o'"
run cat2 sh -c "cat '$DISK/in.jsonl' > /dev/null"
run x2 sh -c "'$X' jsonl CSV < '$DISK/in.jsonl' > '$DISK/o'"
run m2 sh -c "mlr --ijsonl --ocsv cat < '$DISK/in.jsonl' > '$DISK/o'"
rm -f "$DISK/o"

row() {	# row LABEL XFILE MFILE CATFILE
	xs=$(col 1 "$DISK/$2"); ms=$(col 1 "$DISK/$3"); cs=$(col 1 "$DISK/$4")
	xm=$(mbps $bytes "$xs"); mm=$(mbps $bytes "$ms"); cm=$(mbps $bytes "$cs")
	echo "| $1 | $xm | $(($(col 2 "$DISK/$2") / 1024)) | $mm | $(($(col 2 "$DISK/$3") / 1024)) | $(ratio "$ms" "$xs") | $cm | $(ratio "$cs" "$xs") |"
}
echo "### Conversion ($MB MiB input, median of $RUNS runs)"
echo
echo "| conversion | xspool MB/s | xspool RSS MiB | mlr MB/s | mlr RSS MiB | xspool / mlr | cat MB/s | xspool / cat |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row "CSV -> JSON" x1 m1 cat1
row "JSONL -> CSV" x2 m2 cat2
