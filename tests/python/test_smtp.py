"""Real SMTP delivery (the core's transport) to a small SMTP sink on a local port."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from typing import Iterator, List, Tuple

import pytest

import portail
from conftest import PDF, START, client_4


class Sink(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.received: List[Tuple[str, List[str], bytes]] = []
        self.reject_rcpt = False


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for one client: EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server = self.server
        assert isinstance(server, Sink)
        sender = ""
        rcpts: List[str] = []
        self.reply("220 sink ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            cmd = raw.decode("ascii", "replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, rcpts = cmd.split(":", 1)[1].strip(" <>"), []
                self.reply("250 ok")
            elif verb == "RCPT":
                if server.reject_rcpt:
                    self.reply("550 no such user")
                    continue
                rcpts.append(cmd.split(":", 1)[1].strip(" <>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    data += line[1:] if line.startswith(b"..") else line
                server.received.append((sender, rcpts, data))
                self.reply("250 queued")
            elif verb == "RSET" or verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def make(sink: Sink) -> portail.Portal:
    port = sink.server_address[1]
    portal = portail.Portal.in_memory(
        "t",
        portail.Settings.new("MA SOCIÉTÉ", "masociete.fr", reply_to="contact@masociete.fr"),
        mailer=portail.SmtpMailer.unencrypted("127.0.0.1", port),
        clock=portail.FixedClock(START),
    )
    portal.parties().upsert(client_4())
    return portal


def test_notification_goes_out_over_smtp(sink: Sink) -> None:
    portal = make(sink)
    doc = portal.documents().publish(
        "4", "Factures", PDF, name="FA-0002.pdf", kind=portail.DocumentKind.INVOICE
    )
    assert portal.sync().dispatch.sent == 1
    [(sender, rcpts, data)] = sink.received
    assert sender == "noreply@masociete.fr" and rcpts == ["keylian.ace@gmail.com"]
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Message-ID"] == f"<{doc.notification.notification_id}@masociete.fr>"
    assert "MA SOCIÉTÉ" in str(msg["Subject"])


def test_smtp_rejection_is_permanent(sink: Sink) -> None:
    sink.reject_rcpt = True
    portal = make(sink)
    portal.documents().publish("4", "Contrats", PDF, name="C.pdf")
    assert portal.dispatch().abandoned == 1
    [n] = portal.notifications().history()
    assert n.state is portail.NotificationState.ABANDONED and "550" in (n.last_error or "")


def test_unreachable_relay_is_transient() -> None:
    free = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    port = free.server_address[1]
    free.server_close()
    portal = portail.Portal.in_memory(
        "t",
        portail.Settings.new("A", "a.fr"),
        mailer=portail.SmtpMailer.unencrypted("127.0.0.1", port),
        clock=portail.FixedClock(START),
    )
    portal.parties().upsert(client_4())
    portal.documents().publish("4", "Contrats", PDF, name="C.pdf")
    assert portal.dispatch().failed == 1
    with pytest.raises(portail.InvalidInputError):
        portail.SmtpMailer.unencrypted(" ", 25)
