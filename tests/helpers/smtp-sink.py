#!/usr/bin/python3
"""smtp-sink.py - an SMTP server for the tests (aiosmtpd), on 127.0.0.1.

  smtp-sink.py PORTFILE MAILDIR [refuse]

Listens on a free port (written to PORTFILE); each accepted message is
written whole to MAILDIR/N.eml, its envelope to MAILDIR/N.env
("MAIL FROM" and "RCPT TO" lines).  With "refuse", every recipient is
answered "550 5.1.1 <addr>: Recipient address rejected".
"""
import asyncio
import os
import sys

from aiosmtpd.smtp import SMTP


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
            f.write("MAIL FROM %s\n" % envelope.mail_from)
            for r in envelope.rcpt_tos:
                f.write("RCPT TO %s\n" % r)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 Message accepted for delivery"


async def main(portfile, maildir, refuse):
    os.makedirs(maildir, exist_ok=True)
    handler = Sink(maildir, refuse)
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test", decode_data=False),
        "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    async with srv:
        await srv.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    asyncio.run(main(sys.argv[1], sys.argv[2],
                     len(sys.argv) > 3 and sys.argv[3] == "refuse"))
