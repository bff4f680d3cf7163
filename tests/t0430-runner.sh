#!/bin/sh
# t0430 - one exporter process (runner.c) through xexport -r:
# exec errors, exit status and signals, timeout with the group killed,
# max_bytes, the stderr tail, a chatty stderr, the environment.
. "$(dirname "$0")/lib.sh"
X=$BIN/helpers/xexport

# run NAME ARGS... : xexport -r, stdout in $T/NAME.out, errors in NAME.err
run() {
	_r=$1; shift
	"$X" -r "$@" > "$T/$_r.out" 2> "$T/$_r.err"
	echo $? > "$T/$_r.rc"
}
rc() { cat "$T/$1.rc"; }
errs() { cat "$T/$1.err"; }
gone() {	# gone PID: no such process, or only a zombie not yet reaped by init
	_s=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -z "$_s" ] || [ "${_s#Z}" != "$_s" ]
}

run noent -- /nonexistent/exporter
is "$(rc noent)" 1 "a missing command fails"
is "$(errs noent)" "error: cannot run /nonexistent/exporter: No such file or directory" \
    "the error names the command and errno"

printf 'data\n' > "$T/notexec"
run noexec -- "$T/notexec"
is "$(errs noexec)" "error: cannot run $T/notexec: Permission denied" \
    "a file that is not executable fails at start"

run ok -- /bin/sh -c 'echo hello; echo "a warning" >&2'
is "$(rc ok)/$(cat "$T/ok.out")/$(errs ok)" "0/hello/" \
    "exit 0 succeeds, stdout passed on, stderr is not an error"

run st3 -- /bin/sh -c 'echo out; echo "first problem" >&2; echo "second problem" >&2; exit 3'
is "$(rc st3)" 1 "exit 3 fails"
printf '%s\n' "error: exporter exited with status 3" "error: first problem" \
    "error: second problem" > "$T/st3.want"
ok "status then stderr lines as errors" diff -u "$T/st3.want" "$T/st3.err"

run sig -- /bin/sh -c 'echo "about to die" >&2; kill -9 $$'
printf '%s\n' "error: exporter killed by signal 9" "error: about to die" \
    > "$T/sig.want"
ok "killed by a signal" diff -u "$T/sig.want" "$T/sig.err"

run tail -- /bin/sh -c 'i=1; while [ $i -le 30 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 1'
{ echo "error: exporter exited with status 1"
  i=21; while [ $i -le 30 ]; do echo "error: line $i"; i=$((i + 1)); done
} > "$T/tail.want"
ok "only the last 10 stderr lines are kept" diff -u "$T/tail.want" "$T/tail.err"

run junk -- /bin/sh -c 'printf "bad \001 \377 x\r\n\n   \ntab\there\n" >&2; exit 1'
printf '%s\n' "error: exporter exited with status 1" "error: bad ? ? x" \
    "error: tab here" > "$T/junk.want"
ok "control bytes and invalid UTF-8 are replaced, blank lines dropped" \
    diff -u "$T/junk.want" "$T/junk.err"

# a timeout with a child left behind: both must be gone afterwards
start=$(date +%s)
run tmo -t 1s -g 500ms -- /bin/sh -c "sleep 300 & echo \$! > $T/tmo.child; echo \$\$ > $T/tmo.pid; echo started; echo waiting >&2; sleep 300"
end=$(date +%s)
printf '%s\n' "error: timed out after 1s" "error: exporter killed by signal 15" \
    "error: waiting" > "$T/tmo.want"
ok "timeout: reason, signal, stderr" diff -u "$T/tmo.want" "$T/tmo.err"
is "$(cat "$T/tmo.out")" started "output before the timeout was passed on"
# bounds far under the hangs they tell apart (300 s, 30 s, a 20 s
# timeout), far over a loaded machine's delays
ok "timeout is kept (under 60 s, not 300)" test $((end - start)) -lt 60
ok "the exporter is gone" gone "$(cat "$T/tmo.pid")"
ok "its child left behind is gone too" wait_for 10 gone "$(cat "$T/tmo.child")"

run term -t 1s -g 300ms -- /bin/sh -c 'trap "" TERM; echo x; while :; do sleep 0.1; done'
printf '%s\n' "error: timed out after 1s" "error: exporter killed by signal 9" \
    > "$T/term.want"
ok "SIGTERM ignored: SIGKILL after the grace period" diff -u "$T/term.want" "$T/term.err"

