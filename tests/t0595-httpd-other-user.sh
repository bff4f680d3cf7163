#!/bin/sh
# t0595 - [spool] group = 4242 (a number: no /etc/group
# entry needed): xspoold runs as uid 4243 gid 4242, xspool-httpd as uid
# 65534 with the supplementary group 4242 only.  Submit over REST, the
# daemon completes it, status, download, cancel of a queued job; the
# directories are 2770 and the job files, zip and keys file 0640 of that
# group.  Without a group: keys and job files 0600, as before.  The other
# users run copies of the programs and exporters made in $T: the checkout
# may sit where they cannot enter (a clone in /root, under mktemp -d).
. "$(dirname "$0")/lib.sh"

other_users
DUSER="setpriv --reuid=4243 --regid=4242 --clear-groups"
HUSER="setpriv --reuid=65534 --regid=65534 --groups=4242"
# what the other users run, where they can reach it
mkdir -p "$T/inst/bin"
cp "$BIN/xspool" "$BIN/xspoold" "$BIN/xspool-httpd" "$T/inst/bin/"
cp -R "$TOP/etc/exporters" "$T/inst/exporters"
chmod -R a+rX "$T/inst"
PATH=$T/inst/bin:$PATH
EXP=$T/inst/exporters
for u in "$DUSER" "$HUSER"; do
	if ! $u test -x "$T/inst/bin/xspoold" -a -r "$EXP/data/patients.tsv"; then
		echo "1..0 # SKIP $T is out of reach of other users (TMPDIR=${TMPDIR:-})"
		exit 0
	fi
done
cat > "$CONF" <<CONF
[spool]
dir = $SPOOL
node = testnode
group = 4242
max_attempts = 2
retry_base = 200ms
retry_max = 1s
lease = 10s
rescan = 1s
min_free = 1M
sync = no

[http]
listen = 127.0.0.1:0
keys = $T/keys

[notify]
# a relay that is not there: an e-mail is accepted, its mail fails
smtp = smtp://127.0.0.1:9

[type Patients]
command = $EXP/patients
emits = csv
formats = JSON,CSV
CONF
chmod 644 "$CONF"
# the spool's root: the admin gives it to the daemon's user
mkdir "$SPOOL"
chown 4243:4242 "$SPOOL"
chmod 2770 "$SPOOL"

# mode of a file or directory: "octal-mode uid gid"
mode() { stat -c '%a %u %g' "$1"; }

A=$(xspool -c "$CONF" key add erp)
ok "xspool key add (as root)" test -n "$A"
is "$(stat -c '%a %g' "$T/keys")" "640 4242" "the keys file is 0640 of the group"

bg daemon $DUSER xspoold -f -c "$CONF"
ok "xspoold as uid 4243 makes the layout" wait_for 10 test -d "$SPOOL/nodes"
for d in tmp queued failed completed cancelled out bad nodes processing \
    processing/testnode; do
	wait_for 5 test -d "$SPOOL/$d"
	is "$(mode "$SPOOL/$d")" "2770 4243 4242" "$d/ is 2770, group 4242"
done

rm -f "$T/run/port"
bg httpd $HUSER xspool-httpd -f -c "$CONF" -p "$T/run/port"
if ! wait_for 10 test -s "$T/run/port"; then
	echo "Bail out! xspool-httpd (uid 65534) did not start"
	sed 's/^/# /' "$T/httpd.err"
	exit 1
fi
URL=http://127.0.0.1:$(cat "$T/run/port")
P=/api/v1/ExportRequest
S=/api/v1/ExportResult/Status
get() { curl -s -H "X-Api-Key: $A" "$@"; }
state_is() { [ "$(get "$URL$S/$1" | jq -r .status)" = "$2" ]; }

is "$(get "$URL/api/v1/Identity" | jq -r .client)" erp \
    "the shim (uid 65534) reads the keys file through the group"
ID=$(get -X POST -H "X-Export-Password: Grp-Pw-5" \
    "$URL$P/Patients?format=CSV" | jq -r .id)
