"""Every error class, raised by real bad input where the core has one, with its code and field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import threading
from typing import Callable, List, Tuple

import pytest

import portail
import portail.exceptions
from conftest import PDF, client_4

ALL_CLASSES = {
    "invalid_input": portail.InvalidInputError,
    "not_found": portail.NotFoundError,
    "identifier_taken": portail.IdentifierTakenError,
    "invalid_state": portail.InvalidStateError,
    "conflict": portail.ConflictError,
    "access_denied": portail.AccessDeniedError,
    "invalid_credentials": portail.InvalidCredentialsError,
    "locked_out": portail.LockedOutError,
    "invalid_token": portail.InvalidTokenError,
    "payment_required": portail.PaymentRequiredError,
    "pdf": portail.PdfError,
    "mail": portail.MailError,
    "storage": portail.StorageError,
    "internal": portail.InternalError,
}

PAYLOAD = ("field", "what", "key", "reason", "identifier", "until", "document")


def test_one_class_per_core_code() -> None:
    assert portail._native.error_codes() == list(ALL_CLASSES)
    for code, cls in ALL_CLASSES.items():
        assert issubclass(cls, portail.PortailError) and issubclass(cls, Exception)
        assert cls.code == code
        with pytest.raises(cls) as e:
            portail._native._raise_for_test(code)
        assert e.value.code == code
        assert type(e.value) is cls
        for name in PAYLOAD:
            assert hasattr(e.value, name), (code, name)


def test_same_payload_fields_as_every_language() -> None:
    with pytest.raises(portail.NotFoundError) as nf:
        portail._native._raise_for_test("not_found")
    assert (nf.value.what, nf.value.key, nf.value.field, nf.value.reason) == ("party", "4", None, None)
    with pytest.raises(portail.InvalidStateError) as st:
        portail._native._raise_for_test("invalid_state")
    assert (st.value.what, st.value.reason) == ("notification n1", "already sent")
    with pytest.raises(portail.InvalidInputError) as ii:
        portail._native._raise_for_test("invalid_input")
    assert ii.value.field == "emails.billing" and ii.value.reason == '"x" has no @'


def test_an_unknown_code_is_the_base_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(portail.exceptions.BY_CODE, "pdf")
    with pytest.raises(portail.PortailError) as e:
        portail._native._raise_for_test("pdf")
    assert type(e.value) is portail.PortailError
    assert (e.value.code, e.value.reason) == ("pdf", "truncated")


def test_mapped_fields() -> None:
    with pytest.raises(portail.LockedOutError) as locked:
        portail._native._raise_for_test("locked_out")
    assert locked.value.until == dt.datetime(2026, 1, 1, 0, 15, tzinfo=dt.timezone.utc)
    with pytest.raises(portail.PaymentRequiredError) as paid:
        portail._native._raise_for_test("payment_required")
    assert paid.value.document == "FA-0002.pdf"
    with pytest.raises(portail.StorageError) as storage:
        portail._native._raise_for_test("storage")
    assert storage.value.reason == "disk full" and storage.value.field is None


def test_a_panic_is_an_internal_error_not_a_base_exception() -> None:
    with pytest.raises(portail.InternalError, match="test panic") as e:
        portail._native._raise_for_test("internal")
    assert isinstance(e.value, portail.PortailError)


def test_invalid_input_names_the_field(portal: portail.Portal) -> None:
    cases: List[Tuple[Callable[[], object], str]] = [
        (lambda: portal.parties().upsert(client_4(billing="nope")), "emails.billing"),
        (lambda: portal.parties().upsert(portail.Party.client("", "X")), "code"),
        (lambda: portail.Portal.in_memory("", portail.Settings.new("A", "a.fr")), "tenant"),
        (lambda: portal.save_settings(dataclasses.replace(portal.settings(), sender="x")), "sender"),
        (lambda: portal.parties().get("4", audience="martians"), "audience"),  # type: ignore[arg-type]
        (lambda: portal.documents().publish("4", "Contrats", PDF), "name"),
        (lambda: portal.documents().list("4", limit=0), "limit"),
        (lambda: portal.documents().list("4", limit=-5), "limit"),
        (lambda: portal.parties().list(offset=-1), "offset"),
        (lambda: portal.notifications().history(offset=-1), "offset"),
        (
            lambda: portal.templates().save(
                portail.Template(
                    portail.Audience.CLIENT, portail.TemplatePurpose.DOCUMENT_AVAILABLE, "#prix#", "b"
                )
            ),
            "subject",
        ),
    ]
    for call, field in cases:
        with pytest.raises(portail.InvalidInputError) as e:
            call()
        assert e.value.field == field, (field, e.value)
        assert e.value.code == "invalid_input"


def test_not_found_names_what(portal: portail.Portal) -> None:
    with pytest.raises(portail.NotFoundError) as e:
        portal.parties().get("404")
    assert (e.value.what, e.value.key) == ("party", "404")
    with pytest.raises(portail.NotFoundError):
        portal.documents().publish("404", "Factures", PDF, name="x.pdf")
    portal.parties().upsert(client_4())
    with pytest.raises(portail.NotFoundError):
        portal.documents().publish("4", "Nulle part", PDF, name="x.pdf")
    with pytest.raises(portail.NotFoundError):
        portal.notifications().get("nope")


def test_conflict_on_a_stale_version(portal: portail.Portal) -> None:
    s = portal.settings()
    portal.save_settings(dataclasses.replace(s, company_name="UN"))
    with pytest.raises(portail.ConflictError) as e:
        portal.save_settings(dataclasses.replace(s, company_name="DEUX"))
    assert e.value.what == "settings"


def test_errors_from_another_thread(portal: portail.Portal) -> None:
    caught: list[BaseException] = []

    def worker() -> None:
        try:
            portal.parties().get("404")
        except portail.PortailError as e:
            caught.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(caught) == 4 and all(isinstance(e, portail.NotFoundError) for e in caught)


def test_corrupted_blob_is_a_storage_error(tmp_path: pathlib.Path) -> None:
    portal = portail.Portal("t", portail.Settings.new("A", "a.fr"), blobs_dir=tmp_path)
    portal.parties().upsert(client_4())
    doc = portal.documents().publish("4", "Contrats", PDF, name="C.pdf")
    blob = tmp_path / doc.sha256[:2] / doc.sha256[2:]
    assert blob.read_bytes() == PDF
    blob.write_bytes(b"tampered")
    with pytest.raises(portail.StorageError) as e:
        portal.documents().content(doc.id)
    assert e.value.code == "storage" and e.value.field is None


def test_a_second_account_for_the_party_is_an_invalid_state(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    portal.accounts().generate("4")
    with pytest.raises(portail.InvalidStateError) as e:
        portal.accounts().generate("4", identifier="autre")
    assert "already has access" in str(e.value)
