# lib.sh - shared by the shell tests: TAP output, a temporary spool and
# config per test, starting and stopping programs by PID.
# Use: . "$(dirname "$0")/lib.sh"

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${XSPOOL_BIN:-$TOP/bin}
T=$(mktemp -d "${TMPDIR:-/tmp}/xspool-test.XXXXXX")
SPOOL=$T/spool
CONF=$T/xspool.conf
PATH=$BIN:$PATH
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
_n=0
_failed=0
_pids=""

ok() {		# ok DESCRIPTION COMMAND... : passes when COMMAND exits 0
	_d=$1; shift
	_n=$((_n + 1))
	if "$@"; then
		echo "ok $_n - $_d"
	else
		echo "not ok $_n - $_d"
		echo "#   failed: $*"
		_failed=$((_failed + 1))
	fi
}

nok() {		# nok DESCRIPTION COMMAND... : passes when COMMAND fails
	_d=$1; shift
	_n=$((_n + 1))
	if "$@"; then
		echo "not ok $_n - $_d"
		echo "#   should have failed: $*"
		_failed=$((_failed + 1))
	else
		echo "ok $_n - $_d"
	fi
}

is() {		# is GOT WANT DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
		_failed=$((_failed + 1))
	fi
}

skip() {	# skip DESCRIPTION REASON
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP $2"
}

diag() { echo "# $*"; }

# wait_for SECONDS COMMAND... : polls COMMAND every 50 ms until it succeeds
wait_for() {
	_t=$1; shift
	_end=$(($(date +%s) + _t))
	while ! "$@" 2>/dev/null; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.05
	done
	return 0
}

# mkconf [EXTRA LINES...] : a config for the temporary spool, on stdin
# extra sections may follow; the demo exporters are in $TOP/etc/exporters
mkconf() {
	{
		cat <<CONF
[spool]
dir = $SPOOL
node = testnode
workers = 2
max_attempts = 3
retry_base = 200ms
retry_max = 2s
lease = 10s
rescan = 1s
drop_grace = 2s
min_free = 1M

[http]
listen = 127.0.0.1:0
keys = $T/keys

[notify]

CONF
		cat
	} > "$CONF"
}

# cli_setup [LINE...] : mkconf with an export type T (/bin/true, CSV in,
# JSON or CSV out) and the given extra config lines; then $X runs xspool
# on it, $py is Debian's python3 (it has the json module the tests use)
cli_setup() {
	{
		printf '[type T]\ncommand = /bin/true\nemits = csv\n'
		printf 'formats = JSON,CSV\n\n'
		for _l in "$@"; do printf '%s\n' "$_l"; done
	} | mkconf
	X="xspool -c $CONF"
	py=/usr/bin/python3
}

# other_users : for a test that runs programs as other users (setpriv):
# unless we are root with setpriv, a SKIP plan and exit; then $T is open
# to them and $T/run writable by all (the shim's port file)
other_users() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP not root: cannot run programs as other users"
		exit 0
	fi
	if ! command -v setpriv > /dev/null; then
		echo "1..0 # SKIP no setpriv"
		exit 0
	fi
	chmod 755 "$T"
	mkdir -m 777 "$T/run"
}

# jfield FILE EXPR : prints EXPR (Python, the job file's JSON is j)
jfield() {
	/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"
}

# bg NAME COMMAND... : start in the background, remember the PID
bg() {
	_name=$1; shift
	"$@" > "$T/$_name.out" 2> "$T/$_name.err" &
	eval "PID_$(echo "$_name" | tr -c 'A-Za-z0-9\n' _)=$!"
	_pids="$_pids $!"
}

pid_of() { eval "echo \${PID_$(echo "$1" | tr -c 'A-Za-z0-9\n' _)}"; }

# stop NAME : SIGTERM, then wait for it; returns its exit status
stop() {
	_p=$(pid_of "$1")
	kill -TERM "$_p" 2>/dev/null
	wait "$_p"
}

cleanup() {
	for p in $_pids; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "$_failed" -ne 0 ] || [ -n "${KEEP:-}" ]; then
		echo "# kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}
