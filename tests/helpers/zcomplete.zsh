# zcomplete.zsh FPATHDIR OUT LINE : type LINE and a tab into an
# interactive zsh (zpty) whose fpath starts with FPATHDIR; every candidate
# its completion functions add is appended to OUT, one a line.  The line
# is never run: it is erased (^U) before the marker command.
zmodload zsh/zpty || exit 2
dir=$1 out=$2 line=$3
zpty z zsh -f -i
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { builtin compadd -O _zc \"\$@\"; builtin compadd \"\$@\"; (( \$#_zc )) && print -rl -- \$_zc >> ${(q)out}; }"
zpty -w z "bindkey '^I' complete-word; print -r -- zc-\$((1 + 1))"
zpty -r z l '*zc-2*'
zpty -n -w z "$line"$'\t'
zpty -n -w z $'\C-u'
zpty -w z "print -r -- zc-\$((2 + 1))"
zpty -r z l '*zc-3*'
zpty -d z
