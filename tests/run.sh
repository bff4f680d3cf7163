#!/bin/sh
# run.sh - the whole suite in one prove run, so that one summary line
# covers it: the unit tests and shell tests against bin/, and the same
# against the sanitizer build in bin/asan/ (through small wrappers in
# build/asan-tests/ that set XSPOOL_BIN).  prove's exit status is ours.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=${TEST_JOBS:-2}
wrap=build/asan-tests

rm -rf "$wrap"
mkdir -p "$wrap"
for t in tests/t[0-9]*.sh; do
	w=$wrap/${t##*/}
	printf '#!/bin/sh\nXSPOOL_BIN="%s/bin/asan" exec sh "%s/%s"\n' \
	    "$top" "$top" "$t" > "$w"
	chmod +x "$w"
done
export XSPOOL_BIN="$top/bin"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
exec prove -j "$jobs" --exec '' bin/unit/* tests/t[0-9]*.sh \
    bin/asan/unit/* "$wrap"/t[0-9]*.sh
