#!/bin/sh
# t0165 - the bash completion (etc/completion/xspool.bash) completes the
# commands, global and per-command options, the export types of the
# config given with -c (or $XSPOOL_CONF), the ids of the jobs in the
# states each command takes, states and key ids; the zsh one
# (etc/completion/_xspool), where zsh is installed, parses and offers the
# same commands, types, formats, ids and states.
. "$(dirname "$0")/lib.sh"

if ! command -v bash > /dev/null 2>&1; then
	echo "1..0 # SKIP no bash"
	exit 0
fi
cli_setup '[type Other]' 'command = /bin/true' 'emits = csv' 'formats = CSV'
cd "$T" || exit 1

# comp WORD... : what _xspool offers for the last word, sorted, one line
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
	    _xspool; printf "%s\n" "${COMPREPLY[@]}"' _ \
	    "$TOP/etc/completion/xspool.bash" "$@" | sort | tr '\n' ' ' |
	    sed 's/ $//'
}

# has "LIST" WORD... : every WORD is in the blank-separated LIST
has() {
	_l=" $1 "; shift
	for _w; do
		case $_l in *" $_w "*) ;; *) return 1 ;; esac
	done
}
CMDS="cancel check download key list retry status submit wait"

is "$(comp xspool sta)" status "a command from its start"
ok "every command of the usage" has "$(comp xspool '')" $CMDS
# an xspool whose usage has another command: the words come from there
mkdir "$T/other"
printf '#!/bin/sh\necho "usage: xspool COMMAND"\necho "  frobnicate ID [-x]"\n' \
    > "$T/other/xspool"
chmod +x "$T/other/xspool"
is "$(comp "$T/other/xspool" '')" frobnicate "the commands of that xspool's usage"
is "$(comp xspool -c "$CONF" l)" list "a command after -c FILE"
is "$(comp xspool -)" "--help --version -V -c -h" "the global options"
is "$(comp xspool -c "$T/xspool.c")" "$T/xspool.conf" "-c: a file name"

is "$(comp xspool -c "$CONF" submit '')" "Other T" "submit: the config's types"
is "$(comp xspool -c "$CONF" submit O)" Other "submit: a type from its start"
is "$(XSPOOL_CONF=$CONF comp xspool submit '')" "Other T" \
    "submit: the types of \$XSPOOL_CONF"
is "$(comp xspool -c "$CONF" submit -f '')" "CSV JSON" "submit -f: the formats"
is "$(comp xspool -c "$CONF" submit -f CSV -C me '')" "Other T" \
    "submit: the type after options with arguments"
is "$(comp xspool -c "$CONF" submit T '')" "" "submit: one type only"
is "$(comp xspool -c "$CONF" submit T -)" "--help -C -P -e -f -p -w" \
    "submit: its options"

a=$($X submit T)
b=$($X submit -f CSV Other)
c=$($X submit T)
$X cancel "$c" > /dev/null
ids() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
is "$(comp xspool -c "$CONF" status '')" "$(ids "$a" "$b" "$c")" \
    "status: every job's id"
is "$(comp xspool -c "$CONF" wait '')" "$(ids "$a" "$b" "$c")" \
    "wait: every job's id"
is "$(comp xspool -c "$CONF" status "$(echo "$b" | cut -c 1-12)")" "$b" \
    "status: an id from its start"
is "$(comp xspool -c "$CONF" cancel '')" "$(ids "$a" "$b")" \
    "cancel: the queued jobs"
is "$(comp xspool -c "$CONF" retry '')" "$c" \
    "retry: the cancelled (and failed) jobs"
is "$(comp xspool -c "$CONF" download '')" "" \
    "download: the completed jobs (none)"
is "$(comp xspool -c "$CONF" status "$a" '')" "" "status: one id only"
is "$(comp xspool -c "$CONF" status -)" "--help --json" "status: its options"
is "$(comp xspool list '')" "all cancelled completed failed processing queued" \
    "list: the states"
is "$(comp xspool -c "$CONF" download -o "$T/xspool.c")" "$T/xspool.conf" \
    "download -o: a file name"

is "$(comp xspool key '')" "add del disable enable list" "key: its commands"
k=$($X key add someone 2>/dev/null)
is "$(comp xspool -c "$CONF" key del '')" "$(xspool -c "$CONF" key list |
    awk 'NR == 2 { print $1 }')" "key del: the key ids"
is "$(comp xspool -c "$CONF" key add someone -)" "--admin --allow --help" \
    "key add: its options"
[ -n "$k" ] || diag "key add printed no token"

# zcomp LINE : what zsh's _xspool offers after LINE and a tab (a zsh in
# a pseudo-terminal, tests/helpers/zcomplete.zsh), sorted, one line
zcomp() {
	rm -f "$T/zc.out"
	timeout 60 zsh -f "$TOP/tests/helpers/zcomplete.zsh" \
	    "$TOP/etc/completion" "$T/zc.out" "$1" > /dev/null 2>&1
	sort -u "$T/zc.out" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}
if ! command -v zsh > /dev/null 2>&1; then
	skip "zsh -n _xspool" "no zsh"
	skip "zsh: completions" "no zsh"
elif ! zsh -n "$TOP/etc/completion/_xspool"; then
	ok "zsh -n _xspool" false
else
	ok "zsh -n _xspool" true
	ok "zsh: the commands" has "$(zcomp 'xspool ')" $CMDS
	is "$(zcomp 'xspool sta')" status "zsh: a command from its start"
	is "$(zcomp "$T/other/xspool ")" frobnicate \
	    "zsh: the commands of that xspool's usage"
	is "$(zcomp "xspool -c $CONF submit ")" "Other T" "zsh: submit: the types"
	is "$(zcomp "xspool -c $CONF submit -f ")" "CSV JSON" \
	    "zsh: submit -f: the formats"
	is "$(zcomp "xspool -c $CONF cancel ")" "$(ids "$a" "$b")" \
	    "zsh: cancel: the queued jobs"
	is "$(zcomp "xspool -c $CONF retry ")" "$c" "zsh: retry: the cancelled"
	is "$(zcomp 'xspool list ')" \
	    "all cancelled completed failed processing queued" "zsh: list: states"
	is "$($X list all | wc -l)" 4 "zsh: no completion ran the line"
fi
done_testing
