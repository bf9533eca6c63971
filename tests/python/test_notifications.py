"""The outbox: history, cancel, resend (forced), dispatch with retries."""

from __future__ import annotations

import datetime as dt

import pytest

import portail
from conftest import PDF, client_4


def publish_invoice(portal: portail.Portal) -> portail.Document:
    return portal.documents().publish(
        "4", "Factures", PDF, name="FA-0002.pdf", kind=portail.DocumentKind.INVOICE
    )


def test_history_filters(portal: portail.Portal, clock: portail.FixedClock) -> None:
    portal.parties().upsert(client_4())
    publish_invoice(portal)
    clock.advance(dt.timedelta(hours=1))
    publish_invoice(portal)
    assert portal.notifications().history(state=portail.NotificationState.PENDING).total == 2
    since = clock.now() - dt.timedelta(minutes=5)
    assert portal.notifications().history(from_=since).total == 1
    assert portal.notifications().history(to=since).total == 1
    assert portal.notifications().history(audience=portail.Audience.EMPLOYEE).total == 0


def test_cancel_then_nothing_is_sent(portal: portail.Portal, mailer: portail.MemoryMailer) -> None:
    portal.parties().upsert(client_4())
    doc = publish_invoice(portal)
    assert doc.notification.notification_id is not None
    cancelled = portal.notifications().cancel(doc.notification.notification_id)
    assert cancelled.state is portail.NotificationState.CANCELLED
    assert portal.sync().dispatch.attempted == 0
    assert len(mailer) == 0
    with pytest.raises(portail.InvalidStateError) as e:
        portal.notifications().cancel(cancelled.id)
    assert e.value.code == "invalid_state"


def test_transient_failures_are_retried_after_backoff(
    portal: portail.Portal, mailer: portail.MemoryMailer, clock: portail.FixedClock
) -> None:
    portal.parties().upsert(client_4())
    doc = publish_invoice(portal)
    mailer.fail_next(transient=["421 try later"])
    report = portal.dispatch()
    assert (report.attempted, report.failed) == (1, 1)
    assert doc.notification.notification_id is not None
    n = portal.notifications().get(doc.notification.notification_id)
    assert n.state is portail.NotificationState.FAILED
    assert n.last_error == "421 try later"
    assert n.attempts[0].outcome is portail.AttemptOutcome.TRANSIENT
    assert portal.dispatch().attempted == 0, "not before the backoff"
    clock.advance(portail.RetryPolicy().backoff(1))
    assert portal.dispatch().sent == 1
    assert portal.notifications().get(n.id).state is portail.NotificationState.SENT


def test_permanent_failure_abandons(portal: portail.Portal, mailer: portail.MemoryMailer) -> None:
    portal.parties().upsert(client_4())
    publish_invoice(portal)
    mailer.fail_next(permanent=["550 no such user"])
    assert portal.dispatch().abandoned == 1
    [n] = portal.notifications().history()
    assert n.state is portail.NotificationState.ABANDONED


def test_retry_policy_values() -> None:
    p = portail.RetryPolicy(max_attempts=3, first_backoff=dt.timedelta(seconds=30))
    assert p.max_attempts == 3
    assert p.backoff(2) == dt.timedelta(minutes=1)
    assert p == portail.RetryPolicy(max_attempts=3, first_backoff=dt.timedelta(seconds=30))
