#!/bin/sh
# t0800 - the NFS rig (tests/nfs/README) shows what a spool on NFS meets:
# three mounts of one export see each other's files; renameat2 flags give
# EINVAL; link(2) to an existing name gives EEXIST; inotify does not see
# another client's changes.  Then one xspoold on mount A completes a job
# submitted with the CLI through mount B.
. "$(dirname "$0")/nfs/guest-lib.sh"

F=$BIN/helpers/xfsops
d=rig
mounts=$T/mounts
grep -E " ($NFS_A|$NFS_B|$NFS_C) " /proc/mounts > "$mounts"
ok "A is NFSv3, hard, nosharecache" \
    grep -Eq " $NFS_A nfs .*vers=3,.*hard,nosharecache" "$mounts"
ok "B is NFSv4.2, actimeo=1" \
    grep -Eq " $NFS_B nfs4 .*vers=4.2,.*acregmax=1,.*acdirmax=1" "$mounts"
ok "C is NFSv3, actimeo=1" \
    grep -Eq " $NFS_C nfs .*vers=3,.*acdirmax=1" "$mounts"

mkdir "$NFS_A/$d"
echo hello > "$NFS_A/$d/f"
is "$(cat "$NFS_B/$d/f")" hello "a file written through A is read through B"
is "$(cat "$NFS_C/$d/f")" hello "and through C"
is "$(cat "$NFS_EXPORT/$d/f")" hello "and is on the server"

echo other > "$NFS_B/$d/g"
is "$($F noreplace "$NFS_A/$d/f" "$NFS_A/$d/g")" EINVAL \
    "renameat2(RENAME_NOREPLACE) over a file made through B, on NFSv3: EINVAL"
is "$($F noreplace "$NFS_B/$d/f" "$NFS_B/$d/new")" EINVAL \
    "renameat2(RENAME_NOREPLACE) to a new name on NFSv4.2: EINVAL"
# g was made through B, so B's dentry cache knows it: the VFS refuses
# before NFS is asked (and a stale cache entry would do the same)
is "$($F noreplace "$NFS_B/$d/f" "$NFS_B/$d/g")" EEXIST \
    "to a name the client has cached: EEXIST from the VFS"
is "$($F exchange "$NFS_A/$d/f" "$NFS_A/$d/g")" EINVAL \
    "renameat2(RENAME_EXCHANGE) on NFS: EINVAL"
is "$(cat "$NFS_EXPORT/$d/f") $(cat "$NFS_EXPORT/$d/g")" "hello other" \
    "and neither file moved"
is "$($F link "$NFS_A/$d/f" "$NFS_A/$d/g")" EEXIST \
    "link(2) to an existing name on NFSv3: EEXIST"
is "$($F link "$NFS_B/$d/f" "$NFS_B/$d/g")" EEXIST \
    "link(2) to an existing name on NFSv4.2: EEXIST"
is "$(cat "$NFS_EXPORT/$d/g")" other "the existing name is untouched"
is "$($F link "$NFS_C/$d/f" "$NFS_C/$d/h")" ok "link(2) to a new name works"
rm "$NFS_C/$d/f"
is "$(cat "$NFS_A/$d/h")" hello "and the link outlives the unlink of the old name"

# inotify watches A's directory; a file made through B comes first, then
# one made through A: the first event the watcher reports is A's own
mkdir "$NFS_A/$d/w"
$F inotify "$NFS_A/$d/w" "$T/ready" > "$T/inotify.out" &
wpid=$!
ok "inotify watch on A is in place" nfs_wait 60 test -e "$T/ready"
echo remote > "$NFS_B/$d/w/from-b"
ok "the file made through B is on the server" test -e "$NFS_EXPORT/$d/w/from-b"
ok "and A can look it up" test -e "$NFS_A/$d/w/from-b"
echo local > "$NFS_A/$d/w/from-a"
wait $wpid
is "$(cat "$T/inotify.out")" from-a \
    "inotify on A saw nothing of B's file, only A's own"

# the daemon on A, the CLI on B
nfs_conf n1 "$NFS_A" rescan=1s < /dev/null
nfs_conf cli "$NFS_B" < /dev/null
ok "xspoold starts on A" nfs_daemon n1
id=$(X cli submit Ok -f CSV)
ok "xspool submit through B gives an id" test -n "$id"
completed() { X cli status "$id" | grep -Eq '^state: +COMPLETED'; }
ok "the job completes (status through B)" nfs_wait completed
ok "its zip tests OK (7z t through B)" \
    sh -c "7z t '$NFS_B/spool/out/$id.zip' > '$T/7z.log' 2>&1"
ok "the entry is Ok.csv" \
    sh -c "7z l '$NFS_B/spool/out/$id.zip' | grep -q ' Ok.csv\$'"
is "$(field "$id" 'j["node"]')" n1 "node n1 ran it"
is "$(where "$id")" completed "the server has it in completed/ only"
ok "xspool check through B is clean" sh -c "xspool -c '$T/cli.conf' check > '$T/check.log' 2>&1"
ok "xspoold on A stops cleanly" stop n1
done_testing
