# bash completion for xspool(1): commands, options, export types (from
# `xspool types`), job ids (from `xspool list`) and states.  Installed by
# make install into bash-completion's completions directory.

# _xspool_run ARGS... - xspool with the -c FILE of the line being completed
_xspool_run()
{
	local i c=()

	for ((i = 1; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -c ]]; then
			c=(-c "${COMP_WORDS[i + 1]}")
		fi
	done
	"${COMP_WORDS[0]}" "${c[@]}" "$@" 2>/dev/null
}

# _xspool_ids STATE - the ids of the jobs in STATE (all: every state)
_xspool_ids()
{
	_xspool_run list "$1" | awk 'NR > 1 { print $1 }'
}

_xspool_types()
{
	_xspool_run types | awk '/^[^ ]/ { print $1 }'
}

_xspool()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmds="submit resubmit status list cancel wait download retry types check key help"
	local states="queued processing failed completed cancelled all"
	local i cmd= n=0 words

	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c) ((i++)) ;;
		-*) ;;
		*) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else ((n++)); fi ;;
		esac
	done
	if [[ $prev == -c ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$cmds -c -h --help -V --version" -- "$cur"))
		return
	fi
	case $cmd:$prev in
	submit:-f) COMPREPLY=($(compgen -W "JSON CSV" -- "$cur")); return ;;
	list:--state) COMPREPLY=($(compgen -W "$states" -- "$cur")); return ;;
	list:--type) COMPREPLY=($(compgen -W "$(_xspool_types)" -- "$cur")); return ;;
	download:-o) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	*:-p | *:-e | *:-w | *:-C | *:-P | *:-t | *:--client | *:--since | \
	*:--until | *:--limit | *:--allow) return ;;
	esac
	case $cmd in
	submit)
		words="-f -p -e -w -C -P --help"
		((n == 0)) && [[ $cur != -* ]] && words=$(_xspool_types) ;;
	resubmit)
		words="-p --no-password --help"
		((n == 0)) && [[ $cur != -* ]] && words="$(_xspool_ids completed) $(_xspool_ids failed) $(_xspool_ids cancelled)" ;;
	status | wait)
		words="--json --help"
		[[ $cmd == wait ]] && words="-t --help"
		((n == 0)) && [[ $cur != -* ]] && words=$(_xspool_ids all) ;;
	cancel)
		words="--running --help"
		((n == 0)) && [[ $cur != -* ]] && words="$(_xspool_ids queued) $(_xspool_ids processing)" ;;
	download)
		words="-o --help"
		((n == 0)) && [[ $cur != -* ]] && words=$(_xspool_ids completed) ;;
	retry)
		words="--help"
		((n == 0)) && [[ $cur != -* ]] && words="$(_xspool_ids failed) $(_xspool_ids cancelled)" ;;
	list)
		words="--state --type --client --since --until --limit --json --help"
		((n == 0)) && [[ $cur != -* ]] && words=$states ;;
	types) words="--json --help" ;;
	check) words="--help" ;;
	key)
		if ((n == 0)); then
			words="add list disable enable del --help"
		elif [[ ${COMP_WORDS[*]} == *" add "* ]]; then
			words="--admin --allow"
		else
			words=$(_xspool_run key list | awk 'NR > 1 { print $1 }')
		fi ;;
	help) ((n == 0)) && words=$cmds ;;
	esac
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _xspool xspool
