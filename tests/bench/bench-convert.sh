#!/bin/sh
# bench-convert.sh [MB] - CSV -> JSON and JSONL -> CSV of an MB-sized input
# (default 500): xspool's converter (bin/helpers/xconvert, the code the
# daemon runs) against Miller and against cat as the I/O ceiling.
. "$(dirname "$0")/lib.sh"
MB=${1:-500}
bytes=$((MB * 1048576))
"$BIN/bench/gen" csv $bytes > "$DISK/in.csv"
"$BIN/bench/gen" jsonl $bytes > "$DISK/in.jsonl"

run() {	# run NAME TIMES COMMAND... (stdin/stdout redirected by the caller)
	_n=$1; _k=$2; shift 2
	: > "$DISK/$_n"
	r=0
	while [ $r -lt "$_k" ]; do
		timed "$DISK/$_n" "$@"
		r=$((r + 1))
	done
}
X=$BIN/helpers/xconvert
# cat copies the input to the same output file: the I/O ceiling
say "convert: CSV -> JSON"
run cat1 "$RUNS" sh -c "cat < '$DISK/in.csv' > '$DISK/o'"
run x1 "$RUNS" sh -c "'$X' csv JSON < '$DISK/in.csv' > '$DISK/o'"
test "$(head -c 1 "$DISK/o")" = '[' || say "xconvert: no JSON array"
run m1 "$SLOW_RUNS" sh -c "mlr --icsv --ojson cat < '$DISK/in.csv' > '$DISK/o'"
say "convert: JSONL -> CSV"
run cat2 "$RUNS" sh -c "cat < '$DISK/in.jsonl' > '$DISK/o'"
run x2 "$RUNS" sh -c "'$X' jsonl CSV < '$DISK/in.jsonl' > '$DISK/o'"
test "$(head -n 1 "$DISK/o" | tr -d '\r')" = 'id,name,date,amount,paid,note' ||
    say "xconvert: unexpected CSV header: $(head -n 1 "$DISK/o" | tr -d '\r')"
run m2 "$SLOW_RUNS" sh -c "mlr --ijsonl --ocsv cat < '$DISK/in.jsonl' > '$DISK/o'"
rm -f "$DISK/o"

row() {	# row LABEL XFILE MFILE CATFILE
	xs=$(col 1 "$DISK/$2"); ms=$(col 1 "$DISK/$3"); cs=$(col 1 "$DISK/$4")
	xm=$(mbps $bytes "$xs"); mm=$(mbps $bytes "$ms"); cm=$(mbps $bytes "$cs")
	echo "| $1 | $xm | $(($(col 2 "$DISK/$2") / 1024)) | $mm | $(($(col 2 "$DISK/$3") / 1024)) | $(ratio "$ms" "$xs") | $cm | $(ratio "$cs" "$xs") |"
}
echo "### Conversion ($MB MiB input; xspool and cat median of $RUNS runs, mlr of $SLOW_RUNS)"
echo
echo "| conversion | xspool MB/s | xspool RSS MiB | mlr MB/s | mlr RSS MiB | xspool / mlr | cat MB/s | xspool / cat |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row "CSV -> JSON" x1 m1 cat1
row "JSONL -> CSV" x2 m2 cat2
