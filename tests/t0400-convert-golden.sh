#!/bin/sh
# t0400 - the record converter against expected outputs:
# every tests/golden/NAME.in.{csv,jsonl} gives exactly NAME.out.json and
# NAME.out.csv (typed by NAME.columns when present), and every
# bad-NAME.in.* fails with exit 1 and exactly the message in bad-NAME.err.
. "$(dirname "$0")/lib.sh"
G=$TOP/tests/golden
X=$BIN/helpers/xconvert

# convert IN FMT : xconvert on IN with its columns spec, if any
convert() {
	_b=${1%.in.*}
	_e=${1##*.in.}
	if [ -f "$_b.columns" ]; then
		"$X" "$_e" "$2" "$(cat "$_b.columns")" < "$1"
	else
		"$X" "$_e" "$2" < "$1"
	fi
}

# same IN FMT WANT : output and exit status 0 as expected
same() {
	convert "$1" "$2" > "$T/got" 2> "$T/err" || return 1
	[ ! -s "$T/err" ] || return 1
	diff -u "$3" "$T/got"
}

# converts IN FMT : exit status 0
converts() {
	convert "$1" "$2" > /dev/null 2>&1
}

# fails IN FMT MESSAGE : exit 1, nothing but the message on stderr
fails() {
	convert "$1" "$2" > /dev/null 2> "$T/err"
	_rc=$?
	[ "$_rc" -eq 1 ] || { echo "# exit $_rc"; return 1; }
	echo "xconvert: $3" | diff -u - "$T/err"
}

for in_ in "$G"/*.in.csv "$G"/*.in.jsonl; do
	b=${in_%.in.*}
	n=${b##*/}
	case $n in
	bad-*)
		msg=$(cat "$b.err")
		ok "$n: JSON out fails: $msg" fails "$in_" JSON "$msg"
		# the same record and line however the input is cut
		for k in 1 3; do
			export XCONVERT_CHUNK=$k
			ok "$n: the same fed $k bytes at a time" \
			    fails "$in_" JSON "$msg"
			unset XCONVERT_CHUNK
		done
		# typing applies to JSON only: with CSV out it is no error
		if [ -f "$b.columns" ]; then
			ok "$n: CSV out ignores the typing" \
			    converts "$in_" CSV
		else
			ok "$n: CSV out fails: $msg" fails "$in_" CSV "$msg"
		fi
		;;
	*)
		ok "$n: JSON out as expected" same "$in_" JSON "$b.out.json"
		ok "$n: CSV out as expected" same "$in_" CSV "$b.out.csv"
		;;
	esac
done

# records and lines over 16 MiB are refused without holding the input;
# a 15 MiB field still converts
big() {	# big N : N bytes of "x"
	head -c "$1" /dev/zero | tr '\0' x
}
{ printf 'a,b\n1,'; big 17000000; printf '\n'; } > "$T/long.in.csv"
{ printf 'a,b\n1,"'; big 17000000; } > "$T/longq.in.csv"
{ printf '{"a":"'; big 17000000; printf '"}\n'; } > "$T/long.in.jsonl"
{ printf 'a,b\n1,'; big 15000000; printf '\n'; } > "$T/ok.in.csv"
for f in long.in.csv:2 longq.in.csv:2 long.in.jsonl:1; do
	m="record 1, line ${f#*:}: longer than 16 MiB"
	ok "${f%:*}: $m" fails "$T/${f%:*}" JSON "$m"
done
ok "a 15 MiB field converts" sh -c \
    "'$X' csv JSON < '$T/ok.in.csv' | wc -c | grep -qx 15000021"

nok "a bad command line is refused" "$X" xml JSON < /dev/null 2>/dev/null
done_testing
