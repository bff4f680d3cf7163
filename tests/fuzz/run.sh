#!/bin/sh
# run.sh SECONDS BIN... - runs each libFuzzer target for SECONDS, one at a
# time (the machine is shared), from its seeds: tests/fuzz/seeds/NAME, the
# inputs made below from tests/golden/, and tests/fuzz/regress/NAME.  New
# inputs gather in build/fuzz/corpus/NAME (kept between runs), a crash in
# build/fuzz/artifacts/NAME/, the whole output in build/fuzz/log/NAME.log.
# Prints each target's final figures; exits 1 if any target failed.
set -u
cd "$(dirname "$0")/../.."
secs=$1
shift
B=build/fuzz
G=tests/golden
status=0

# seeds NAME DIR - the generated seeds of target NAME into DIR
seeds() {
	rm -rf "$2"
	mkdir -p "$2"
	[ -d "tests/fuzz/seeds/$1" ] && cp "tests/fuzz/seeds/$1"/* "$2"/
	case $1 in
	json)
		cp tests/fuzz/seeds/job/* "$2"/
		for f in "$G"/*.in.jsonl "$G"/*.out.json; do
			cp "$f" "$2/${f##*/}"
		done ;;
	convert)
		# mode byte (1: JSONL in, 2: CSV out, 4: typed), chunk byte
		for f in "$G"/*.in.csv; do
			n=${f##*/}
			for m in 000 002 004; do
				{ printf "\\$m\\003"; cat "$f"; } > "$2/$m-$n"
			done
		done
		for f in "$G"/*.in.jsonl; do
			n=${f##*/}
			for m in 001 003; do
				{ printf "\\$m\\007"; cat "$f"; } > "$2/$m-$n"
			done
		done ;;
	esac
}

for bin in "$@"; do
	name=${bin##*/fuzz-}
	mkdir -p "$B/corpus/$name" "$B/artifacts/$name" "$B/log"
	seeds "$name" "$B/seeds/$name"
	regress=tests/fuzz/regress/$name
	[ -d "$regress" ] || regress=
	case $name in		# a dictionary: words the target's parser knows
	json|job|jobfile|api) dict=-dict=tests/fuzz/job.dict ;;
	config)		dict=-dict=tests/fuzz/config.dict ;;
	*)		dict= ;;
	esac
	case $name in		# long inputs (the 600 KB regression) slow
	jobfile)	maxlen=-max_len=65536 ;;	# every mutation
	*)		maxlen= ;;
	esac
	log=$B/log/$name.log
	echo "fuzz-$name: ${secs}s"
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=20 \
	    -rss_limit_mb=2048 -artifact_prefix="$B/artifacts/$name/" $dict $maxlen \
	    "$B/corpus/$name" "$B/seeds/$name" $regress > "$log" 2>&1
	rc=$?
	grep -E '^#[0-9]+.*cov:' "$log" | tail -1 | sed 's/^/  /'
	grep -E '^Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss' \
	    "$log" | sed 's/^/  /'
	if [ $rc -ne 0 ]; then
		status=1
		echo "  FAILED (exit $rc): see $log"
		grep -E 'ERROR|invariant broken|SUMMARY|Test unit written' \
		    "$log" | head -5 | sed 's/^/  /'
	fi
done
exit $status
