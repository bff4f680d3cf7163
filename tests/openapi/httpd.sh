# httpd.sh - sourced by the tests/t05*.sh after lib.sh: a config with demo
# export types, xspool-httpd on 127.0.0.1 port 0 (the port from -p FILE),
# curl wrappers that keep every answer in $T/captures.jsonl, and a final
# check of those answers against etc/openapi.yaml (tests/openapi/validate.mjs).

EXP=$TOP/etc/exporters

# hconf [HTTP LINES...] : the config, with extra lines in [http];
# HLISTEN (default 127.0.0.1:0) is the listen line
hconf() {
	{
		cat <<CONF
[spool]
dir = $SPOOL
node = testnode
max_attempts = 2
retry_base = 200ms
retry_max = 1s
lease = 10s
rescan = 1s
drop_grace = 2s
min_free = 1M
sync = no

[http]
listen = ${HLISTEN:-127.0.0.1:0}
keys = $T/keys
access_log = $T/access.log
CONF
		for _l in "$@"; do
			echo "$_l"
		done
		cat <<CONF

[notify]
# a relay that is not there: jobs with an e-mail are accepted (a server
# without smtp refuses them), and their mails fail
smtp = smtp://127.0.0.1:9

[type Patients]
command = $EXP/patients
emits = csv
formats = JSON,CSV

[type Invoices]
command = $EXP/invoices
emits = csv
formats = CSV

[type Appointments]
command = $EXP/appointments
emits = jsonl
formats = JSON,CSV
CONF
	} > "$CONF"
	mkdir -p "$SPOOL"
	xspool -c "$CONF" list > /dev/null 2>&1	# creates the layout
}

# hstart : start xspool-httpd, set PORT and URL
hstart() {
	rm -f "$T/port"
	bg httpd xspool-httpd -f -c "$CONF" -p "$T/port"
	if ! wait_for 10 test -s "$T/port"; then
		echo "Bail out! xspool-httpd did not start"
		sed 's/^/# /' "$T/httpd.err"
		exit 1
	fi
	PORT=$(cat "$T/port")
	URL=http://127.0.0.1:$PORT
}

# synthetic : the demo's Synthetic type (a program writing JSON Lines,
# ?rows=N of them) added to $CONF
synthetic() {
	cat >> "$CONF" <<CONF

[type Synthetic]
command = $EXP/synthetic
emits = jsonl
formats = JSON,CSV
CONF
}

# hdaemon : key A (client erp), then xspool-httpd (hstart) and xspoold
# on $CONF
hdaemon() {
	A=$(newkey erp)
	hstart
	bg daemon xspoold -f -c "$CONF"
}

# newkey CLIENT [--admin] [--allow LIST] : prints KeyId.Secret
newkey() {
	xspool -c "$CONF" key add "$@"
}

# clients : the usual cast, started: keys A (client erp), B (client crm)
# and ADM (admin, client ops), then xspool-httpd on a fresh config
clients() {
	hconf "$@"
	A=$(newkey erp)
	B=$(newkey crm)
	ADM=$(newkey ops --admin)
	hstart
}

# req METHOD PATH [CURL ARGS...] : CODE, body in $T/body, headers $T/hdr
req() {
	_m=$1
	_p=$2
	shift 2
	: > "$T/body"
	: > "$T/hdr"
	if [ "$_m" = HEAD ]; then
		CODE=$(curl -s -I -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
		    "$@" "$URL$_p")
		: > "$T/body"
	else
		CODE=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' \
		    -X "$_m" "$@" "$URL$_p")
	fi
	capture "$_m" "$_p"
}

# hdr NAME : a header of the last answer
hdr() {
	awk -v h="$1" 'BEGIN { h = tolower(h) ":" }
	    tolower(substr($0, 1, length(h))) == h {
		v = substr($0, length(h) + 1); sub(/^ /, "", v)
		sub(/\r$/, "", v) }
	    END { print v }' "$T/hdr"
}

# jf FILTER : jq on the last body
jf() {
	jq -r "$1" "$T/body" 2>/dev/null
}

