"""A real SMTP server on loopback for portail's SMTP tests (aiosmtpd, from Debian).

Usage: smtp_sink.py PORT DIR. Every accepted message is written to DIR/<n>.eml. Recipients
whose local part starts with "reject" get a permanent 550, those starting with "busy" a
transient 451. Prints "ready" once listening; stops after 120 s in any case.
"""
import os
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("reject"):
            return "550 5.1.1 no such user"
        if local.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.folder, f"{self.count}.eml")
        with open(path + ".tmp", "wb") as f:
            f.write(f"X-Envelope-From: {envelope.mail_from}\r\n".encode())
            f.write(f"X-Envelope-To: {','.join(envelope.rcpt_tos)}\r\n".encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    deadline = time.time() + 120
    stop = threading.Event()
    try:
        while time.time() < deadline and not stop.is_set():
            line = sys.stdin.readline()
            if not line:
                break
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
