#!/bin/sh
# deps.sh - install the Debian packages xspool needs to build and test
# (and, with "bench", to benchmark), only those that are missing; node
# and npm too when there are none.
set -eu

build="gcc make pkg-config libzip-dev libcsv-dev libjsmn-dev
libcurl4-openssl-dev libmicrohttpd-dev libinih-dev libssl-dev
libpq-dev libsqlite3-dev sqlite3"
test="curl p7zip-full libarchive-tools python3 python3-aiosmtpd perl mandoc
procps psmisc strace time zip postgresql
user-mode-linux nfs-kernel-server rpcbind kmod iproute2 faketime
dpkg-dev debhelper lintian zsh"
bench="miller zip wrk nginx task-spooler hyperfine"
# node and npm: the OpenAPI tests (t0560 lint and Ajv, t0576 a generated
# client; their packages come from npm's registry) skip without them.
# Debian's only when the commands are missing: a node from elsewhere
# (NodeSource's nodejs holds npm and conflicts with Debian's) is kept.
node="nodejs npm"

case "${1:-}" in
bench)	want="$bench" ;;
*)	want="$build $test"
	if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
		want="$want $node"
	fi ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "xspool: missing packages:$missing" >&2
	echo "xspool: run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "xspool: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
