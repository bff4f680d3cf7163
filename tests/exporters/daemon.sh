# daemon.sh - the xspoold test helpers, for tests outside t02xx/t03xx that
# source this older path; they are in tests/daemon-lib.sh.
. "$TOP/tests/daemon-lib.sh"
