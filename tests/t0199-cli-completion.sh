#!/bin/sh
# t0199 - shell completion: the bash script completes commands, options,
# export types from the config given with -c, job ids by state, and
# states; the zsh script parses; make install puts both in place and
# make uninstall removes them.
. "$(dirname "$0")/lib.sh"

cli_setup '[type Other]' 'command = /bin/true' 'emits = csv' 'formats = CSV'
$X list > /dev/null
q=$($X submit T)
c=$($X submit Other -f CSV)
$X cancel "$c"

# comp WORDS... : what bash completes for the last word (may be empty)
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
	    _xspool; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
	    _ "$TOP/etc/completion/xspool.bash" "$@"
}
is "$(comp xspool "")" "--help --version -V -c -h cancel check download help key list resubmit retry status submit types wait " \
    "the commands and global options"
is "$(comp xspool s)" "status submit " "a command's prefix"
is "$(comp xspool -c "$CONF" submit "")" "Other T " "submit: the types of the -c config"
is "$(comp xspool -c "$CONF" submit T -)" "--help -C -P -e -f -p -w " "submit: its options"
is "$(comp xspool -c "$CONF" submit T -f "")" "CSV JSON " "submit -f: the formats"
is "$(comp xspool -c "$CONF" cancel "")" "$q " "cancel: the queued (and running) jobs"
is "$(comp xspool -c "$CONF" retry "")" "$c " "retry: the failed and cancelled jobs"
is "$(comp xspool -c "$CONF" status "")" "$(printf '%s\n' "$q" "$c" | sort | tr '\n' ' ')" \
    "status: every job"
is "$(comp xspool -c "$CONF" list --state "")" "all cancelled completed failed processing queued " \
    "list --state: the states"
is "$(comp xspool -c "$CONF" list --type O)" "Other " "list --type: the types"
is "$(comp xspool -c "$CONF" cancel --r)" "--running " "cancel --running"
is "$(comp xspool help re)" "resubmit retry " "help: the commands"
is "$(comp xspool -c "$CONF" key "")" "--help add del disable enable list " "key: its subcommands"
if command -v zsh > /dev/null; then
	ok "the zsh script parses" zsh -n "$TOP/etc/completion/_xspool"
else
	skip "the zsh script parses" "no zsh"
fi

R=$T/root
inst() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" -o all "$@" DESTDIR="$R" PREFIX=/usr > "$T/make.out" 2>&1; }
inst install
is "$?" 0 "make install: exit 0"
ok "bash completion installed" test -f "$R/usr/share/bash-completion/completions/xspool"
ok "zsh completion installed" test -f "$R/usr/share/zsh/site-functions/_xspool"
inst uninstall
is "$?" 0 "make uninstall: exit 0"
ok "both removed" test ! -e "$R/usr/share/bash-completion/completions/xspool" -a \
    ! -e "$R/usr/share/zsh/site-functions/_xspool"
done_testing
