#!/bin/sh
# run.sh - the whole suite: unit tests and shell tests against bin/, then
# the same against the sanitizer build in bin/asan/.  prove prints the
# summary line; its exit status is ours.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=${TEST_JOBS:-2}
status=0

for bin in bin bin/asan; do
	echo "# --- tests against $bin/"
	export XSPOOL_BIN="$top/$bin"
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
	prove -j "$jobs" --exec '' "$bin"/unit/* tests/t[0-9]*.sh || status=1
done
exit $status
