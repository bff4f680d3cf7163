#!/bin/sh
# t0030 - .ci/deps.sh installs only the missing Debian packages with
# apt-get as root, says what to run when not root, and does nothing when
# all are there; Debian's nodejs and npm only when the node or npm
# command is missing (dpkg-query, id, apt-get, node and npm are stand-ins
# on a PATH of their own here).
. "$(dirname "$0")/lib.sh"

F=$T/fake
mkdir "$F"
# dpkg-query: the packages listed in $T/installed are installed
cat > "$F/dpkg-query" <<'SH'
#!/bin/sh
for p; do :; done
grep -qx "$p" "$FAKE_T/installed" && echo 'install ok installed'
exit 0
SH
printf '#!/bin/sh\necho "$FAKE_UID"\n' > "$F/id"
printf '#!/bin/sh\necho "apt-get $*" >> "$FAKE_T/apt.log"\n' > "$F/apt-get"
chmod +x "$F"/*
# a PATH with grep and the stand-ins only; node and npm in $N
G=$T/tools
N=$T/node
mkdir "$G" "$N"
ln -s "$(command -v grep)" "$G/grep"
printf '#!/bin/sh\nexit 0\n' > "$N/node"
cp "$N/node" "$N/npm"
chmod +x "$N"/*
SH=$(command -v sh)
NODEPATH=$N	# set to "" for a host without node
deps() {	# deps UID [ARG] : run the script with the stand-ins
	FAKE_T=$T FAKE_UID=$1 PATH=$F:$G${NODEPATH:+:$NODEPATH} \
	    "$SH" "$TOP/.ci/deps.sh" ${2:-} > "$T/out" 2> "$T/err"
}

# the script's own lists (build and test packages)
eval "$(sed -n '/^build=/,/^bench=/p' "$TOP/.ci/deps.sh" | grep -v '^bench=')"
echo $build $test | tr ' ' '\n' > "$T/all"
grep -v '^libzip-dev$' "$T/all" | grep -v '^p7zip-full$' > "$T/installed"

deps 1000
is "$?" 1 "not root, two packages missing: exit 1"
ok "names them" grep -q 'missing packages: libzip-dev p7zip-full$' "$T/err"
ok "says what to run as root" grep -qx \
    'xspool: run as root: apt-get update && apt-get install -y libzip-dev p7zip-full' \
    "$T/err"
ok "and runs no apt-get" test ! -e "$T/apt.log"

deps 0
is "$?" 0 "root: exit 0"
is "$(grep install "$T/apt.log" | sed 's/ -[a-z-]*//g')" \
    "apt-get install libzip-dev p7zip-full" "root: installs only the missing two"
ok "after an update" grep -q '^apt-get update' "$T/apt.log"

rm "$T/apt.log"
cp "$T/all" "$T/installed"
deps 1000
is "$?" 0 "nothing missing: exit 0 even when not root"
is "$(cat "$T/out" "$T/err")" "" "nothing missing: silent"
ok "nothing missing: no apt-get" test ! -e "$T/apt.log"

# no node: Debian's nodejs and npm are wanted too
NODEPATH=
deps 1000
is "$?" 1 "no node command: exit 1 when not root"
ok "names nodejs and npm" grep -q 'missing packages: nodejs npm$' "$T/err"
deps 0
is "$?" 0 "root: exit 0"
is "$(grep install "$T/apt.log" | sed 's/ -[a-z-]*//g')" \
    "apt-get install nodejs npm" "root: installs Debian's nodejs and npm"
rm "$T/apt.log"
# Debian's nodejs there, its npm not (a node command but no npm)
echo nodejs >> "$T/installed"
NODEPATH=$T/node-only
mkdir "$NODEPATH"
cp "$N/node" "$NODEPATH/node"
deps 0
is "$(grep install "$T/apt.log" | sed 's/ -[a-z-]*//g')" \
    "apt-get install npm" "node without npm: installs npm only"
rm "$T/apt.log"
# bench wants neither
grep -v '^nodejs$' "$T/all" > "$T/installed"
eval "$(grep '^bench=' "$TOP/.ci/deps.sh")"
echo $bench | tr ' ' '\n' >> "$T/installed"
NODEPATH=
deps 1000 bench
is "$?:$(cat "$T/out" "$T/err")" "0:" "bench: no node or npm wanted"
done_testing
