"""Opening a portal: in memory, on directories, on the embedded default; settings, folders,
templates; records and enums behave like Python values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import pickle

import pytest

import portail
from conftest import PDF, START, client_4


def test_open_embedded_default_twice(tmp_path: pathlib.Path) -> None:
    data = tmp_path / "data"
    portal = portail.Portal.open(
        data,
        settings=portail.Settings.new("MA SOCIETE", "masociete.fr"),
        security=portail.SecurityPolicy.fast_for_tests(),
    )
    assert portal.tenant == "default"
    portal.parties().upsert(client_4())
    doc = portal.documents().publish(
        "4", "Factures", PDF, name="FA-0002.pdf", kind=portail.DocumentKind.INVOICE
    )
    assert portal.sync().dispatch.sent == 1
    assert (data / "portail.sqlite3").exists()
    assert len(list((data / "outbox").glob("*.eml"))) == 1
    again = portail.Portal.open(str(data))
    assert again.documents().get(doc.id) == doc
    assert again.documents().content(doc.id) == PDF


def test_open_is_one_line(tmp_path: pathlib.Path) -> None:
    portal = portail.Portal.open(tmp_path / "data")
    assert portal.tenant == "default"
    assert portal.settings().company_name == "Portail"
    assert (tmp_path / "data" / "portail.sqlite3").exists()


def test_constructor_with_directories(tmp_path: pathlib.Path) -> None:
    portal = portail.Portal(
        "t",
        portail.Settings.new("A", "a.fr"),
        blobs_dir=tmp_path / "blobs",
        outbox_dir=tmp_path / "outbox",
        clock=portail.FixedClock(START),
    )
    portal.parties().upsert(client_4())
    portal.documents().publish("4", "Contrats", PDF, name="C.pdf")
    portal.sync()
    assert any((tmp_path / "blobs").rglob("*"))
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert portal.now() == START
    with pytest.raises(portail.InvalidInputError) as both:
        portail.Portal("t", outbox_dir=tmp_path, mailer=portail.MemoryMailer())
    assert both.value.field == "mailer"


def test_settings_defaults_come_from_the_core() -> None:
    s = portail.Settings.new("MA SOCIETE", "masociete.fr")
    assert s.sender == "noreply@masociete.fr"
    assert s.client.portal_url == "https://masociete.fr/clients"
    assert s.audience(portail.Audience.EMPLOYEE).page_size == 25
    assert s.language is portail.Language.FRENCH
    assert portail.AudienceSettings.new("https://x.fr/p").notifications_enabled


def test_folders_default_tree_and_changes(portal: portail.Portal) -> None:
    labels = [f.label for f in portal.folders().list()]
    assert sorted(labels) == sorted(
        ["Contrats à signer", "Devis à signer", "Contrats", "Devis", "Factures"]
    )
    factures = portal.folders().get("Factures")
    assert (factures.notify_on, factures.link) == (
        portail.EmailRole.BILLING,
        portail.LinkTarget.ACCOUNT_STATEMENT,
    )
    assert portal.folders().get("Contrats à signer").signature is portail.SignaturePlacement.RIGHT
    bulletins = portal.folders().get("Bulletins", audience=portail.Audience.EMPLOYEE)
    assert bulletins.link is portail.LinkTarget.PAYSLIPS
    added = portal.folders().add(portail.Folder(portail.Audience.CLIENT, "Divers", "Divers"))
    assert added.id and added.version == 1
    hidden = portal.folders().update(dataclasses.replace(added, shared=False))
    assert not hidden.shared
    portal.parties().upsert(client_4())
    doc = portal.documents().publish("4", "Divers", PDF, name="d.pdf")
    assert doc.notification.reason is portail.SkipReason.FOLDER_NOT_SHARED
    with pytest.raises(portail.InvalidStateError):
        portal.folders().remove("Divers")
    portal.folders().remove("Devis")


def test_templates(portal: portail.Portal, mailer: portail.MemoryMailer) -> None:
    t = portal.templates().get(portail.TemplatePurpose.DOCUMENT_AVAILABLE)
    assert t.version == 0
    fields = portal.templates().fields(portail.TemplatePurpose.ACCESS_CREDENTIALS)
    assert portail.MergeField.PASSWORD in fields
    saved = portal.templates().save(
        dataclasses.replace(t, subject="#société# : #document#", body="Bonjour #nom#, #lien#")
    )
    assert saved.version == 1
    portal.parties().upsert(client_4())
    portal.documents().publish("4", "Factures", PDF, name="FA-9.pdf", kind="invoice")
    portal.sync()
    [m] = mailer.messages()
    assert m.subject == "MA SOCIETE : FA-9.pdf"
    assert m.body == "Bonjour MOI MEME, https://masociete.fr/clients/account-statement"


def test_parties_list_and_find(portal: portail.Portal) -> None:
    for i in range(12):
        portal.parties().upsert(portail.Party.client(f"C{i:02}", f"Client {i}"))
    page = portal.parties().list(limit=10)
    assert (len(page), page.total) == (10, 12)
    assert [p.code for p in page][:2] == ["C00", "C01"]
    assert portal.parties().find("nope") is None
    p = portal.parties().get("C03")
    assert p == portal.parties().get("C03") and p.version == 1


def test_records_are_frozen_values_and_pickle() -> None:
    party = client_4()
    with pytest.raises(dataclasses.FrozenInstanceError):
        party.name = "x"  # type: ignore[misc]
    assert party == client_4()
    assert pickle.loads(pickle.dumps(party)) == party
    assert portail.Audience("client") is portail.Audience.CLIENT
    assert portail.Audience.CLIENT == "client"  # type: ignore[comparison-overlap]
    assert str(portail.Audience.CLIENT) == "client"


def test_returned_records_are_typed_by_records_py(portal: portail.Portal) -> None:
    """The binding builds records from the core's serde form, converting each field by its
    type hint: enum members, aware UTC datetimes, nested records, tuples and enum-keyed dicts;
    the records are frozen, equal to the same record built through ``__init__``, and pickle."""
    party = portal.parties().upsert(client_4())
    assert all(type(role) is portail.EmailRole for role in party.emails)
    doc = portal.documents().publish("4", "Factures", PDF, name="FA-1.pdf", kind="invoice")
    assert doc.kind is portail.DocumentKind.INVOICE and doc.audience is portail.Audience.CLIENT
    assert doc.published_at == START and doc.published_at.utcoffset() == dt.timedelta(0)
    assert doc.notification == portail.NotificationDecision("queued", doc.notification.notification_id)
    assert doc.notification.queued
    skipped = portal.documents().publish("4", "Devis", PDF, name="DE-1.pdf").notification
    assert skipped == portail.NotificationDecision(
        "skipped", None, portail.SkipReason.NO_ADDRESS, portail.EmailRole.QUOTES
    )
    portal.sync()
    [sent] = portal.notifications().history(party_code="4")
    assert isinstance(sent.attempts, tuple)
    assert sent.attempts[0].outcome is portail.AttemptOutcome.SENT and sent.attempts[0].error is None
    assert sent.sent_at is not None and sent.sent_at.tzinfo is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.name = "x"  # type: ignore[misc]
    assert dataclasses.replace(doc) == doc and pickle.loads(pickle.dumps(doc)) == doc
    page = portal.documents().list("4", limit=1)
    assert (page.total, page.has_more, page.next) == (2, True, 1) and page.cursor is not None
    assert portal.documents().list("4", cursor=page.cursor).items[0] != page.items[0]


def test_fixed_clock() -> None:
    c = portail.FixedClock(START)
    c.advance(dt.timedelta(hours=2))
    assert c.now() == START + dt.timedelta(hours=2)
    c.set(dt.datetime(2027, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    assert c.now() == dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    assert c.now().tzinfo is not None
    with pytest.raises(TypeError):
        portail.FixedClock(dt.datetime(2026, 1, 1))


def test_update_settings_with_a_callable(portal: portail.Portal) -> None:
    before = portal.settings().version
    saved = portal.update_settings(lambda s: dataclasses.replace(s, reply_to="compta@masociete.fr"))
    assert saved.reply_to == "compta@masociete.fr"
    assert saved.version == before + 1 == portal.settings().version

    def refuse(s: portail.Settings) -> portail.Settings:
        raise KeyError("no")

    with pytest.raises(KeyError):
        portal.update_settings(refuse)
    assert portal.settings().version == before + 1, "nothing saved"
    with pytest.raises(portail.InvalidInputError) as bad:
        portal.update_settings(lambda s: dataclasses.replace(s, sender="x"))
    assert bad.value.field == "sender"
