#!/bin/sh
# t0030 - .ci/deps.sh installs only the missing Debian packages with
# apt-get as root, says what to run when not root, and does nothing when
# all are there (dpkg-query, id and apt-get are stand-ins on PATH here).
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
deps() {	# deps UID [ARG] : run the script with the stand-ins
	FAKE_T=$T FAKE_UID=$1 PATH=$F:$PATH sh "$TOP/.ci/deps.sh" ${2:-} \
	    > "$T/out" 2> "$T/err"
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
done_testing
