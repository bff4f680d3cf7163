# daemon-lib.sh - helpers for the xspoold tests (t02xx, t03xx), sourced
# after lib.sh.  EXP is the directory of the test exporters.
EXP=$TOP/tests/exporters

# spool_set KEY=VALUE... : set (or add) each KEY in the config's [spool]
spool_set() {
	for _kv; do
		_k=${_kv%%=*}
		_v=${_kv#*=}
		if grep -q "^$_k = " "$CONF"; then
			sed -i "s|^$_k = .*|$_k = $_v|" "$CONF"
		else
			sed -i "/^\[spool\]\$/a $_k = $_v" "$CONF"
		fi
	done
}

# types [KEY=VALUE...] : mkconf plus the test type Ok and more types on
# stdin; the KEY=VALUE pairs go into [spool]
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
	spool_set "$@"
}

# slow_types [KEY=VALUE...] [-- LINE...] : types with a [type Slow] that
# runs the slow exporter (extra LINEs in its section); M is the marker on
# its command line, for pgrep
slow_types() {
	M=xspool-$(basename "$0" .sh)-$$
	_set=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_set="$_set $1"
		shift
	done
	[ $# -gt 0 ] && shift
	{
		printf '[type Slow]\ncommand = %s/slow %s\n' "$EXP" "$M"
		printf 'emits = csv\nformats = JSON,CSV\n'
		for _l; do
			echo "$_l"
		done
	} | types $_set
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
