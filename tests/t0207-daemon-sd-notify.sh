#!/bin/sh
# t0207 - systemd's notify protocol without libsystemd: with
# $NOTIFY_SOCKET set (a path, or '@' for an abstract socket) xspoold sends
# READY=1 once its spool is made, xspool-httpd once it listens (its port
# file written); SIGHUP brings RELOADING=1 (with MONOTONIC_USEC) then
# READY=1; SIGTERM STOPPING=1.  Exporters do not inherit NOTIFY_SOCKET.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# the receiver: one line per datagram (newlines as '|'), and whether the
# spool and the port file were there when READY=1 came
cat > "$T/recv.py" <<'PY'
import os, socket, sys
addr, log, spool, port = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(addr.replace("@", "\0", 1) if addr.startswith("@") else addr)
with open(log + ".tmp", "w"):
    pass
os.rename(log + ".tmp", log)
while True:
    m = s.recv(4096).decode()
    extra = ""
    if "READY=1" in m:
        extra = " spool=%s port=%s" % (
            "yes" if os.path.isdir(os.path.join(spool, "queued")) else "no",
            "yes" if os.path.exists(port) and os.path.getsize(port) else "no")
    with open(log, "a") as f:
        f.write(m.replace("\n", "|") + extra + "\n")
PY
mkdir -p "$T/exp"
printf '#!/bin/sh\nenv > "%s/env.txt"\nprintf "a\\n1\\n"\n' "$T" > "$T/exp/envdump"
chmod 755 "$T/exp/envdump"
mkconf <<CONF
[type Env]
command = $T/exp/envdump
CONF

# receiver NAME ADDR : start one, wait until it is bound
receiver() {
	bg "$1" "$PY" "$T/recv.py" "$2" "$T/$1.log" "$SPOOL" "$T/port"
	wait_for 10 test -e "$T/$1.log"
}
has() { grep -qF -- "$2" "$T/$1.log"; }
# readies NAME N : N READY=1 lines have come (counted anew at each poll)
readies() { [ "$(grep -c '^READY=1' "$T/$1.log")" = "$2" ]; }

receiver rd "$T/notify.sock"
NOTIFY_SOCKET=$T/notify.sock bg d xspoold -f -c "$CONF"
ok "xspoold: READY=1 arrives" wait_for 10 has rd "READY=1"
is "$(head -n 1 "$T/rd.log")" "READY=1 spool=yes port=no" \
    "...first, once the spool is made"
kill -HUP "$(pid_of d)"
ok "SIGHUP: RELOADING=1 with MONOTONIC_USEC" \
    wait_for 10 grep -Eq '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$' "$T/rd.log"
ok "...then READY=1 again" wait_for 10 readies rd 2
J=$(xspool -c "$CONF" submit Env)
ok "an exporter ran ($J)" wait_for 20 test -s "$T/env.txt"
nok "...without NOTIFY_SOCKET in its environment" grep -q NOTIFY_SOCKET \
    "$T/env.txt"
ok "...with the rest of it" grep -q '^PATH=' "$T/env.txt"
stop d
ok "SIGTERM: STOPPING=1" wait_for 5 has rd "STOPPING=1"
diag "xspoold sent: $(tr '\n' ' ' < "$T/rd.log")"

ABS=@xspool-test-$$-$(basename "$T")
receiver rh "$ABS"
NOTIFY_SOCKET=$ABS bg h xspool-httpd -f -c "$CONF" -p "$T/port"
ok "xspool-httpd (abstract socket): READY=1 arrives" wait_for 10 has rh "READY=1"
is "$(head -n 1 "$T/rh.log")" "READY=1 spool=yes port=yes" \
    "...first, once it listens (port file written)"
kill -HUP "$(pid_of h)"
ok "SIGHUP: RELOADING=1, then READY=1" \
    wait_for 10 readies rh 2
has rh "RELOADING=1|MONOTONIC_USEC="
is "$?" 0 "...RELOADING=1 came with MONOTONIC_USEC"
stop h
ok "SIGTERM: STOPPING=1" wait_for 5 has rh "STOPPING=1"
diag "xspool-httpd sent: $(tr '\n' ' ' < "$T/rh.log")"

# no socket, or one nobody listens on: the daemons run on
bg n xspool-httpd -f -c "$CONF" -p "$T/port2"
ok "no NOTIFY_SOCKET: xspool-httpd starts" wait_for 10 test -s "$T/port2"
stop n
NOTIFY_SOCKET=$T/nobody.sock bg m xspoold -f -c "$CONF"
ok "a NOTIFY_SOCKET nobody listens on: xspoold starts" \
    wait_for 10 grep -q "started" "$T/m.err"
ok "...and says so" grep -q "NOTIFY_SOCKET" "$T/m.err"
stop m
is "$?" 0 "...and stops cleanly"
done_testing
