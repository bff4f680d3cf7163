#!/bin/sh
# t0020 - make install DESTDIR=... PREFIX=/usr puts programs, man
# pages, demo exporters, systemd units, openapi.yaml, the bash and zsh
# completions and a config with the installed paths in place; an edited
# config survives install and uninstall; make uninstall removes
# everything else it installed.
. "$(dirname "$0")/lib.sh"

R=$T/root
# -o progs: install what is built (the suite built it), never rebuild here
inst() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" -o all -o progs "$@" DESTDIR="$R" PREFIX=/usr > "$T/make.out" 2>&1; }

inst install
is "$?" 0 "make install: exit 0"
[ -s "$T/make.out" ] && diag "$(head -5 "$T/make.out")"
for f in usr/bin/xspool usr/sbin/xspoold usr/sbin/xspool-httpd \
    usr/lib/xspool/exporters/patients usr/lib/xspool/exporters/synthetic; do
	ok "installed, executable: /$f" test -f "$R/$f" -a -x "$R/$f"
done
for m in man1/xspool.1 man5/xspool.conf.5 man7/xspool.7 man8/xspoold.8 \
    man8/xspool-httpd.8; do
	ok "man page /usr/share/man/$m" test -f "$R/usr/share/man/$m"
done
ok "demo data" test -s "$R/usr/lib/xspool/exporters/data/patients.tsv"
for f in usr/share/xspool/openapi.yaml \
    usr/share/bash-completion/completions/xspool \
    usr/share/zsh/vendor-completions/_xspool; do
	ok "installed: /$f" test -s "$R/$f"
done
C=$R/etc/xspool/xspool.conf
ok "config in /etc/xspool (PREFIX=/usr: not /usr/etc)" test -f "$C"
is "$(grep -E '^(dir|keys) ' "$C" | awk '{ print $3 }' | tr '\n' ' ')" \
    "/var/spool/xspool /etc/xspool/keys " "config: spool and keys at installed paths"
is "$(grep -c '^command = /usr/lib/xspool/exporters/' "$C")" \
    "$(grep -c '^command = ' "$TOP/etc/xspool.conf")" \
    "config: every type's command at the installed exporters"
ok "unit runs the installed daemon on the installed config" grep -q \
    '^ExecStart=/usr/sbin/xspoold -f -c /etc/xspool/xspool.conf$' \
    "$R/usr/lib/systemd/system/xspoold.service"
ok "unit for xspool-httpd" grep -q '^ExecStart=/usr/sbin/xspool-httpd ' \
    "$R/usr/lib/systemd/system/xspool-httpd.service"
is "$(stat -c %a "$C")" 640 "config mode 0640 (it may hold secrets)"

# the installed programs and exporters work (paths moved under $R)
sed -e "s|/usr/lib/xspool|$R/usr/lib/xspool|" -e "s|^dir = .*|dir = $SPOOL|" \
    -e "s|^keys = .*|keys = $T/keys|" "$C" > "$CONF"
is "$("$R/usr/bin/xspool" -V | cut -d" " -f1)" xspool "installed xspool -V"
"$R/usr/bin/xspool" -c "$CONF" list > /dev/null 2> "$T/err"
is "$?" 0 "the installed config loads"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
for c in $(sed -n 's/^command = //p' "$CONF"); do
	ok "installed command ${c##*/} is executable" test -x "$c"
done
is "$("$R/usr/lib/xspool/exporters/patients" | head -n 1 | cut -d, -f1-3)" \
    "id,first_name,last_name" "an installed exporter finds its data"
if [ -x "$TOP/bin/xspool-sql" ]; then
	ok "installed, executable: /usr/sbin/xspool-sql" \
	    test -x "$R/usr/sbin/xspool-sql"
	ok "man page /usr/share/man/man8/xspool-sql.8" \
	    test -f "$R/usr/share/man/man8/xspool-sql.8"
	for d in $(sed -n 's/^database = sqlite://p' "$C" | sort -u); do
		ok "config: demo database at the installed $d" test -s "$R$d"
	done
	is "$(XSPOOL_PARAM_from=2026-04-01 "$R/usr/sbin/xspool-sql" -c "$CONF" \
	    -t Patients | head -n 1 | cut -c 1-8)" '{"id":2,' \
	    "the installed SQL exporter queries the installed database"
else
	skip "the SQL exporter is installed" "not built (no libpq or libsqlite3)"
fi

# an edited config is kept by install and by uninstall
echo "; edited" >> "$C"
inst install
ok "a second install keeps the edited config" grep -q '^; edited' "$C"
inst uninstall
is "$?" 0 "make uninstall: exit 0"
ok "uninstall says it kept the edited config" grep -q 'kept .*xspool.conf' \
    "$T/make.out"
is "$(cd "$R" && find . -type f | sort | tr '\n' ' ')" \
    "./etc/xspool/xspool.conf " "uninstall removed all but the edited config"

# an unedited config goes with the rest
rm "$C"
inst install && inst uninstall
is "$(cd "$R" && find . -type f | wc -l)" 0 "install + uninstall leave no file"
ok "nor the xspool directories" test ! -e "$R/etc/xspool" -a \
    ! -e "$R/usr/lib/xspool"
done_testing
