"""Shared fixtures: a portal in memory on a fixed clock with cheap hashing, and its mailer."""

from __future__ import annotations

import datetime as dt
from typing import Dict, Iterator, Optional, Tuple

import pytest

import portail

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def clock() -> portail.FixedClock:
    return portail.FixedClock(START)


@pytest.fixture
def mailer() -> portail.MemoryMailer:
    return portail.MemoryMailer()


@pytest.fixture
def settings() -> portail.Settings:
    return portail.Settings.new("MA SOCIETE", "masociete.fr", reply_to="contact@masociete.fr")


@pytest.fixture
def portal(
    settings: portail.Settings, mailer: portail.MemoryMailer, clock: portail.FixedClock
) -> Iterator[portail.Portal]:
    yield portail.Portal.in_memory(
        "ma-societe",
        settings,
        mailer=mailer,
        clock=clock,
        security=portail.SecurityPolicy.fast_for_tests(),
    )


def client_4(billing: str = "keylian.ace@gmail.com") -> portail.Party:
    """Seed 000's client "4", "MOI MEME", with e-invoicing accepted."""
    return portail.Party.client(
        "4",
        "MOI MEME",
        emails={portail.EmailRole.MAIN: "keylian.ace@gmail.com", portail.EmailRole.BILLING: billing},
        einvoicing=portail.EInvoicingConsent.ACCEPTED,
    )


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


#: The golden scenarios replayed by ``test_scenarios.py``: file name -> (steps, assertions), or
#: ``None`` when the file failed.
SCENARIO_RUNS: Dict[str, Optional[Tuple[int, int]]] = {}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the scenarios line, the one the Rust, Node and Kotlin runners print too."""
    if SCENARIO_RUNS:
        done = [r for r in SCENARIO_RUNS.values() if r is not None]
        steps = sum(s for s, _ in done)
        assertions = sum(a for _, a in done)
        terminalreporter.write_line(
            f"scenarios: {len(SCENARIO_RUNS)} files, {steps} steps, {assertions} assertions"
        )
