# xspool - asynchronous export service built as a filesystem spool.
# A plain Makefile: make, make check, make run, make bench, make install.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
LIBDIR	?= $(PREFIX)/lib
# PREFIX=/usr (a package) puts config and spool in /etc and /var
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
LOCALSTATEDIR ?= $(if $(filter /usr,$(PREFIX)),/var,$(PREFIX)/var)
SYSTEMDDIR ?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d
DATADIR	?= $(PREFIX)/share
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/vendor-completions
DESTDIR	?=

CC	?= cc
PKGS	 = libzip libcurl libmicrohttpd inih openssl
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter \
	   -DJSMN_PARENT_LINKS -DJSMN_STRICT
CPPFLAGS += -Isrc
LDLIBS	+= $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lzip -lcurl -lmicrohttpd -linih -lssl -lcrypto) -lcsv -lm

# SANITIZE=address,undefined builds into bin/asan/ (make asan does it)
ifneq ($(SANITIZE),)
CFLAGS	+= -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=$(SANITIZE)
OBJDIR	?= build/asan
BIN	?= bin/asan
else
OBJDIR	?= build/obj
BIN	?= bin
endif

PROGS	 = xspool xspoold xspool-httpd
MAINS	 = $(PROGS:%=src/%.c)
# the CLI's subcommand files print and exit: linked into xspool only
CLISRC	 = $(wildcard src/xspool_*.c)
CLIOBJ	 = $(CLISRC:src/%.c=$(OBJDIR)/%.o)
LIBSRC	 = $(filter-out $(MAINS) $(CLISRC),$(wildcard src/*.c))
LIBOBJ	 = $(LIBSRC:src/%.c=$(OBJDIR)/%.o)
UNITSRC	 = $(wildcard tests/unit/*.c)
UNITS	 = $(UNITSRC:tests/unit/%.c=$(BIN)/unit/%)
HELPERSRC = $(wildcard tests/helpers/*.c)
HELPERS	 = $(HELPERSRC:tests/helpers/%.c=$(BIN)/helpers/%)
BENCHSRC = $(wildcard tests/bench/*.c)
BENCHES	 = $(BENCHSRC:tests/bench/%.c=bin/bench/%)
MANS	 = $(wildcard man/*.[1-8])

# The SQL exporter is its own program, built only when libpq and SQLite's
# headers are there: the core programs never link them.
SQLPKGS	 = libpq sqlite3
HAVE_SQL := $(shell pkg-config --exists $(SQLPKGS) 2>/dev/null && echo yes)
SQLPROG	 = $(if $(HAVE_SQL),$(BIN)/xspool-sql)
# the demo types query this database, made from the demo data set
DEMODB	 = etc/exporters/data/demo.db
DEMOSRC	 = etc/exporters/data/demo.sql $(wildcard etc/exporters/data/*.tsv)

HAVE_SQLITE3 := $(shell command -v sqlite3 > /dev/null 2>&1 && echo yes)

all: progs $(UNITS) $(HELPERS)

# what make install (and the Debian package) needs: no tests
progs: $(PROGS:%=$(BIN)/%) $(SQLPROG) \
	$(if $(HAVE_SQL),$(if $(HAVE_SQLITE3),$(DEMODB)))

$(DEMODB): $(DEMOSRC)
	rm -f $@.tmp
	cd $(@D) && sqlite3 -bail demo.db.tmp < demo.sql
	mv $@.tmp $@

$(OBJDIR)/sql/%.o: src/sql/%.c src/xspool.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(shell pkg-config --cflags $(SQLPKGS)) $(CFLAGS) \
	    -c -o $@ $<

$(BIN)/xspool-sql: $(OBJDIR)/sql/xspool-sql.o $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(OBJDIR)/libxspool.a $(LDLIBS) \
	    $(shell pkg-config --libs $(SQLPKGS))

$(OBJDIR)/%.o: src/%.c src/xspool.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# the daemon's files share a private header
DAEMONSRC = $(wildcard src/daemon*.c)
$(DAEMONSRC:src/%.c=$(OBJDIR)/%.o): src/daemon.h
# and the spool's and the converter's
SPOOLSRC = $(wildcard src/spool*.c)
$(SPOOLSRC:src/%.c=$(OBJDIR)/%.o) $(SPOOLSRC:src/%.c=build/fuzz/%.o): src/spool.h
CONVSRC	 = $(wildcard src/convert*.c)
$(CONVSRC:src/%.c=$(OBJDIR)/%.o) $(CONVSRC:src/%.c=build/fuzz/%.o): src/convert.h

# and the config's
CONFSRC	 = src/config.c src/config_type.c
$(CONFSRC:src/%.c=$(OBJDIR)/%.o) $(CONFSRC:src/%.c=build/fuzz/%.o): src/config.h

# the REST shim's files share a private header
APISRC	 = $(wildcard src/api*.c)
$(APISRC:src/%.c=$(OBJDIR)/%.o) $(APISRC:src/%.c=build/fuzz/%.o): src/api.h

$(OBJDIR)/libxspool.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(BIN)/%: $(OBJDIR)/%.o $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(OBJDIR)/libxspool.a $(LDLIBS)

$(BIN)/xspool: $(OBJDIR)/xspool.o $(CLIOBJ) $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(OBJDIR)/xspool.o $(CLIOBJ) \
	    $(OBJDIR)/libxspool.a $(LDLIBS)
$(OBJDIR)/xspool.o $(CLIOBJ): src/xspool_cli.h

$(BIN)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJDIR)/libxspool.a $(LDLIBS)

$(BIN)/helpers/%: tests/helpers/%.c $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJDIR)/libxspool.a $(LDLIBS)

bin/bench/%: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

# make fuzz: the libFuzzer targets tests/fuzz/fuzz-*.c (clang) into
# bin/fuzz/, each run FUZZ_SECONDS from seeds (tests/fuzz/run.sh)
FUZZ_CC	?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined \
	   -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS	 = $(patsubst tests/fuzz/%.c,bin/fuzz/%,$(wildcard tests/fuzz/fuzz-*.c))

build/fuzz/%.o: src/%.c src/xspool.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_SAN) -c -o $@ $<

build/fuzz/libxspool.a: $(LIBSRC:src/%.c=build/fuzz/%.o)
	rm -f $@
	$(AR) rcs $@ $^

bin/fuzz/fuzz-api: src/api.h
bin/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h tests/unit/convrun.h build/fuzz/libxspool.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
	    -o $@ $< build/fuzz/libxspool.a $(LDLIBS)

fuzz: $(FUZZERS)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# the fuzz regression replay (a unit test) includes every target
$(BIN)/unit/t-fuzz-regress: $(wildcard tests/fuzz/*.c tests/fuzz/*.h) \
	src/api.h

.PRECIOUS: $(OBJDIR)/%.o

deps:
	@sh .ci/deps.sh

asan:
	$(MAKE) SANITIZE=address,undefined all

# The whole suite, then again against the sanitizer build.
check: deps
	$(MAKE) all
	$(MAKE) asan
	@sh tests/run.sh

bench: deps
	$(MAKE) all $(BENCHES)
	@sh .ci/deps.sh bench
	@sh tests/bench/run.sh

# issue 11's soak: SOAK_JOBS (5,000) jobs through kill -9s of the daemon
# and of workers; what must be zero, as Markdown (tests/bench/soak.sh)
soak: deps
	$(MAKE) all $(BENCHES)
	@sh tests/bench/soak.sh

run: deps
	$(MAKE) all
	@sh etc/run.sh

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

# The shipped config and units, with the installed paths in them.
INSTCONF = sed -e 's|^dir = spool|dir = $(LOCALSTATEDIR)/spool/xspool|' \
	   -e 's|^keys = etc/keys|keys = $(SYSCONFDIR)/xspool/keys|' \
	   -e 's|^command = etc/exporters/|command = $(LIBDIR)/xspool/exporters/|' \
	   -e 's|^database = sqlite:etc/exporters/|database = sqlite:$(LIBDIR)/xspool/exporters/|'
INSTUNIT = sed -e 's|/usr/local/sbin|$(SBINDIR)|' \
	   -e 's|/usr/local/etc/xspool|$(SYSCONFDIR)/xspool|' \
	   -e 's|/usr/local/var|$(LOCALSTATEDIR)|' -e 's|$$(LIBDIR)|$(LIBDIR)|'
UNITS_SH = etc/systemd/xspoold.service etc/systemd/xspool-httpd.service
# etc/systemd/xspool.sysusers and .tmpfiles, each installed as xspool.conf
SYSD_SH	 = $(SYSUSERSDIR)/xspool.conf:etc/systemd/xspool.sysusers \
	   $(TMPFILESDIR)/xspool.conf:etc/systemd/xspool.tmpfiles

# A config already installed is kept (an operator's edits).
install: progs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/xspool $(DESTDIR)$(SYSTEMDDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(LIBDIR)/xspool/exporters/data \
	    $(DESTDIR)$(DATADIR)/xspool $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 etc/openapi.yaml $(DESTDIR)$(DATADIR)/xspool/
	install -m 644 etc/completion/xspool.bash $(DESTDIR)$(BASHCOMPDIR)/xspool
	install -m 644 etc/completion/_xspool $(DESTDIR)$(ZSHCOMPDIR)/_xspool
	install -m 755 bin/xspool $(DESTDIR)$(BINDIR)/xspool
	install -m 755 bin/xspoold bin/xspool-httpd $(DESTDIR)$(SBINDIR)/
	if test -f bin/xspool-sql; then \
	    install -m 755 bin/xspool-sql $(DESTDIR)$(SBINDIR)/; fi
	for m in $(MANS); do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	for f in etc/exporters/*; do test -f $$f || continue; \
	    install -m $$(test -x $$f && echo 755 || echo 644) $$f \
	    $(DESTDIR)$(LIBDIR)/xspool/exporters/; done
	install -m 644 etc/exporters/data/*.* etc/exporters/data/README \
	    $(DESTDIR)$(LIBDIR)/xspool/exporters/data/
	for u in $(UNITS_SH); do $(INSTUNIT) $$u > \
	    $(DESTDIR)$(SYSTEMDDIR)/$${u##*/} && \
	    chmod 644 $(DESTDIR)$(SYSTEMDDIR)/$${u##*/}; done
	for p in $(SYSD_SH); do $(INSTUNIT) $${p#*:} > $(DESTDIR)$${p%%:*} && \
	    chmod 644 $(DESTDIR)$${p%%:*}; done
	test -e $(DESTDIR)$(SYSCONFDIR)/xspool/xspool.conf || { \
	    $(INSTCONF) etc/xspool.conf > \
	    $(DESTDIR)$(SYSCONFDIR)/xspool/xspool.conf && \
	    chmod 640 $(DESTDIR)$(SYSCONFDIR)/xspool/xspool.conf; }

# The config goes only when it is still the shipped one; the keys file and
# the spool are never touched.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/xspool $(DESTDIR)$(SBINDIR)/xspoold \
	    $(DESTDIR)$(SBINDIR)/xspool-httpd $(DESTDIR)$(SBINDIR)/xspool-sql
	for m in $(MANS); do s=$${m##*.}; \
	    rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(LIBDIR)/xspool/exporters
	rm -f $(DESTDIR)$(DATADIR)/xspool/openapi.yaml \
	    $(DESTDIR)$(BASHCOMPDIR)/xspool $(DESTDIR)$(ZSHCOMPDIR)/_xspool
	-rmdir $(DESTDIR)$(DATADIR)/xspool 2>/dev/null
	-rmdir $(DESTDIR)$(LIBDIR)/xspool 2>/dev/null
	for u in $(UNITS_SH); do rm -f $(DESTDIR)$(SYSTEMDDIR)/$${u##*/}; done
	for p in $(SYSD_SH); do rm -f $(DESTDIR)$${p%%:*}; done
	c=$(DESTDIR)$(SYSCONFDIR)/xspool/xspool.conf; \
	if $(INSTCONF) etc/xspool.conf | cmp -s - $$c; then rm -f $$c; \
	elif test -e $$c; then echo "kept $$c: it was edited" >&2; fi
	-rmdir $(DESTDIR)$(SYSCONFDIR)/xspool 2>/dev/null

clean:
	rm -rf build bin/xspool bin/xspoold bin/xspool-httpd bin/xspool-sql \
	    $(DEMODB) \
	    bin/unit \
	    bin/helpers bin/asan bin/bench bin/fuzz

.PHONY: all progs deps asan check bench soak run lint-man install uninstall \
	clean fuzz
