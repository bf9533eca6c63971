"""The hand-written stub of the native module: docstrings for editors, and enum arguments that
accept the plain values the runtime accepts (pinned by calling the runtime with them)."""

from __future__ import annotations

import ast
import pathlib
from typing import Dict, List, Set, Union

import pytest

import portail
from conftest import PDF, client_4

#: The stub shipped next to the installed package (the one editors and mypy read).
STUB = pathlib.Path(portail.__file__).with_name("_native.pyi")

Definition = Union[ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef]


def _stub() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"), filename=str(STUB))


def _public(name: str) -> bool:
    """Public names, plus the dunders a user meets (``__new__`` is the constructor)."""
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _definitions(body: List[ast.stmt], prefix: str = "") -> Dict[str, Definition]:
    """Every public class and function of the stub, methods under ``Class.name``; the private
    helpers (``_SendsMail``, ``_raise_for_test``) are left out."""
    found: Dict[str, Definition] = {}
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if not _public(node.name):
                continue
            found[prefix + node.name] = node
            if isinstance(node, ast.ClassDef):
                found.update(_definitions(node.body, f"{node.name}."))
    return found


def _enum_aliases(tree: ast.Module) -> Dict[str, ast.expr]:
    """The stub's ``_X = Union[SomeEnum, Literal[...]]`` aliases, by name."""
    aliases: Dict[str, ast.expr] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Subscript)
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "Union"
            and isinstance(node.value.slice, ast.Tuple)
        ):
            first = node.value.slice.elts[0]
            if isinstance(first, ast.Name) and first.id in portail.enums.__all__:
                aliases[node.targets[0].id] = node.value.slice
    return aliases


def test_every_public_definition_of_the_stub_has_a_docstring() -> None:
    definitions = _definitions(_stub().body)
    assert "Portal.login" in definitions and "pdf_watermark" in definitions
    missing = sorted(name for name, node in definitions.items() if not ast.get_docstring(node))
    assert not missing, f"{STUB.name}: no docstring for {', '.join(missing)}"


def test_every_native_class_and_function_is_documented_in_the_stub() -> None:
    definitions = _definitions(_stub().body)
    exported = [n for n in portail._native.__all__ if _public(n) and n != "__version__"]
    assert sorted(set(exported) - set(definitions)) == []


def test_each_enum_alias_lists_exactly_the_enum_values() -> None:
    aliases = _enum_aliases(_stub())
    assert {"_Audience", "_Purpose", "_State", "_Status", "_Language"} <= set(aliases)
    for name, union in aliases.items():
        assert isinstance(union, ast.Tuple)
        enum_name, literal = union.elts
        assert isinstance(enum_name, ast.Name)
        assert isinstance(literal, ast.Subscript)
        assert isinstance(literal.value, ast.Name) and literal.value.id == "Literal"
        values = literal.slice.elts if isinstance(literal.slice, ast.Tuple) else [literal.slice]
        listed: Set[object] = {v.value for v in values if isinstance(v, ast.Constant)}
        enum = getattr(portail.enums, enum_name.id)
        assert listed == {m.value for m in enum}, name


def test_no_argument_of_the_stub_takes_an_enum_without_its_plain_values() -> None:
    """The binding parses every enum argument by its value: a bare enum annotation on an
    argument would make mypy reject what the runtime accepts."""
    enums = set(portail.enums.__all__)
    bare = []
    for name, node in _definitions(_stub().body).items():
        if isinstance(node, ast.ClassDef):
            continue
        args = node.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            if arg.annotation is None:
                continue
            used = {n.id for n in ast.walk(arg.annotation) if isinstance(n, ast.Name)}
            if used & enums:
                bare.append(f"{name}({arg.arg})")
    assert bare == []


# The runtime behaviour the aliases promise: plain values work where the stub accepts them.


def test_templates_take_the_purpose_as_a_string(portal: portail.Portal) -> None:
    templates = portal.templates()
    by_string = templates.get("document_available", audience="employee")
    assert by_string == templates.get(
        portail.TemplatePurpose.DOCUMENT_AVAILABLE, audience=portail.Audience.EMPLOYEE
    )
    assert by_string.purpose is portail.TemplatePurpose.DOCUMENT_AVAILABLE
    assert templates.fields("access_credentials") == templates.fields(
        portail.TemplatePurpose.ACCESS_CREDENTIALS
    )
    with pytest.raises(portail.InvalidInputError) as e:
        templates.get("newsletter")  # type: ignore[arg-type]
    assert e.value.field == "purpose"


def test_history_state_account_status_and_payment_take_strings(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    doc = portal.documents().publish("4", "Factures", PDF, name="FA-1.pdf", kind="invoice")
    portal.accounts().generate("4", identifier_from="code")

    pending = portal.notifications().history(state="pending")
    assert pending.total == 1 and pending[0].state is portail.NotificationState.PENDING
    assert portal.notifications().history(state="sent").total == 0

    drafts = portal.accounts().list(status="draft")
    assert [a.party_code for a in drafts] == ["4"]
    assert drafts[0].status is portail.AccountStatus.DRAFT
    assert portal.accounts().list(status="active").total == 0

    unpaid = portal.documents().set_payment(doc.id, "unpaid")
    assert unpaid.payment is portail.PaymentStatus.UNPAID
    with pytest.raises(portail.InvalidInputError) as e:
        portal.accounts().list(status="deleted")  # type: ignore[arg-type]
    assert e.value.field == "status"


def test_record_helpers_take_strings() -> None:
    settings = portail.Settings.new("MA SOCIETE", "masociete.fr", language="english")
    assert settings.language is portail.Language.ENGLISH
    assert settings.audience("employee") is settings.employee
    assert client_4(billing="compta@moimeme.fr").address("billing") == "compta@moimeme.fr"


def test_stamp_signature_takes_the_placement_as_a_string() -> None:
    sample = portail.pdf.sample_pdf(["contrat"])
    left = portail.pdf.stamp_signature(sample, ["Signé"], placement="left")
    assert left == portail.pdf.stamp_signature(
        sample, ["Signé"], placement=portail.SignaturePlacement.LEFT
    )
