"""Long work releases the GIL: other Python threads run while portail hashes and sends."""

from __future__ import annotations

import threading
import time

import portail
from conftest import START


def test_sync_releases_the_gil_while_hashing() -> None:
    # Real argon2 work (a few MiB, debug builds are slow): enough to measure.
    security = portail.SecurityPolicy(argon2_memory_kib=8 * 1024, argon2_iterations=2)
    portal = portail.Portal.in_memory(
        "t", portail.Settings.new("A", "a.fr"), clock=portail.FixedClock(START), security=security
    )
    codes = [f"C{i}" for i in range(6)]
    for code in codes:
        portal.parties().upsert(
            portail.Party.client(code, code, emails={portail.EmailRole.MAIN: f"{code}@client.fr"})
        )
    assert portal.accounts().generate_batch(codes, notify_by_email=False).created == 6

    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.01)
    before = ticks
    started = time.monotonic()
    report = portal.sync()
    elapsed = time.monotonic() - started
    during = ticks - before
    stop.set()
    counter.join()
    assert report.activated == 6
    # Held GIL: the counter would stay frozen for the whole call. Released: it keeps ticking.
    assert elapsed < 0.02 or during >= 5, (elapsed, during)
