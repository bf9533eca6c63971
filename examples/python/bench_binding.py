"""The binding overhead benchmark in Python (issue 13, item 6): the same work as
``examples/rust/bench_binding.rs``, whose figures it is compared with by ``scripts/bench-bindings``.

    python examples/python/bench_binding.py      # after a release build; BENCH_ROUNDS, BENCH_CALLS

An in-memory portal with 1,000 employees; ``publish_many`` of 50,000 payslips (about 300 bytes,
with external ids) in one call, on a fresh portal each round, timed with what a host pays
(building the ``Publish`` list in Python and the report of 50,000 documents converted back);
then the first page (20) of one employee's documents, ``BENCH_CALLS`` times after 200 warm-up
calls. Lines starting ``RESULT`` are read by the script.
"""

from __future__ import annotations

import gc
import os
import time
from typing import List

import portail
from portail import Audience, DocumentKind, EmailRole

DOCS = 50_000
EMPLOYEES = 1_000
PAGE = 20
WARMUP = 200


def code(e: int) -> str:
    return f"E{e:05}"


def payslip(i: int) -> bytes:
    return (
        f"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% bulletin de paie {i:08}\n"
        f"BT /F1 10 Tf (Salaire de base 2 150,00 EUR - matricule {i % EMPLOYEES:05}) Tj ET\n"
        "BT /F1 10 Tf (Cotisations salariales 468,70 EUR - net a payer 1 681,30 EUR) Tj ET\n"
        "BT /F1 10 Tf (Periode du 01/03/2026 au 31/03/2026 - ACME PAIE) Tj ET\n%%EOF\n"
    ).encode()


def new_portal() -> portail.Portal:
    portal = portail.Portal.in_memory(
        "bench",
        portail.Settings.new("ACME PAIE", "acme.example"),
        security=portail.SecurityPolicy.fast_for_tests(),
    )
    parties = portal.parties()
    for e in range(EMPLOYEES):
        parties.upsert(
            portail.Party.employee(
                code(e), f"SALARIE {e}", emails={EmailRole.MAIN: f"salarie{e}@acme.example"}
            )
        )
    return portal


def percentile(v: List[float], p: float) -> float:
    s = sorted(v)
    return s[min(len(s) - 1, round((len(s) - 1) * p))]


def main() -> None:
    rounds = max(1, int(os.environ.get("BENCH_ROUNDS", "5")))
    calls = max(1, int(os.environ.get("BENCH_CALLS", "2000")))
    print(
        f"bench_binding python: {EMPLOYEES} employees, publish_many of {DOCS} payslips"
        f" ({len(payslip(0))} bytes each) x {rounds} rounds; listing first page of {PAGE} x {calls} calls"
    )

    total: List[float] = []
    build: List[float] = []
    core: List[float] = []
    back: List[float] = []
    portal = None
    for _ in range(rounds):
        portal = new_portal()
        gc.collect()
        last = [0.0]

        def progress(_: portail.Progress) -> None:
            last[0] = time.perf_counter()

        t = time.perf_counter()
        commands = [
            portail.Publish(
                code(i % EMPLOYEES),
                "Bulletins",
                payslip(i),
                name=f"BP-2026-03-{i:06}.pdf",
                audience=Audience.EMPLOYEE,
                kind=DocumentKind.PAYSLIP,
                external_id=f"BP-2026-03-{i:06}",
            )
            for i in range(DOCS)
        ]
        built = time.perf_counter()
        report = portal.documents().publish_many(commands, progress=progress)
        took = time.perf_counter()
        assert report.published == DOCS, report.published
        assert report.notifications_queued == DOCS
        assert len(report.outcomes) == DOCS
        del report, commands
        total.append(took - t)
        build.append(built - t)
        core.append(last[0] - built)
        back.append(took - last[0])
    t50, b50, c50, k50 = (percentile(v, 0.5) for v in (total, build, core, back))
    print(
        f"publish_many: median {t50:.3f} s (min {min(total):.3f}, max {max(total):.3f}); build input"
        f" {b50:.3f} s, call to last progress {c50:.3f} s, after it {k50:.3f} s"
    )
    print(f"RESULT publish_many {t50:.6f} {b50:.6f} {c50:.6f} {k50:.6f}")

    assert portal is not None
    documents = portal.documents()
    times: List[float] = []
    for q in range(WARMUP + calls):
        party = code(q % EMPLOYEES)
        t = time.perf_counter()
        listed = documents.list(party, audience=Audience.EMPLOYEE, offset=0, limit=PAGE)
        took = time.perf_counter() - t
        assert len(listed.items) == PAGE and listed.total == DOCS // EMPLOYEES
        if q >= WARMUP:
            times.append(took)
    p50, p99 = percentile(times, 0.5) * 1e6, percentile(times, 0.99) * 1e6
    print(f"listing: median {p50:.1f} us, p99 {p99:.1f} us")
    print(f"RESULT listing {p50:.3f} {p99:.3f}")


if __name__ == "__main__":
    main()
