# guest-lib.sh - for the NFS tests (t08xx): the first line of such a test
#
#	. "$(dirname "$0")/nfs/guest-lib.sh"
#
# on the host boots the rig (tests/nfs/uml-run.sh runs the same script in
# the guest and prints its TAP); in the guest it sources lib.sh and
# daemon-lib.sh and adds the helpers below.  NFS_A, NFS_B, NFS_C and NFS_D
# are four mounts of the one export (see tests/nfs/README); NFS_EXPORT is the
# exported directory itself, the server's own view (the truth, free of
# client caches).  SPOOL is the server's view of the spool every
# nfs_conf config shares, so lib.sh's and daemon-lib.sh's counting helpers
# (jobs, where, total, field) answer from the server.

if [ -z "${XSPOOL_NFS_GUEST:-}" ]; then
	case ${XSPOOL_BIN:-} in
	*/asan)
		# the rig boots a kernel per test: run against bin/ only
		echo "1..0 # SKIP NFS rig tests run against bin/, not bin/asan"
		exit 0 ;;
	esac
	exec sh "$(dirname "$0")/nfs/uml-run.sh" "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
. "$TOP/tests/daemon-lib.sh"

SPOOL=$NFS_EXPORT/spool
NFS_WAIT=${NFS_WAIT:-300}	# the bound for every wait, in seconds

# nfs_wait [SECONDS] COMMAND... : poll COMMAND every 0.2 s until it
# succeeds (0) or SECONDS (default NFS_WAIT) have passed (1).  Only a
# bound for a hang, never a timing assertion.
nfs_wait() {
	case $1 in
	[0-9]*) _nw_t=$1; shift ;;
	*) _nw_t=$NFS_WAIT ;;
	esac
	_nw_end=$(($(date +%s) + _nw_t))
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s)" -ge "$_nw_end" ] && return 1
		sleep 0.2
	done
	return 0
}

# nfs_conf NAME MOUNT [KEY=VALUE...] : $T/NAME.conf, a config whose spool
# is MOUNT/spool, node NAME, the test type Ok (tests/exporters/ok) and
# the types on stdin; KEY=VALUE pairs go into [spool] (workers, lease,
# rescan ...).  Give it </dev/null when there are no more types.
nfs_conf() {
	_nc_name=$1 _nc_mnt=$2
	shift 2
	_nc_conf=$CONF _nc_spool=$SPOOL
	CONF=$T/$_nc_name.conf
	SPOOL=$_nc_mnt/spool
	types node="$_nc_name" "$@"
	CONF=$_nc_conf
	SPOOL=$_nc_spool
}

# nfs_daemon NAME [ARGS...] : start xspoold -f on $T/NAME.conf in the
# background (output in $T/NAME.out and .err); wait for its "started" line
nfs_daemon() {
	_nd=$1
	shift
	bg "$_nd" xspoold -f -c "$T/$_nd.conf" "$@"
	nfs_wait 120 grep -q 'started: node' "$T/$_nd.err"
}

# X NAME ARGS... : the CLI on $T/NAME.conf
X() {
	_xn=$1
	shift
	xspool -c "$T/$_xn.conf" "$@"
}

# nfs_tree PID : PID and all its descendants (a node's daemon, workers,
# exporters and theirs), one line
nfs_tree() {
	_nt_new=$1 _nt_all=$1
	while [ -n "$_nt_new" ]; do
		_nt_new=$(ps -e -o pid=,ppid= | awk -v l=" $_nt_new " \
		    'index(l, " " $2 " ") { printf "%s ", $1 }')
		_nt_all="$_nt_all $_nt_new"
	done
	echo $_nt_all
}

# nfs_freeze NAME : SIGSTOP node NAME's whole process tree, top down (the
# daemon first, then each generation as it is found, until none is new:
# a stopped process forks no more); prints the PIDs, for kill -CONT or
# -KILL.  A machine that hangs, or one lost.
nfs_freeze() {
	_nf_all=$(pid_of "$1")
	_nf_new=$_nf_all
	while [ -n "$_nf_new" ]; do
		kill -STOP $_nf_new 2>/dev/null
		_nf_new=$(ps -e -o pid=,ppid= | awk -v l=" $_nf_all " \
		    'index(l, " " $2 " ") && !index(l, " " $1 " ") {
			printf "%s ", $1 }')
		_nf_all="$_nf_all $_nf_new"
	done
	echo $_nf_all
}

# nfs_restart : restart the NFS server (all nfsd threads stopped, NFSv4
# state dropped, started again with its 10 s grace); the hard mounts
# retry meanwhile.  The exports and rpc.mountd stay.
nfs_restart() {
	rpc.nfsd 0 && rpc.nfsd -G 10 -L 10 8
}

# nfs_reexport : exportfs -ua then -a again (mountd's view of the export
# drops and comes back; clients see ESTALE or retry)
nfs_reexport() {
	exportfs -ua && exportfs -o \
	    rw,sync,no_subtree_check,no_root_squash,insecure,fsid=0 \
	    "127.0.0.1:$NFS_EXPORT"
}

# on failure, the daemons' logs and configs and a listing of the spool
# go to the run directory on the host, which uml-run.sh keeps
cleanup() {
	for p in $_pids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "$_failed" -ne 0 ] || [ -n "${KEEP:-}" ]; then
		_k=$XSPOOL_NFS_OUT/guest-files
		mkdir -p "$_k"
		cp "$T"/*.err "$T"/*.out "$T"/*.conf "$T"/*.log "$_k/" \
		    2>/dev/null
		(cd "$NFS_EXPORT" && find . -ls) > "$_k/export.ls" 2>&1
		echo "# kept the guest's logs in $_k"
	fi
	rm -rf "$T"
}