ok "submit over REST as uid 65534 ($ID)" test -n "$ID" -a "$ID" != null
ok "the daemon (uid 4243) completes it" wait_for 20 state_is "$ID" COMPLETED
is "$(mode "$SPOOL/completed/$ID.job")" "640 4243 4242" \
    "completed/ID.job: 0640, the daemon's, group 4242"
is "$(mode "$SPOOL/out/$ID.zip")" "640 4243 4242" \
    "out/ID.zip: 0640, the daemon's, group 4242"
c=$(get -o "$T/r.zip" -w '%{http_code}' "$URL/api/v1/ExportResult/Download/$ID")
is "$c" 200 "download through the shim: 200"
ok "the zip opens with the password" \
    sh -c "7z x -y -pGrp-Pw-5 -o'$T/x' '$T/r.zip' > /dev/null 2>&1 &&
    test -s '$T/x/Patients.csv'"
is "$(find "$SPOOL" -type f ! -perm 640 ! -path "$SPOOL/nodes/*" \
    ! -path "$SPOOL/notify/*" | wc -l)" 0 \
    "every job file and zip is 0640 (ls -ln below)"
ls -lnR "$SPOOL" | sed 's/^/# /'

stop daemon
ID2=$(get -X POST -H "X-Export-Password: Grp-Pw-6" \
    "$URL$P/Patients?format=JSON&email=ops@example.com" | jq -r .id)
ok "submit with the daemon stopped ($ID2)" test -f "$SPOOL/queued/$ID2.job"
is "$(mode "$SPOOL/queued/$ID2.job")" "640 65534 4242" \
    "queued/ID.job: 0640, the shim's, group 4242"
is "$(get -o /dev/null -w '%{http_code}' -X DELETE "$URL$P/Cancel/$ID2")" 200 \
    "cancel of the queued job: 200"
ok "it is in cancelled/" test -f "$SPOOL/cancelled/$ID2.job"
ok "status says CANCELLED" state_is "$ID2" CANCELLED
ok "the shim left a notification hint in notify/" test -f "$SPOOL/notify/$ID2"
is "$(find "$SPOOL/tmp" -type f | wc -l)" 0 "nothing left in tmp/"
stop httpd

# the daemon reads and rewrites a job file the shim wrote
bg daemon2 $DUSER xspoold -f -c "$CONF"
ID3=$(cd "$T" && $HUSER xspool -c "$CONF" submit Patients)
ok "xspool submit as uid 65534 ($ID3)" test -n "$ID3"
ok "the daemon completes the shim user's job file" \
    wait_for 20 test -f "$SPOOL/completed/$ID3.job"
ok "the daemon takes the shim's notification hint" \
    wait_for 10 test ! -e "$SPOOL/notify/$ID2"
stop daemon2
nok "no warnings about the directories" grep -q "cannot share" \
    "$T/daemon.err" "$T/daemon2.err" "$T/httpd.err"

# without a group: as before
sed -i '/^group = /d; s|^dir = .*|dir = '"$T/plain"'|; s|^keys = .*|keys = '"$T/keys2"'|' \
    "$CONF"
xspool -c "$CONF" key add erp > /dev/null
is "$(stat -c %a "$T/keys2")" 600 "no group: the keys file is 0600"
J=$(xspool -c "$CONF" submit Patients -p pw)
is "$(stat -c %a "$T/plain/queued/$J.job")" 600 "no group: a job file is 0600"
is "$(stat -c %a "$T/plain/queued")" 750 "no group: directories as before (0750)"
nok "no group: no setgid directory" test -g "$T/plain/tmp"
# a group on a spool made without one: left alone, with a warning
echo "group = 4242" > "$T/g"
sed -i "/^\[spool\]/r $T/g" "$CONF"
xspool -c "$CONF" list > /dev/null 2> "$T/warn"
ok "existing directories not of the group: a warning" \
    grep -q "queued: mode 0750 group 0, not 2770 group 4242" "$T/warn"
is "$(stat -c %a "$T/plain/queued")" 750 "and they are left as they were"
done_testing
