# xspool - asynchronous export service built as a filesystem spool.
# A plain Makefile: make, make check, make run, make bench, make install.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= $(PREFIX)/etc
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
LIBSRC	 = $(filter-out $(MAINS),$(wildcard src/*.c))
LIBOBJ	 = $(LIBSRC:src/%.c=$(OBJDIR)/%.o)
UNITSRC	 = $(wildcard tests/unit/*.c)
UNITS	 = $(UNITSRC:tests/unit/%.c=$(BIN)/unit/%)
HELPERSRC = $(wildcard tests/helpers/*.c)
HELPERS	 = $(HELPERSRC:tests/helpers/%.c=$(BIN)/helpers/%)
BENCHSRC = $(wildcard tests/bench/*.c)
BENCHES	 = $(BENCHSRC:tests/bench/%.c=bin/bench/%)
MANS	 = $(wildcard man/*.[1-8])

all: $(PROGS:%=$(BIN)/%) $(UNITS) $(HELPERS)

$(OBJDIR)/%.o: src/%.c src/xspool.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(OBJDIR)/libxspool.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(BIN)/%: $(OBJDIR)/%.o $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(OBJDIR)/libxspool.a $(LDLIBS)

$(BIN)/unit/%: tests/unit/%.c tests/unit/tap.h $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJDIR)/libxspool.a $(LDLIBS)

$(BIN)/helpers/%: tests/helpers/%.c $(OBJDIR)/libxspool.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJDIR)/libxspool.a $(LDLIBS)

bin/bench/%: tests/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

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

run: deps
	$(MAKE) all
	@sh etc/run.sh

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SYSCONFDIR)/xspool
	install -m 755 bin/xspool $(DESTDIR)$(BINDIR)/xspool
	install -m 755 bin/xspoold bin/xspool-httpd $(DESTDIR)$(SBINDIR)/
	for m in $(MANS); do \
	    s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	test -e $(DESTDIR)$(SYSCONFDIR)/xspool/xspool.conf || \
	    install -m 644 etc/xspool.conf $(DESTDIR)$(SYSCONFDIR)/xspool/xspool.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/xspool $(DESTDIR)$(SBINDIR)/xspoold \
	    $(DESTDIR)$(SBINDIR)/xspool-httpd
	for m in $(MANS); do s=$${m##*.}; \
	    rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf build bin/xspool bin/xspoold bin/xspool-httpd bin/unit \
	    bin/helpers bin/asan bin/bench

.PHONY: all deps asan check bench run lint-man install uninstall clean
