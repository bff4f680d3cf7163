#!/bin/sh
# t0670 - several nodes on one spool: a hint left by the CLI is taken by
# exactly one daemon (a rename into notify/NODE/); a lost node's pending
# notifications are taken over, a live node's are not.
. "$(dirname "$0")/lib.sh"

. "$TOP/tests/helpers/notify.sh"
mkconf <<CONF
callback_allow = 127.0.0.1
webhook_retry_base = 200ms
CONF
sed "s/^node = testnode/node = a/" "$CONF" > "$T/a.conf"
sed "s/^node = testnode/node = b/" "$CONF" > "$T/b.conf"
ok "the receiver is listening" receiver
mkdir -p "$SPOOL/completed" "$SPOOL/notify" "$SPOOL/nodes"
job() {		# job ID PATH : a completed job with a pending webhook
	printf '{"type": "Ok", "callback": "http://127.0.0.1:%s%s", "result": {"success": true}, "notify": {"webhook": {"state": "pending", "id": "msg_%s", "tries": 0}}}\n' \
	    "$PORT" "$2" "$1" > "$SPOOL/completed/$1.job"
}

# ten hints as the CLI leaves them, two nodes draining at once
for i in 0 1 2 3 4 5 6 7 8 9; do
	job "c$i" "/c$i"
	: > "$SPOOL/notify/c$i"
done
touch "$SPOOL/nodes/a" "$SPOOL/nodes/b"
xnotify -c "$T/a.conf" -t 20 drain &
pa=$!
xnotify -c "$T/b.conf" -t 20 drain &
pb=$!
wait $pa
ra=$?
wait $pb
ok "both nodes drain" test "$ra" -eq 0 -a "$?" -eq 0
is "$(recv count "$T/hooks")" 10 "ten hints, ten webhooks: none sent twice"
for i in 0 1 2 3 4 5 6 7 8 9; do
	[ "$(recv count "$T/hooks" "/c$i")" = 1 ] || echo "c$i"
done > "$T/twice"
ok "each exactly once" test ! -s "$T/twice"
is "$(find "$SPOOL/notify" -type f | wc -l)" 0 "no hints left"

# a live node's pending notifications stay its own
job live /live
mkdir -p "$SPOOL/notify/c"
: > "$SPOOL/notify/c/live"
touch "$SPOOL/nodes/c" "$SPOOL/nodes/a"
ok "node a drains" xnotify -c "$T/a.conf" -t 20 drain
is "$(recv count "$T/hooks" /live)" 0 "a live node's hint is left alone"
ok "... and stays where it was" test -e "$SPOOL/notify/c/live"

# a lost node's are taken over
touch -d '-1 minute' "$SPOOL/nodes/c"
ok "node a drains again" xnotify -c "$T/a.conf" -t 20 drain
is "$(recv count "$T/hooks" /live)" 1 "a lost node's webhook is sent by another"
ok "... the hint moved and went" test ! -e "$SPOOL/notify/c/live" -a \
    ! -e "$SPOOL/notify/a/live"
ok "... and it is logged" grep -q "node c is gone" "$T/xnotify.err"
job gone /gone
: > "$SPOOL/notify/c/gone"
rm -f "$SPOOL/nodes/c"
ok "a node without a heartbeat" xnotify -c "$T/a.conf" -t 20 drain
is "$(recv count "$T/hooks" /gone)" 1 "... is lost too"
done_testing
