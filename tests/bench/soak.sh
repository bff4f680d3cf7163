#!/bin/sh
# soak.sh - issue 11's soak (make soak): SOAK_JOBS jobs (default 5,000)
# submitted with the CLI while xspoold is killed with -9 at random
# intervals (and restarted) and random busy workers are killed with -9,
# until every job has ended.  Then it counts what must be zero: jobs lost
# (a submitted id in no state), in two states, run more often than their
# attempts (the exporter's log against each job file's attempts),
# finished exports thrown away (a whole zip removed from or replaced in
# out/, seen by an inotify watcher; a zip whose job did not complete),
# completed jobs without a zip, zips that fail `7z t`, and `xspool check`.
# Prints a Markdown section on stdout (progress on stderr); exits 1 when
# any of those is not zero.
#
# SOAK_JOBS (5000), SOAK_WORKERS (4), SOAK_SLEEP (an exporter run's sleep,
# 0.1 s), SOAK_DKILL / SOAK_WKILL ("MIN MAX" seconds between kills of the
# daemon, 3 10, and of a worker, 1 4), SOAK_MAX (give up after, 3600 s).
. "$(dirname "$0")/lib.sh"

N=${SOAK_JOBS:-5000}
WORKERS=${SOAK_WORKERS:-4}
SLEEP=${SOAK_SLEEP:-0.1}
DKILL=${SOAK_DKILL:-3 10}
WKILL=${SOAK_WKILL:-1 4}
MAXS=${SOAK_MAX:-3600}
EXP=$TOP/tests/exporters
S=$DISK/spool
C=$DISK/soak.conf
RUNLOG=$DISK/runs.log		# the exporter's "start ID MS" / "end ID MS"
OUTLOG=$DISK/out.log		# the watcher's "MS EVENT NAME" for out/
IDS=$DISK/ids

cat > "$C" <<CONF
[spool]
dir = $S
node = soak
workers = $WORKERS
max_attempts = 100
retry_base = 100ms
retry_max = 1s
lease = 10s
rescan = 2s
retention = 7d
min_free = 1M

[type Soak]
command = $EXP/slow xspool-soak-$$
emits = csv
formats = CSV,JSON
CONF

ms() { echo $(($(date +%s%N) / 1000000)); }
# rnd MIN MAX : a random number of milliseconds between MIN and MAX seconds
rnd() {
	awk -v a="$1" -v b="$2" -v r="$(od -An -N4 -tu4 /dev/urandom)" \
	    'BEGIN { printf "%d\n", (a + (b - a) * (r / 4294967296)) * 1000 }'
}
count() { find "$S/$1" -name '*.job' 2>/dev/null | wc -l; }

