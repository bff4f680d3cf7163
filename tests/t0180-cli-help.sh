#!/bin/sh
# t0180 - help: xspool --help, -h and help print the commands on stdout
# (exit 0), per command too (help CMD, CMD --help, CMD -h, anywhere among
# its arguments); usage errors go to stderr, exit 2, and name what is
# missing or wrong.
. "$(dirname "$0")/lib.sh"

cli_setup
cmds="submit resubmit status list cancel wait download retry types check key help"

for o in --help -h help; do
	$X $o > "$T/out" 2> "$T/err"
	is "$?" 0 "xspool $o: exit 0"
	ok "xspool $o: the usage on stdout" grep -q '^usage: xspool' "$T/out"
	is "$(wc -c < "$T/err")" 0 "xspool $o: nothing on stderr"
	for c in $cmds; do
		grep -q "^  $c" "$T/out" || echo "$c" >> "$T/missing.$o"
	done
	ok "xspool $o lists every command" test ! -e "$T/missing.$o"
done
# without a config the help still works (a new user's first command)
(cd "$T" && XSPOOL_CONF=/nonexistent xspool --help > /dev/null)
is "$?" 0 "--help needs no configuration"

for c in $cmds; do
	for form in "help $c" "$c --help" "$c -h"; do
		$X $form > "$T/out" 2> "$T/err"
		r=$?
		[ "$r" = 0 ] && grep -q "^usage: xspool $c" "$T/out" &&
		    [ ! -s "$T/err" ] && [ "$(wc -l < "$T/out")" -ge 3 ] ||
		    echo "$form: exit $r" >> "$T/bad"
	done
done
ok "help CMD, CMD --help, CMD -h: a paragraph on stdout, exit 0 (all commands)" \
    test ! -e "$T/bad"
$X key list --help > "$T/out"
ok "key SUB --help: key's help" grep -q '^usage: xspool key' "$T/out"
$X submit T -f CSV --help > "$T/out"
ok "--help after other options" grep -q '^usage: xspool submit' "$T/out"
$X help submit > "$T/out"
for o in -f -p -e -w -C -P; do
	grep -q -- "^  $o " "$T/out" || echo "$o" >> "$T/noopt"
done
ok "submit's help describes each of its options" test ! -e "$T/noopt"
$X help list > "$T/out"
for o in --state --type --client --since --until --limit --json; do
	grep -q -- "^  $o " "$T/out" || echo "$o" >> "$T/noopt2"
done
ok "list's help describes each of its options" test ! -e "$T/noopt2"

# usage errors: stderr, exit 2, what is missing
err2() {	# err2 DESCRIPTION PATTERN ARGS...
	_d=$1 _p=$2; shift 2
	$X "$@" > "$T/out" 2> "$T/err"
	_r=$?
	is "$_r" 2 "$_d: exit 2"
	ok "$_d: says so on stderr ($_p)" grep -q -- "$_p" "$T/err"
	is "$(wc -c < "$T/out")" 0 "$_d: nothing on stdout"
}
err2 "wait without an id" "xspool wait: missing job id" wait
err2 "status without an id" "xspool status: missing job id" status
err2 "cancel without an id" "xspool cancel: missing job id" cancel
err2 "retry without an id" "xspool retry: missing job id" retry
err2 "download without an id" "xspool download: missing job id" download
err2 "resubmit without an id" "xspool resubmit: missing job id" resubmit
err2 "submit without a type" "xspool submit: missing export type" submit
err2 "status with two ids" "unexpected argument b" status a b
err2 "wait -t nonsense" "-t soon: not a duration" wait x -t soon
err2 "an unknown option" "usage: xspool status" status --frobnicate x
err2 "list --since nonsense" "want an ISO 8601 time" list --since yesterday
err2 "list --limit nonsense" "limit x: want a number" list --limit x
err2 "list --state nonsense" "unknown state" list --state sleeping
err2 "help of an unknown command" "frob: unknown command" help frob
err2 "key without a subcommand" "missing subcommand" key
err2 "no command" "missing command" 
err2 "check with an argument" "unexpected argument x" check x
done_testing
