#!/bin/sh
# t0393 - an exporter's descendants that leave its process group (setsid)
# end with its job: the worker is a child subreaper, so they become its
# children when their parent dies, and runner.c kills and reaps them with
# their own groups - whether the exporter succeeds, fails, holds stdout
# open through them, or times out, and for a grandchild of a grandchild.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

# esc DIR MODE : a setsid'd grandchild writes its pid to DIR/ID.pid
cat > "$T/esc" <<'SH'
#!/bin/sh
f=$1/$XSPOOL_ID.pid
case $2 in
hold)	# the escaped one keeps our stdout open
	setsid sh -c 'echo $$ > "$1.tmp"; mv "$1.tmp" "$1"; exec sleep 300' \
	    sh "$f" 2>/dev/null & ;;
deep)	# it starts one more that escapes again, then waits
	setsid sh -c 'setsid sh -c "echo \$\$ > \"\$1.2\"; exec sleep 300" \
	    sh "$1" >/dev/null 2>&1 &
	    echo $$ > "$1.tmp"; mv "$1.tmp" "$1"; exec sleep 300' \
	    sh "$f" >/dev/null 2>&1 & ;;
*)	setsid sh -c 'echo $$ > "$1.tmp"; mv "$1.tmp" "$1"; exec sleep 300' \
	    sh "$f" >/dev/null 2>&1 & ;;
esac
while [ ! -s "$f" ]; do sleep 0.05; done
[ "$2" = deep ] && while [ ! -s "$f.2" ]; do sleep 0.05; done
case $2 in
fail)	echo "failing on purpose" >&2; exit 3 ;;
hang)	sleep 300 ;;
esac
printf 'a\n1\n'
SH
chmod +x "$T/esc"
mkdir "$T/pids"
{
	for m in ok hold fail deep; do
		printf '[type Esc_%s]\ncommand = %s %s %s\n' "$m" "$T/esc" \
		    "$T/pids" "$m"
		printf 'emits = csv\nformats = CSV\ntimeout = 60s\n\n'
	done
	printf '[type Esc_hang]\ncommand = %s %s hang\n' "$T/esc" "$T/pids"
	printf 'emits = csv\nformats = CSV\ntimeout = 2s\n\n'
} | types max_attempts=1 kill_grace=500ms
daemon d

gone() {	# gone PID: no such process, or a zombie not yet reaped by init
	_s=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -z "$_s" ] || [ "${_s#Z}" != "$_s" ]
}
alive() { ! gone "$1"; }

for m in ok hold fail deep hang; do
	drop "$m" "{\"type\": \"Esc_$m\", \"format\": \"CSV\"}"
done
ok "the escaped grandchildren started" \
    wait_for 20 sh -c "ls $T/pids/*.pid | wc -l | grep -qx 5"
p_ok=$(cat "$T/pids/ok.pid")
p_hang=$(cat "$T/pids/hang.pid")	# its exporter runs 2 s more
is "$(ps -o sid= -p "$p_hang" | tr -d ' ')" "$p_hang" \
    "... each in a session of its own (out of the exporter's group)"

ok "the job that succeeds completes" wait_for 20 is_in ok completed
ok "... and its escaped grandchild is gone" wait_for 10 gone "$p_ok"
ok "the job whose grandchild holds stdout completes" \
    wait_for 20 is_in hold completed
ok "... and the grandchild is gone" wait_for 10 gone "$(cat "$T/pids/hold.pid")"
ok "the job that fails is cancelled (max_attempts 1)" \
    wait_for 20 is_in fail cancelled
ok "... and its escaped grandchild is gone" \
    wait_for 10 gone "$(cat "$T/pids/fail.pid")"
ok "two levels of escape: the job completes" wait_for 20 is_in deep completed
ok "... the first escaped one is gone" \
    wait_for 10 gone "$(cat "$T/pids/deep.pid")"
ok "... and the one it started is gone" \
    wait_for 10 gone "$(cat "$T/pids/deep.pid.2")"
ok "the job that times out is cancelled" wait_for 20 is_in hang cancelled
ok "... and its escaped grandchild is gone" \
    wait_for 10 gone "$p_hang"
is "$(field hang '"timed out" in " ".join(j["result"]["errors"])')" True \
    "... for its timeout"
drop after '{"type": "Ok"}'
ok "a job after them completes" wait_for 20 is_in after completed
stop d
for f in "$T"/pids/*.pid*; do	# leave nothing behind, whatever happened
	p=$(cat "$f" 2>/dev/null) && alive "$p" && kill -KILL "$p"
done
done_testing