# start_watcher: every name created in, moved into, moved out of or removed
# from out/, with the time (Python's ctypes over inotify(7))
start_watcher() {
/usr/bin/python3 - "$S/out" "$OUTLOG" <<'PY' &
import ctypes, os, struct, sys, time
libc = ctypes.CDLL("libc.so.6", use_errno=True)
fd = libc.inotify_init()
MASK = {0x100: "create", 0x80: "moved_to", 0x40: "moved_from",
        0x200: "delete", 0x4000: "overflow"}
wd = libc.inotify_add_watch(fd, sys.argv[1].encode(), sum(MASK))
if fd < 0 or wd < 0:
    sys.exit("inotify: %s" % os.strerror(ctypes.get_errno()))
out = os.open(sys.argv[2], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
os.write(out, b"ready\n")
while True:
    buf = os.read(fd, 1 << 16)
    now = int(time.time() * 1000)
    lines, i = [], 0
    while i < len(buf):
        _, mask, _, n = struct.unpack_from("iIII", buf, i)
        name = buf[i + 16:i + 16 + n].rstrip(b"\0").decode()
        i += 16 + n
        for bit, what in MASK.items():
            if mask & bit:
                lines.append("%d %s %s\n" % (now, what, name or "-"))
    os.write(out, "".join(lines).encode())
PY
	WATCH=$!
	BASE_PIDS="$BASE_PIDS $WATCH"
	_pids="$_pids $WATCH"
	while ! grep -q ready "$OUTLOG" 2>/dev/null; do sleep 0.05; done
}

# the daemon, restarted after each kill; DPID its pid, starts counted
starts=0
BASE_PIDS=
start_daemon() {
	starts=$((starts + 1))
	: > "$DISK/d.$starts.log"
	"$BIN/xspoold" -f -c "$C" 2>"$DISK/d.$starts.log" &
	DPID=$!
	# only live processes of ours in the list lib.sh kills at exit: a
	# reaped PID may belong to someone else by then
	_pids="$BASE_PIDS $DPID"
	_i=0
	while ! grep -q 'started: node' "$DISK/d.$starts.log"; do
		if ! kill -0 $DPID 2>/dev/null; then
			say "xspoold did not start:"; cat "$DISK/d.$starts.log" >&2
			return 1
		fi
		_i=$((_i + 1))
		[ $_i -gt 1200 ] && { say "xspoold took over 60 s to start"; return 1; }
		sleep 0.05
	done
}

# the submitter: N jobs through the CLI, in the background
submitter() {
	_i=0
	while [ $_i -lt "$N" ]; do
		if _id=$("$BIN/xspool" -c "$C" submit Soak -f CSV \
		    -P sleep="$SLEEP" -P log="$RUNLOG" 2>>"$DISK/submit.err"); then
			echo "$_id" >> "$IDS"
		else
			echo x >> "$DISK/submit.failed"
		fi
		_i=$((_i + 1))
	done
	echo done > "$DISK/submit.done"
}

say "soak: $N jobs, $WORKERS workers, spool $S"
load0=$(uptime | sed 's/.*load average: //')
date0=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
t0=$(ms)
: > "$IDS"
start_daemon || exit 1		# it makes the spool's layout
start_watcher
submitter &
SUB=$!
BASE_PIDS="$BASE_PIDS $SUB"
_pids="$_pids $SUB"
dkills=0; wkills=0; dexits=0
next_d=$(($(ms) + $(rnd $DKILL)))
next_w=$(($(ms) + $(rnd $WKILL)))
finished=0
tick=0
while :; do
	sleep 0.2
	now=$(ms)
	tick=$((tick + 1))
	if [ $((tick % 5)) -eq 0 ] && [ -e "$DISK/submit.done" ] &&
	    [ $(($(count completed) + $(count cancelled))) -ge "$(wc -l < "$IDS")" ] &&
	    [ "$(count queued)" -eq 0 ] && [ "$(count processing)" -eq 0 ] &&
	    [ "$(count failed)" -eq 0 ]; then
		finished=1
		break
	fi
	[ $(((now - t0) / 1000)) -ge "$MAXS" ] && { say "soak: gave up after $MAXS s"; break; }
	if ! kill -0 $DPID 2>/dev/null; then
		# it exited without our kill: a finding; go on
		wait $DPID; say "soak: xspoold exited by itself ($?), log d.$starts.log"
		dexits=$((dexits + 1))
		start_daemon || break
		continue
	fi
	if [ "$now" -ge "$next_w" ]; then
		# a worker (a child of the daemon) that runs an exporter
		busy=
		for w in $(pgrep -P $DPID); do
			pgrep -P "$w" >/dev/null && busy="$busy $w"
		done
		if [ -n "$busy" ]; then
			set -- $busy
			shift $(($(od -An -N2 -tu2 /dev/urandom) % $#))
			kill -KILL "$1" 2>/dev/null && wkills=$((wkills + 1))
		fi
		next_w=$((now + $(rnd $WKILL)))
	fi
	if [ "$now" -ge "$next_d" ]; then
		kill -KILL $DPID 2>/dev/null && dkills=$((dkills + 1))
		wait $DPID 2>/dev/null
		start_daemon || break
		next_d=$(($(ms) + $(rnd $DKILL)))
		say "soak: $(($(ms) / 1000 - t0 / 1000)) s: $(wc -l < "$IDS") submitted, $(count completed) completed, $dkills daemon kills, $wkills worker kills"
	fi
done
t1=$(ms)
kill -TERM $DPID 2>/dev/null; wait $DPID 2>/dev/null
wait $SUB 2>/dev/null
sleep 0.5		# the watcher sees the last events
kill $WATCH 2>/dev/null; wait $WATCH 2>/dev/null
_pids=		# all reaped

# the counts, from the spool, the exporter's log and the watcher's
/usr/bin/python3 - "$S" "$IDS" "$RUNLOG" "$OUTLOG" "$DISK" > "$DISK/counts" <<'PY'
import collections, glob, json, os, sys
S, ids_f, runlog, outlog, disk = sys.argv[1:]
ids = [l.strip() for l in open(ids_f) if l.strip()]
where = collections.defaultdict(list)
for st in ("queued", "failed", "completed", "cancelled"):
    for f in os.listdir(os.path.join(S, st)):
        if f.endswith(".job"):
            where[f[:-4]].append(os.path.join(S, st, f))
for f in glob.glob(os.path.join(S, "processing", "*", "*.job")):
    where[os.path.basename(f)[:-4]].append(f)
runs = collections.Counter()
for l in open(runlog) if os.path.exists(runlog) else []:
    p = l.split()
    if len(p) >= 2 and p[0] == "start":
        runs[p[1]] += 1
# what the daemon handed back on shutdown is documented not to count
idset, shut = set(ids), set()
for f in glob.glob(os.path.join(disk, "d.*.log")):
    for l in open(f, errors="replace"):
        if "interrupted by shutdown" in l:
            shut |= idset & set(l.split())
lost = two = over = over_doc = cancelled = nozip = 0
notes = []
zips = set(z[:-4] for z in os.listdir(os.path.join(S, "out")) if z.endswith(".zip"))
for i in ids:
    w = where.get(i, [])
    if not w:
        lost += 1; notes.append("lost %s" % i); continue
    if len(w) > 1:
        two += 1; notes.append("two states %s: %s" % (i, w))
    j = json.load(open(w[0]))
    if runs[i] > j.get("attempts", 0):
        if i in shut:
            over_doc += 1
        else:
            over += 1
        notes.append("%s ran %d times, attempts %d" % (i, runs[i], j.get("attempts", 0)))
    if "/cancelled/" in w[0]:
        cancelled += 1; notes.append("cancelled %s: %s" % (i, j.get("result", {}).get("errors")))
    if "/completed/" in w[0] and i not in zips:
        nozip += 1; notes.append("completed without zip %s" % i)
# out/: each name put once, never removed or replaced; every zip's job
# completed
put = collections.Counter(); gone = collections.Counter(); overflow = 0
for l in open(outlog):
    p = l.split()
    if len(p) != 3:
        continue
    if p[1] == "overflow":
        overflow += 1
    elif p[2].endswith(".zip") and p[1] in ("create", "moved_to"):
        put[p[2][:-4]] += 1
    elif p[2].endswith(".zip") and p[1] in ("delete", "moved_from"):
        gone[p[2][:-4]] += 1
thrown = 0
for i in set(put) | set(gone):
    # a zip removed, or put again over (or after) an earlier one
    n = gone[i] + max(0, put[i] - 1 - gone[i])
    if n:
        thrown += n; notes.append("out/%s.zip removed %d, put %d times" % (i, gone[i], put[i]))
completed = set(k for k, v in where.items() if any("/completed/" in x for x in v))
orphans = sorted(zips - completed)
for z in orphans:
    notes.append("orphan out/%s.zip" % z)
print("submitted=%d" % len(ids))
print("lost=%d" % lost)
print("two=%d" % two)
print("over=%d" % over)
print("over_doc=%d" % over_doc)
print("thrown=%d" % (thrown + len(orphans)))
print("nozip=%d" % nozip)
print("cancelled=%d" % cancelled)
print("overflow=%d" % overflow)
print("puts=%d" % sum(put.values()))
print("runs=%d" % sum(runs[i] for i in ids))
print("completed=%d" % len(completed & set(ids)))
with open(os.path.join(disk, "notes"), "w") as f:
    f.write("\n".join(notes) + ("\n" if notes else ""))
PY
. "$DISK/counts"
badzip=0
for z in "$S"/out/*.zip; do
	[ -e "$z" ] || continue
	7z t -pnone "$z" </dev/null >/dev/null 2>&1 || { badzip=$((badzip + 1)); echo "7z t fails: $z" >> "$DISK/notes"; }
done
"$BIN/xspool" -c "$C" check > "$DISK/check.out" 2>&1
check=$?
subfail=$(cat "$DISK/submit.failed" 2>/dev/null | wc -l)
dur=$(((t1 - t0) / 1000))
if [ -s "$DISK/notes" ]; then
	say "soak: findings:"; head -n 50 "$DISK/notes" >&2
fi
[ "$check" -ne 0 ] && { say "xspool check:"; head -n 20 "$DISK/check.out" >&2; }

echo "### Soak: $N jobs, kill -9 of the daemon and of workers"
echo
echo "- started: $date0; kernel: $(uname -r); $(nproc) CPUs; load at start: $load0"
echo "- commit: $commit (at the start; the programs were copied then)"
echo "- command: \`SOAK_JOBS=$N make soak\` ($WORKERS workers, an exporter run sleeps $SLEEP s, a daemon kill every $(echo $DKILL | tr ' ' -) s and a worker kill every $(echo $WKILL | tr ' ' -) s, at random; spool on $(df -P "$S" | awk 'NR==2 {print $1}'), sync = yes)"
echo "- duration: $dur s; every job ended: $([ $finished = 1 ] && echo yes || echo NO)"
echo "- kills: $dkills of the daemon, $wkills of busy workers ($starts daemon starts; $dexits exits without a kill)"
echo "- exporter runs: $runs for $submitted jobs; $completed completed, $cancelled cancelled; zips put into out/: $puts; submissions refused: $subfail"
echo
echo "| what | count |"
echo "|---|---:|"
echo "| jobs lost (a submitted id in no state) | $lost |"
echo "| jobs in two states | $two |"
echo "| jobs run more often than their attempts | $over |"
echo "| ... of which handed back by a shutdown (documented) | $over_doc |"
echo "| finished exports thrown away (zip removed or replaced in out/, orphan zips) | $thrown |"
echo "| completed jobs without a zip | $nozip |"
echo "| zips that fail \`7z t\` | $badzip |"
echo "| \`xspool check\` exit status | $check |"
echo "| inotify overflows of the out/ watcher (its counts incomplete) | $overflow |"
[ $finished = 1 ] && [ "$lost" -eq 0 ] && [ "$two" -eq 0 ] && [ "$over" -eq 0 ] &&
    [ "$thrown" -eq 0 ] && [ "$nozip" -eq 0 ] && [ "$badzip" -eq 0 ] &&
    [ "$check" -eq 0 ] && [ "$overflow" -eq 0 ] && [ "$dexits" -eq 0 ]