capture() {
	_b=$T/body
	case $(hdr Content-Type) in
	application/json*) ;;
	*) _b=/dev/null ;;		# zips and text: the headers only
	esac
	jq -nc --arg m "$1" --arg p "${2%%\?*}" --arg s "$CODE" \
	    --arg ct "$(hdr Content-Type)" --arg rid "$(hdr X-Request-Id)" \
	    --rawfile b "$_b" --rawfile h "$T/hdr" \
	    '{method: $m, path: $p, status: ($s | tonumber), ctype: $ct,
	      requestId: $rid, body: $b,
	      headers: ([$h | split("\n")[] | sub("\r$"; "") |
		  capture("^(?<k>[^: ]+): *(?<v>.*)$") |
		  {(.k | ascii_downcase): .v}] | add // {})}' \
	    >> "$T/captures.jsonl"
}

# errcheck STATUS CODE DESCRIPTION : the last answer is that error
errcheck() {
	is "$CODE $(jf .Code) $(hdr Content-Type)" \
	    "$1 $2 application/json" "$3"
}

# openapi_installed : the packages of tests/openapi/package.json are in
# tests/node_modules at their versions, and no install is running
openapi_installed() {
	[ ! -d "$TOP/tests/.npm-lock" ] && command -v node > /dev/null &&
	    node -e 'const d = require(process.argv[1]).dependencies;
		for (const [n, v] of Object.entries(d))
			if (require(process.argv[2] + "/" + n +
			    "/package.json").version !== v)
				process.exit(1)' \
	    "$TOP/tests/openapi/package.json" "$TOP/tests/node_modules" \
	    2> /dev/null
}

# openapi_pkgs : the packages pinned in tests/openapi/package.json, as
# NAME@VERSION
openapi_pkgs() {
	node -e 'const d = require(process.argv[1]).dependencies;
	    console.log(Object.entries(d).map(([n, v]) => n + "@" + v).join(" "))' \
	    "$TOP/tests/openapi/package.json"
}

# openapi_need : tests/openapi/package.json's packages in
# tests/node_modules, installed with npm when missing (one test installs,
# others that start meanwhile wait); else "1..0 # SKIP" and exit
openapi_need() {
	export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
	export NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false
	if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
		echo "1..0 # SKIP node and npm are not installed"
		exit 0
	fi
	if ! openapi_installed && ! timeout 20 npm ping --fetch-retries=0 \
	    --fetch-timeout=10000 > /dev/null 2>&1; then
		echo "1..0 # SKIP npm cannot reach its registry to install $(openapi_pkgs)"
		exit 0
	fi
	# a lock left by an install that was killed (an install takes about a
	# minute)
	if [ -n "$(find "$TOP/tests/.npm-lock" -maxdepth 0 -mmin +10 2>/dev/null)" ]
	then
		rmdir "$TOP/tests/.npm-lock"
	fi
	if ! openapi_installed; then
		# several test files may start at once: one installs, the others wait
		if mkdir "$TOP/tests/.npm-lock" 2>/dev/null; then
			trap 'rmdir "$TOP/tests/.npm-lock"; cleanup' EXIT
			npm install --prefix "$TOP/tests" --no-save --no-package-lock \
			    --no-audit --no-fund --loglevel=error --fetch-retries=1 \
			    --fetch-timeout=30000 $(openapi_pkgs) \
			    > "$T/npm.log" 2>&1
			rmdir "$TOP/tests/.npm-lock"
			trap cleanup EXIT
		else
			wait_for 300 test ! -d "$TOP/tests/.npm-lock"
		fi
		if ! openapi_installed; then
			echo "1..0 # SKIP npm could not install $(openapi_pkgs) (no registry?)"
			exit 0
		fi
	fi
}

# openapi_check : the captured answers against etc/openapi.yaml
openapi_check() {
	if ! openapi_installed; then
		skip "answers match etc/openapi.yaml" \
		    "validator not installed (t0560 installs it)"
		return
	fi
	ok "answers match etc/openapi.yaml" node \
	    "$TOP/tests/openapi/validate.mjs" "$TOP/etc/openapi.yaml" \
	    "$T/captures.jsonl"
}
