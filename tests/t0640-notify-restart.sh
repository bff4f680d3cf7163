#!/bin/sh
# t0640 - pending notifications survive a crash: the queue (and its
# delivery child) is killed while the receiver is still answering; the
# hint notify/NODE/ID and the job file say what is pending; a restart sends it
# (same webhook-id), and a delivered one is not sent again.
. "$(dirname "$0")/lib.sh"

. "$TOP/tests/helpers/notify.sh"
mkconf <<CONF
webhook_secret = $SECRET
callback_allow = 127.0.0.1
webhook_timeout = 5s
webhook_retry_base = 200ms
CONF
ok "the receiver is listening" receiver
mkdir -p "$SPOOL/completed"
field() { jfield "$SPOOL/completed/$1.job" "$2"; }
printf '{"type": "Ok", "callback": "http://127.0.0.1:%s/slow/1.5", "result": {"success": true}}\n' \
    "$PORT" > "$SPOOL/completed/r1.job"

# the queue in its own process group, killed with its child mid-request
bg q setsid "$BIN/helpers/xnotify" -c "$CONF" -t 30 queue r1
arrived() { [ "$(recv count "$T/hooks")" -ge 1 ]; }
ok "the webhook is on its way" wait_for 5 arrived
kill -KILL -"$(pid_of q)"
sleep 2		# the receiver answers to nobody
ok "after the crash the hint notify/NODE/r1 is there" \
    test -e "$SPOOL/notify/testnode/r1"
is "$(field r1 'j["notify"]["webhook"]["state"]')" pending \
    "... and the job file says pending"
is "$(field r1 'j["result"]["callbackSent"]')" False "... callbackSent false"
id1=$(recv header "$T/hooks" 0 webhook-id)

ok "a restarted queue drains the hints" xnotify -c "$CONF" -t 20 drain
is "$(recv count "$T/hooks")" 2 "the webhook was sent again"
is "$(recv header "$T/hooks" 1 webhook-id)" "$id1" \
    "... with the same webhook-id, so the receiver can tell"
ok "... the signature verifies" \
    recv verify $SECRET "$T/hooks" 1
is "$(field r1 'j["result"]["callbackSent"]')" True "callbackSent true"
ok "the hint is gone" test ! -e "$SPOOL/notify/testnode/r1"

ok "another restart" xnotify -c "$CONF" -t 20 drain
is "$(recv count "$T/hooks")" 2 "a delivered webhook is not sent twice"

# stale hints: all sent already, or the job is gone
printf '{"type": "Ok", "callback": "http://127.0.0.1:%s/ok", "notify": {"webhook": {"state": "sent", "id": "msg_1", "tries": 1}}}\n' \
    "$PORT" > "$SPOOL/completed/r2.job"
: > "$SPOOL/notify/r2"
: > "$SPOOL/notify/gone"
# prepared for COMPLETED, but the move to completed/ never happened
mkdir -p "$SPOOL/failed"
printf '{"type": "Ok", "callback": "http://127.0.0.1:%s/early", "result": {"success": true}, "notify": {"webhook": {"state": "pending", "id": "msg_2", "tries": 0}}}\n' \
    "$PORT" > "$SPOOL/failed/r3.job"
: > "$SPOOL/notify/r3"
ok "a restart with stale hints" xnotify -c "$CONF" -t 20 drain
ok "a hint whose notifications were sent is removed" test ! -e "$SPOOL/notify/r2"
ok "a hint whose job is gone is removed" test ! -e "$SPOOL/notify/gone"
ok "a hint for a COMPLETED that was not reached is removed" \
    test ! -e "$SPOOL/notify/r3"
is "$(recv count "$T/hooks")" 2 "... and nothing is sent for them"
is "$(find "$SPOOL/notify" -type f | wc -l)" 0 "no hint left anywhere"

done_testing
