#!/bin/sh
# uml-run.sh SCRIPT [ARG...] - run the shell test SCRIPT inside a
# user-mode Linux guest that serves a tmpfs over NFS to itself and mounts
# it three times (see tests/nfs/README); print SCRIPT's TAP and exit with
# its status.  The guest's console goes to console.log in the run
# directory, never to stdout.  Without linux.uml, its modules or the NFS
# server tools, prints "1..0 # SKIP reason".
#
# Environment: UML_TIMEOUT (seconds for the whole guest, default 600),
# UML_MEM (default 512M), UML_KERNEL (default linux.uml on PATH),
# UML_MODULES (default /usr/lib/uml/modules), KEEP=1 keeps the run
# directory.  XSPOOL_BIN, N, M, KEEP, NFS_WAIT and the variables named in
# UML_ENV are passed on to the test.
set -u
[ $# -ge 1 ] || { echo "usage: uml-run.sh SCRIPT [ARG...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$here/../.." && pwd)
script=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
PATH=$PATH:/usr/sbin:/sbin
timeout=${UML_TIMEOUT:-600}
mem=${UML_MEM:-512M}

skip() { echo "1..0 # SKIP $*"; exit 0; }

kernel=${UML_KERNEL:-$(command -v linux.uml)}
[ -n "$kernel" ] && [ -x "$kernel" ] ||
    skip "no user-mode Linux kernel (linux.uml: apt-get install user-mode-linux)"
kver=$("$kernel" --version 2>/dev/null | tail -n 1)
modroot=${UML_MODULES:-/usr/lib/uml/modules}
[ -n "$kver" ] && [ -f "$modroot/$kver/modules.dep" ] ||
    skip "no modules for UML kernel '$kver' in $modroot"
for p in rpcbind rpc.nfsd rpc.mountd rpc.statd exportfs mount.nfs modprobe \
    timeout; do
	command -v $p >/dev/null ||
	    skip "$p missing (nfs-kernel-server, rpcbind, kmod, coreutils)"
done
command -v ip >/dev/null || command -v ifconfig >/dev/null ||
    skip "neither ip nor ifconfig (iproute2)"

run=$(mktemp -d "${TMPDIR:-/tmp}/xspool-uml.XXXXXX") || exit 1
chmod 755 "$run"
printf '%s\n' "$@" > "$run/args"
[ $# -eq 0 ] && : > "$run/args"
cat > "$run/env" <<EOF
OUT='$run'
SCRIPT='$script'
TOP='$TOP'
XSPOOL_BIN='${XSPOOL_BIN:-$TOP/bin}'
GUEST_TIMEOUT=$((timeout - 60 > 60 ? timeout - 60 : timeout))
MODROOT='$modroot'
KVER='$kver'
EOF
# the test's own knobs go along (UML_ENV names more)
for v in N M KEEP NFS_WAIT ${UML_ENV:-}; do
	eval "[ -n \"\${$v+set}\" ]" || continue
	eval "val=\$$v"
	printf "export %s='%s'\n" "$v" \
	    "$(printf '%s' "$val" | sed "s/'/'\\\\''/g")" >> "$run/env"
done

# UML keeps its "physical" memory in a file in TMPDIR: /dev/shm when it
# can be written, else the run directory
memdir=$run
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	memdir=/dev/shm
fi

t0=$(date +%s)
# setsid: UML's helper processes (one host process per guest address
# space) form their own group, so that timeout's signal reaches them all
TMPDIR=$memdir timeout -k 20 "$timeout" setsid "$kernel" mem="$mem" \
    root=/dev/root rootfstype=hostfs rootflags=/ rw \
    init="$here/guest-init.sh" con=null con0=null,fd:1 \
    uml_dir="$run/uml" umid=xspool \
    XSPOOL_NFS_ENV="$run/env" \
    > "$run/console.log" 2>&1 < /dev/null
krc=$?
t1=$(date +%s)

tap=$run/tap
[ -f "$tap" ] && cat "$tap"
status=1
if [ -f "$run/rc" ]; then
	status=$(cat "$run/rc")
	if [ -f "$run/times" ]; then
		echo "# uml: guest booted in $(sed -n 's/^boot //p' "$run/times") s," \
		    "NFS up at $(sed -n 's/^ready //p' "$run/times") s," \
		    "test done at $(sed -n 's/^done //p' "$run/times") s;" \
		    "$((t1 - t0)) s in all"
	fi
	[ "$status" -eq 0 ] || {
		echo "# uml: the test exited $status; its stderr:"
		tail -n 40 "$run/stderr" 2>/dev/null | sed 's/^/#   /'
	}
else
	# no exit status: the guest failed to boot, to set up, or hung
	n=0
	[ -f "$tap" ] && n=$(grep -c -E '^(not )?ok ' "$tap")
	plan=no
	[ -f "$tap" ] && grep -q -E '^1\.\.[0-9]+' "$tap" && plan=yes
	why="the guest did not finish (linux.uml exit $krc after $((t1 - t0)) s"
	[ "$krc" -eq 124 ] && why="$why: timeout ${timeout} s"
	why="$why)"
	[ -f "$run/setup-failed" ] && why="$why; $(cat "$run/setup-failed")"
	if [ $plan = no ]; then
		n=$((n + 1))
		echo "not ok $n - NFS rig: $why"
	else
		echo "# NFS rig: $why"
	fi
	echo "# uml: console log tail ($run/console.log):"
	tail -n 30 "$run/console.log" | sed 's/^/#   /'
	[ -f "$run/stderr" ] && {
		echo "# uml: the test's stderr tail:"
		tail -n 20 "$run/stderr" | sed 's/^/#   /'
	}
	[ $plan = no ] && echo "1..$n"
	status=1
	KEEP=1
fi
if [ "$status" -ne 0 ] || [ -n "${KEEP:-}" ]; then
	echo "# uml: kept $run"
else
	rm -rf "$run"
fi
exit "$status"
