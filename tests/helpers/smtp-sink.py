#!/usr/bin/python3
"""smtp-sink.py - an SMTP server for the tests (aiosmtpd), on 127.0.0.1.

  smtp-sink.py PORTFILE MAILDIR [refuse] [tls CERT KEY] [auth USER:PASS]

Listens on a free port (written to PORTFILE); each accepted message is
written whole to MAILDIR/N.eml, its envelope to MAILDIR/N.env
("AUTH user" when authenticated, "MAIL FROM" and "RCPT TO" lines).
With "refuse", every recipient is answered "550 5.1.1 <addr>: Recipient
address rejected".  With "tls", the whole connection is TLS (smtps) with
that certificate and key (PEM).  With "auth", AUTH PLAIN or LOGIN with
that user and password is required before MAIL.
"""
import asyncio
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult


class Sink:
    def __init__(self, maildir, refuse):
        self.maildir = maildir
        self.refuse = refuse
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refuse:
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.maildir, str(self.n))
        with open(base + ".env", "w") as f:
            if session.authenticated:
                f.write("AUTH %s\n" % session.auth_data.login.decode())
            f.write("MAIL FROM %s\n" % envelope.mail_from)
            for r in envelope.rcpt_tos:
                f.write("RCPT TO %s\n" % r)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 Message accepted for delivery"


def authenticator(user, password):
    """One user and password; AuthResult keeps the login for the .env."""
    def check(server, session, envelope, mechanism, auth_data):
        good = (auth_data.login == user.encode() and
                auth_data.password == password.encode())
        return AuthResult(success=good, handled=False, auth_data=auth_data)
    return check


async def main(portfile, maildir, opts):
    os.makedirs(maildir, exist_ok=True)
    handler = Sink(maildir, opts.get("refuse", False))
    kw = {}
    if "auth" in opts:
        user, _, password = opts["auth"].partition(":")
        kw = dict(authenticator=authenticator(user, password),
                  auth_required=True, auth_require_tls=False)
    ctx = None
    if "tls" in opts:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*opts["tls"])
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", decode_data=False, **kw),
        "127.0.0.1", 0, ssl=ctx)
    port = srv.sockets[0].getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    async with srv:
        await srv.serve_forever()


def options(args):
    opts = {}
    while args:
        if args[0] == "refuse":
            opts["refuse"] = True
            args = args[1:]
        elif args[0] == "tls" and len(args) >= 3:
            opts["tls"] = (args[1], args[2])
            args = args[3:]
        elif args[0] == "auth" and len(args) >= 2:
            opts["auth"] = args[1]
            args = args[2:]
        else:
            sys.stderr.write(__doc__)
            sys.exit(2)
    return opts


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    asyncio.run(main(sys.argv[1], sys.argv[2], options(sys.argv[3:])))