run big -m 1M -- /bin/sh -c 'yes "some output line"'
printf '%s\n' "error: output over max_bytes (1M)" "error: exporter killed by signal 9" \
    > "$T/big.want"
ok "output over max_bytes fails the attempt" diff -u "$T/big.want" "$T/big.err"
ok "no more than max_bytes passed on" test "$(wc -c < "$T/big.out")" -le 1048576

# a chatty stderr (1 MB) next to 1 MB of stdout must not deadlock
head -c 1048576 /dev/urandom | od -An -tx1 | head -c 1048576 > "$T/chat.data"
start=$(date +%s)
run chat -t 20s -- /bin/sh -c "yes 'chatter chatter chatter' | head -c 1048576 >&2; cat $T/chat.data; yes 'more chatter' | head -c 1048576 >&2"
end=$(date +%s)
is "$(rc chat)" 0 "a chatty stderr does not block the exporter"
ok "stdout intact beside it" cmp "$T/chat.data" "$T/chat.out"
ok "and no deadlock (under 15 s: -t 20s)" test $((end - start)) -lt 15

# the leader exits while a child still holds stdout: no wait for the child
start=$(date +%s)
run left -t 20s -- /bin/sh -c "echo a; (sleep 30; echo late) & echo \$! > $T/left.child; echo b"
end=$(date +%s)
is "$(rc left)/$(cat "$T/left.out" | tr '\n' ' ')" "0/a b " \
    "the exporter's exit ends its output"
ok "not held up by the child (under 20 s, not 30)" test $((end - start)) -lt 20
ok "the child left behind is killed" wait_for 10 gone "$(cat "$T/left.child")"

# a grandchild that left the group (setsid) and holds stdout: the runner
# is its subreaper, kills it once the exporter exits, and reaps it
start=$(date +%s)
run esc -t 20s -- /bin/sh -c "setsid sh -c 'echo \$\$ > $T/esc.tmp; mv $T/esc.tmp $T/esc.child; exec sleep 300' & while [ ! -s $T/esc.child ]; do sleep 0.05; done; echo a"
end=$(date +%s)
is "$(rc esc)/$(cat "$T/esc.out")" "0/a" "an exporter whose grandchild called setsid succeeds"
ok "not held up by it (under 15 s: -t 20s)" test $((end - start)) -lt 15
ok "the setsid'd grandchild is gone" wait_for 10 gone "$(cat "$T/esc.child")"
gone "$(cat "$T/esc.child")" || kill -KILL "$(cat "$T/esc.child")"

# the environment: PATH, HOME, LANG kept, nothing else leaks, XSPOOL_*
env -i PATH=/usr/bin:/bin HOME=/nowhere LANG=C.UTF-8 SECRET=leak \
    "$X" -r -a 2 -f csv -P from=2026-01-01 -P "note=a b=c" -- /usr/bin/env \
    > "$T/env.out" 2> "$T/env.err"
sed 's/^XSPOOL_ID=xexport-[0-9]*$/XSPOOL_ID=ID/' "$T/env.out" | sort > "$T/env.got"
sort > "$T/env.want" <<WANT
HOME=/nowhere
LANG=C.UTF-8
PATH=/usr/bin:/bin
XSPOOL_ATTEMPT=3
XSPOOL_FORMAT=CSV
XSPOOL_ID=ID
XSPOOL_PARAM_from=2026-01-01
XSPOOL_PARAM_note=a b=c
XSPOOL_TYPE=Test
WANT
ok "environment: exactly PATH, HOME, LANG and XSPOOL_*" diff -u "$T/env.want" "$T/env.got"
run attempt1 -- /bin/sh -c 'echo $XSPOOL_ATTEMPT'
is "$(cat "$T/attempt1.out")" 1 "XSPOOL_ATTEMPT is 1 on the first attempt"

# (the fds of a background sleep once it has exec'd: right after the
# fork, the child may still be opening /dev/null for its stdin as fd 3)
run fds -- /bin/sh -c "sleep 5 & p=\$!; until grep -qx sleep /proc/\$p/comm; do :; done; ls /proc/\$p/fd > $T/fds.list; kill \$p; readlink /proc/\$\$/fd/0; ps -o pid=,pgid= -p \$\$"  7< "$0"
set -- $(cat "$T/fds.list" "$T/fds.out")
is "$1 $2 $3 $4" "0 1 2 /dev/null" "only fds 0-2 are open, stdin is /dev/null"
is "$5" "$6" "the exporter leads its own process group"

done_testing
