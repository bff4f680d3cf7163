# zcomplete.zsh FPATHDIR OUT LINE : type LINE and a tab into an
# interactive zsh (zpty) whose fpath starts with FPATHDIR; every candidate
# its completion functions add is appended to OUT, one a line.  The line
# is never run: it is erased (^X, bound to kill-whole-line) before the
# marker command.  Not ^U: what arrives before zle has put the terminal in
# raw mode (a loaded machine) is still in the canonical line buffer, where
# ^U is the kill character and would erase the line before zle reads it.
zmodload zsh/zpty || exit 2
dir=$1 out=$2 line=$3
zpty z zsh -f -i
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { builtin compadd -O _zc \"\$@\"; builtin compadd \"\$@\"; (( \$#_zc )) && print -rl -- \$_zc >> ${(q)out}; }"
zpty -w z "bindkey '^I' complete-word; bindkey '^X' kill-whole-line; print -r -- zc-\$((1 + 1))"
zpty -r z l '*zc-2*'
zpty -n -w z "$line"$'\t'
zpty -n -w z $'\C-x'
zpty -w z "print -r -- zc-\$((2 + 1))"
zpty -r z l '*zc-3*'
zpty -d z
