# xspool.bash - bash completion for xspool(1): commands, options, export
# types (the [type NAME] sections of the config), job ids (xspool list),
# key ids (xspool key list).  Installed by make install as
# $(DATADIR)/bash-completion/completions/xspool.

# _xspool_run ARGS... : the xspool being completed, on the config given
# with -c on the command line (else its own default), quiet
_xspool_run()
{
	"${_xspool_prog:-xspool}" ${_xspool_conf:+-c "$_xspool_conf"} "$@" \
	    2>/dev/null
}

# _xspool_commands - the commands its usage lists, else the known ones
_xspool_commands()
{
	local c
	c=$("${_xspool_prog:-xspool}" --help 2>&1 |
	    sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' | sort -u)
	[[ -n $c ]] || c="submit status list cancel wait download retry check key"
	printf '%s\n' $c
}

# _xspool_config - the config file the command would read (xspool(1))
_xspool_config()
{
	local f
	if [[ -n $_xspool_conf ]]; then
		printf '%s\n' "$_xspool_conf"
		return
	fi
	if [[ -n ${XSPOOL_CONF:-} ]]; then
		printf '%s\n' "$XSPOOL_CONF"
		return
	fi
	for f in etc/xspool.conf /usr/local/etc/xspool/xspool.conf \
	    /etc/xspool/xspool.conf; do
		[[ -e $f ]] && { printf '%s\n' "$f"; return; }
	done
}

# _xspool_types - the export types: the config's [type NAME] sections
_xspool_types()
{
	local f
	f=$(_xspool_config)
	[[ -r $f ]] || return
	sed -n 's/^[[:space:]]*\[type[[:space:]]\{1,\}\([^]]*\)\].*/\1/p' "$f"
}

# _xspool_ids STATE... : the ids of the jobs in those states
_xspool_ids()
{
	local s
	for s in "$@"; do
		_xspool_run list "$s" | awk 'NR > 1 && $1 != "ID" { print $1 }'
	done
}

_xspool_keyids()
{
	_xspool_run key list | awk 'NR > 1 && $1 != "KEYID" { print $1 }'
}

_xspool()
{
	local cur prev words cword i w cmd="" ci=0 n=0 opts="" args=""
	local _xspool_conf="" _xspool_prog=${COMP_WORDS[0]}
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	[[ $_xspool_prog == xspool || -x $_xspool_prog ]] ||
	    _xspool_prog=xspool

	# the global options, then the command
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -c ]]; then
			((i++))
			_xspool_conf=${COMP_WORDS[i]}
			_xspool_conf=${_xspool_conf/#\~/$HOME}
		elif [[ $w == -c?* ]]; then
			_xspool_conf=${w#-c}
		elif [[ $w != -* ]]; then
			cmd=$w
			ci=$i
			break
		fi
	done

	if [[ -z $cmd ]]; then
		if [[ $prev == -c ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
			compopt -o filenames 2>/dev/null
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-c -V --version -h --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xspool_commands)" -- "$cur"))
		fi
		return 0
	fi

	# n: which operand cur is (options and their arguments not counted)
	for ((i = ci + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $cmd:$w in
		submit:-[fpewCP]|wait:-t|download:-o) ((i++)) ;;
		*:-*) ;;
		*) ((n++)) ;;
		esac
	done

	case $cmd:$prev in
	submit:-f)
		COMPREPLY=($(compgen -W "JSON CSV" -- "$cur"))
		return 0 ;;
	submit:-[pewCP]|wait:-t)
		return 0 ;;
	download:-o)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return 0 ;;
	esac

	case $cmd in
	submit)	opts="-f -p -e -w -C -P --help"
		((n == 0)) && args=$(_xspool_types) ;;
	status)	opts="--json --help"
		((n == 0)) && args=$(_xspool_ids all) ;;
	list)	opts="--json --help"
		((n == 0)) && args="queued processing failed completed cancelled all" ;;
	cancel)	opts="--help"
		((n == 0)) && args=$(_xspool_ids queued) ;;
	retry)	opts="--help"
		((n == 0)) && args=$(_xspool_ids failed cancelled) ;;
	download)
		opts="-o --help"
		((n == 0)) && args=$(_xspool_ids completed) ;;
	wait)	opts="-t --help"
		((n == 0)) && args=$(_xspool_ids all) ;;
	key)	opts="--help"
		case $n in
		0) args="add list disable enable del" ;;
		1) case ${COMP_WORDS[ci+1]} in
		   add) opts="--admin --allow --help" ;;
		   disable|enable|del) args=$(_xspool_keyids) ;;
		   esac ;;
		*) [[ ${COMP_WORDS[ci+1]} == add ]] && opts="--admin --allow --help" ;;
		esac ;;
	*)	opts="--help" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	else
		COMPREPLY=($(compgen -W "$args" -- "$cur"))
	fi
	return 0
}
complete -F _xspool xspool
