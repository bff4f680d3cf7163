#!/bin/sh
# guest-init.sh - PID 1 of the user-mode Linux guest that uml-run.sh boots.
# The root file system is the host's / (hostfs), so every write here must
# go to the guest's own tmpfs mounts or to the run directory $OUT.  Sets
# up an NFS server exporting a tmpfs, mounts it several times, runs the
# test script, writes its exit status to $OUT/rc and powers off.
# Its output is the UML console (uml-run.sh keeps it in $OUT/console.log).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
umask 022

# the variables uml-run.sh wrote: OUT SCRIPT TOP XSPOOL_BIN GUEST_TIMEOUT
# MODROOT KVER and the test's own (N, M ...); $OUT/args holds the
# script's arguments, one a line
. "$XSPOOL_NFS_ENV" || exit 1

X=/run/xs			# the guest's own scratch tree (tmpfs)
EXPORT=$X/export		# the exported tmpfs
MNT=/mnt			# a guest tmpfs holding the mount points

step() { echo "xspool-guest: [$(cut -d" " -f1 /proc/uptime 2>/dev/null)] $*"; }
die() {
	step "FAILED: $*"
	echo "guest setup failed: $*" > "$OUT/setup-failed"
	halt_now
}
halt_now() {
	sync
	echo o > /proc/sysrq-trigger
	sleep 5
	poweroff -ff
	exit 1
}

mount -t proc proc /proc || exit 1
t_boot=$(cut -d' ' -f1 /proc/uptime)
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/shm /dev/pts 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run || die "tmpfs on /run"
mkdir -p $X/keep $X/mods/lib/modules $EXPORT /run/rpcbind /run/lock \
    /run/rpc_pipefs /run/sendsigs.omit.d
step "booted in ${t_boot}s"
# dirty pages of hostfs files ($OUT/tap) reach the host within a second
echo 100 > /proc/sys/vm/dirty_expire_centisecs
echo 100 > /proc/sys/vm/dirty_writeback_centisecs

# The guest's /tmp is a tmpfs; $OUT, $TOP and the script's directory stay
# reachable under their host paths even when they are below /tmp.
keep="$OUT
$TOP
${SCRIPT%/*}"
IFS_=$IFS
IFS='
'
i=0
for d in $keep; do
	case $d in /tmp/*)
		i=$((i + 1))
		mkdir -p $X/keep/$i && mount --bind "$d" $X/keep/$i ;;
	esac
done
mount -t tmpfs -o mode=1777 tmpfs /tmp || die "tmpfs on /tmp"
i=0
for d in $keep; do
	case $d in /tmp/*)
		i=$((i + 1))
		mkdir -p "$d" && mount --bind $X/keep/$i "$d" ;;
	esac
done
IFS=$IFS_
mount -t tmpfs -o mode=755 tmpfs /var/lib/nfs || die "tmpfs on /var/lib/nfs"
mkdir -p /var/lib/nfs/sm /var/lib/nfs/sm.bak /var/lib/nfs/v4recovery \
    /var/lib/nfs/nfsdcld /var/lib/nfs/rpc_pipefs
: > /var/lib/nfs/etab
: > /var/lib/nfs/rmtab
mount -t tmpfs -o mode=755 tmpfs $MNT || die "tmpfs on $MNT"
mkdir -p $MNT/a $MNT/b $MNT/c $MNT/d

hostname xspool-uml
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up || die "lo up"

# kernel modules: modprobe -d ROOT looks in ROOT/lib/modules/VERSION
step "modules"
mount --bind "$MODROOT" $X/mods/lib/modules || die "bind $MODROOT"
for m in nfsd nfsv3 nfsv4; do
	modprobe -d $X/mods $m || die "modprobe $m"
done
step "nfsd file system"
mount -t nfsd nfsd /proc/fs/nfsd || die "mount nfsd"
mount -t rpc_pipefs rpc_pipefs /run/rpc_pipefs 2>/dev/null

# the export: a tmpfs, NFSv3 by path and the NFSv4 pseudo-root (fsid=0)
mount -t tmpfs -o size=256m,mode=1777 tmpfs $EXPORT || die "tmpfs export"
# /etc/exports is the host's: the guest sees its own, empty one
if [ -f /etc/exports ]; then
	: > $X/exports
	mount --bind $X/exports /etc/exports
fi
step "rpcbind"
rpcbind -w || die "rpcbind"
step "rpc.statd"
rpc.statd --no-notify || die "rpc.statd"
step "nfsdcld"
nfsdcld 2>/dev/null || step "no nfsdcld (NFSv4 reclaim after restart may fail)"
step "exportfs"
exportfs -o rw,sync,no_subtree_check,no_root_squash,insecure,fsid=0 \
    127.0.0.1:$EXPORT || die "exportfs"
step "rpc.mountd"
rpc.mountd || die "rpc.mountd"
# the shortest NFSv4 grace and lease, so that a server restart stalls
# clients for seconds, not 90 s
step "rpc.nfsd"
rpc.nfsd -G 10 -L 10 8 || die "rpc.nfsd"

srv=127.0.0.1
step "mounts"
mount -t nfs -o vers=3,nosharecache,hard $srv:$EXPORT $MNT/a ||
    die "mount $MNT/a"
mount -t nfs -o vers=4.2,nosharecache,hard,actimeo=1 $srv:/ $MNT/b ||
    die "mount $MNT/b"
mount -t nfs -o vers=3,nosharecache,hard,actimeo=1 $srv:$EXPORT $MNT/c ||
    die "mount $MNT/c"
# d: a client with no node on it (default caching, NFSv4.1)
mount -t nfs -o vers=4.1,nosharecache,hard $srv:/ $MNT/d ||
    die "mount $MNT/d"
grep " $MNT/" /proc/mounts
t_ready=$(cut -d' ' -f1 /proc/uptime)
step "NFS ready at ${t_ready}s"

# the test, as a client would run it
set --
while IFS= read -r a; do
	set -- "$@" "$a"
done < "$OUT/args"
export NFS_A=$MNT/a NFS_B=$MNT/b NFS_C=$MNT/c NFS_D=$MNT/d NFS_EXPORT=$EXPORT
export XSPOOL_NFS_GUEST=1 XSPOOL_BIN TMPDIR=/tmp HOME=/tmp
export XSPOOL_NFS_OUT="$OUT"
cd "$TOP" || die "cd $TOP"
timeout -k 10 "$GUEST_TIMEOUT" sh "$SCRIPT" "$@" > "$OUT/tap" 2> "$OUT/stderr" \
    < /dev/null
rc=$?
t_done=$(cut -d' ' -f1 /proc/uptime)
step "test exited $rc at ${t_done}s"
printf 'boot %s\nready %s\ndone %s\n' "$t_boot" "$t_ready" "$t_done" \
    > "$OUT/times"

# stop what the test left, unmount, stop the server, power off
for m in $MNT/a $MNT/b $MNT/c $MNT/d; do
	fuser -k -m $m > /dev/null 2>&1
done
sleep 0.2
for m in $MNT/a $MNT/b $MNT/c $MNT/d; do
	umount -f $m 2>/dev/null || umount -l $m
done
rpc.nfsd 0
echo "$rc" > "$OUT/rc"
step "halting"
halt_now
