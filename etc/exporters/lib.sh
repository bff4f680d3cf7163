# lib.sh - sourced by the demo exporters: where the data is, and checks of
# the request parameters that arrive as XSPOOL_PARAM_<name>.
data=$(dirname "$0")/data
LC_ALL=C		# byte-wise awk: UTF-8 passes through untouched
export LC_ALL

die() {			# die MESSAGE: one stderr line (it becomes the job's error)
	echo "${0##*/}: $*" >&2
	exit 2
}

date_param() {		# date_param NAME: $NAME = the YYYY-MM-DD value or ""
	eval "_v=\${XSPOOL_PARAM_$1-}"
	case $_v in
	''|[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]) ;;
	*) die "parameter $1 is not a date (YYYY-MM-DD): $_v" ;;
	esac
	eval "$1=\$_v"
}

int_param() {		# int_param NAME DEFAULT MAX: $NAME = a whole number
	eval "_v=\${XSPOOL_PARAM_$1-$2}"
	case $_v in
	''|*[!0-9]*) die "parameter $1 is not a whole number: $_v" ;;
	esac
	[ "${#_v}" -le 10 ] && [ "$_v" -le "$3" ] ||
	    die "parameter $1 is over $3: $_v"
	eval "$1=\$_v"
}
