# daemon.sh - helpers for the xspoold tests (t02xx, t03xx), sourced after
# lib.sh.  EXP is the directory of the test exporters.
EXP=$TOP/tests/exporters

# types [EXTRA...] : mkconf plus the test export types, on stdin more lines
types() {
	{
		cat
		cat <<CONF

[type Ok]
command = $EXP/ok
emits = csv
formats = JSON,CSV
CONF
	} | mkconf
}

# jobs STATE : how many job files are in STATE (all nodes for processing)
jobs() {
	if [ "$1" = processing ]; then
		find "$SPOOL/processing" -name '*.job' 2>/dev/null | wc -l
	else
		find "$SPOOL/$1" -maxdepth 1 -name '*.job' 2>/dev/null | wc -l
	fi
}

# where ID : the state directory (processing/NODE) holding ID.job
where() {
	find "$SPOOL" -name "$1.job" ! -path "$SPOOL/tmp/*" 2>/dev/null |
	    sed "s|^$SPOOL/||; s|/$1.job\$||"
}

# field ID EXPR : a field of ID's job file, by a python expression on j
field() {
	_f=$(find "$SPOOL" -name "$1.job" ! -path "$SPOOL/tmp/*" | head -n 1)
	[ -n "$_f" ] || return 1
	/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$_f" "$2"
}

# is_in ID STATE : ID's file is in STATE
is_in() { [ "$(where "$1")" = "$2" ]; }

# daemon NAME [ARGS...] : start xspoold in the foreground, wait until it
# has recovered and scanned (its "started" line)
daemon() {
	_dn=$1; shift
	bg "$_dn" xspoldd_ "$@"
	wait_for 10 grep -q 'started: node' "$T/$_dn.err"
}
xspoldd_() { exec xspoold -f -c "$CONF" "$@"; }

# drop ID TEXT : a job file written straight into queued/
drop() { printf '%s\n' "$2" > "$SPOOL/queued/$1.job"; }

# total : job files in every state together
total() {
	echo $(($(jobs queued) + $(jobs processing) + $(jobs failed) +
	    $(jobs completed) + $(jobs cancelled)))
}
