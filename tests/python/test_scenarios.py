"""The Python runner of the golden scenarios (``tests/scenarios/*.json``, format in its README).

Every file is replayed through the public API of ``portail`` and its results are compared in
their canonical JSON form, exactly as the Rust runner (``core/tests/scenarios.rs``) does: same
step kinds, same arguments, same matching and the same assertion counting. The line
``scenarios: F files, S steps, A assertions`` is printed at the end of the session by
``conftest.py``; it must equal the Rust runner's.

The Python binding's values are converted to the canonical form generically (dataclasses to
objects, enums to their value, datetimes to RFC 3339, bytes to ``{"size", "sha256", "pdf"}``,
exceptions to ``{"code", "message", "field", ...}``);
where the binding's shape differs from the canonical one, :func:`canon` says so ("SHAPE:").
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import enum
import hashlib
import json
import pathlib
import re
import typing
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import pytest

import portail
from conftest import SCENARIO_RUNS

SCENARIO_DIR = pathlib.Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIO_DIR.glob("*.json"), key=lambda p: p.name)
if not FILES:
    raise RuntimeError(f"no scenario files in {SCENARIO_DIR}")

#: A JSON value (``None``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``dict``).
Json = Any

PAYLOAD_FIELDS = ("reason", "what", "key", "identifier", "until", "document")


class Failure(Exception):
    """A step failed (wrong outcome, bad reference) or the file is malformed."""


@dataclasses.dataclass
class Outcome:
    """What a step gave: its canonical result, or the canonical form of its error."""

    ok: bool
    value: Json


# ---------------------------------------------------------------------------------------------
# Canonical form (README: Values)


def timestamp(t: dt.datetime) -> str:
    """RFC 3339 in UTC with ``Z``, no fraction when it is zero (chrono's ``AutoSi``)."""
    if t.tzinfo is None:
        raise Failure(f"naive datetime {t!r}")
    t = t.astimezone(dt.timezone.utc)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        text += f".{t.microsecond // 1000:03d}" if t.microsecond % 1000 == 0 else f".{t.microsecond:06d}"
    return text + "Z"


def content_form(b: bytes) -> Json:
    return {"size": len(b), "sha256": hashlib.sha256(b).hexdigest(), "pdf": b.startswith(b"%PDF-")}


def error_form(e: portail.PortailError) -> Json:
    """``{"code", "message", "field"}`` plus the payload attributes the exception carries."""
    out: Dict[str, Json] = {"code": e.code, "message": e.message, "field": e.field}
    attributes = vars(e)
    for name in PAYLOAD_FIELDS:
        if name in attributes:
            # SHAPE: LockedOutError.until is a datetime (a string in the core's error).
            out[name] = canon(attributes[name])
    return out


def canon(x: object) -> Json:
    """The canonical JSON form of a value returned by the Python binding."""
    if isinstance(x, enum.Enum):
        return canon(x.value)
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, dt.datetime):
        return timestamp(x)
    if isinstance(x, (bytes, bytearray, memoryview)):
        return content_form(bytes(x))
    if isinstance(x, portail.PortailError):
        return error_form(x)
    if isinstance(x, portail.BatchReport):
        # SHAPE: BatchReport.created is a property, not a field.
        return {"created": x.created, "rows": [canon(r) for r in x.rows]}
    if isinstance(x, portail.PublishReport):
        # SHAPE: PublishReport.outcomes holds a Document or a PortailError per input;
        # canonical is {"document": ...} or {"error": ...}.
        return {
            "published": x.published,
            "already_published": x.already_published,
            "notifications_queued": x.notifications_queued,
            "outcomes": [
                {"error": canon(o)} if isinstance(o, portail.PortailError) else {"document": canon(o)}
                for o in x.outcomes
            ],
        }
    if isinstance(x, portail.OutgoingMessage):
        # SHAPE: OutgoingMessage is a native class; its sender is the property ``from_``.
        return {
            "to": x.to,
            "from": x.from_,
            "reply_to": x.reply_to,
            "subject": x.subject,
            "body": x.body,
            "notification_id": x.notification_id,
        }
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: canon(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, Mapping):
        # Party.emails has EmailRole keys.
        return {str(canon(k)): canon(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        # Notification.attempts is a tuple.
        return [canon(i) for i in x]
    raise Failure(f"no canonical form for {type(x).__name__}: {x!r}")


# ---------------------------------------------------------------------------------------------
# Arguments


def str_of(args: Json, key: str) -> str:
    v = args.get(key) if isinstance(args, dict) else None
    if not isinstance(v, str):
        raise Failure(f"{key!r} must be a string")
    return v


def opt_str(args: Json, key: str) -> Optional[str]:
    v = args.get(key) if isinstance(args, dict) else None
    return v if isinstance(v, str) else None


def opt_bool(args: Json, key: str) -> Optional[bool]:
    v = args.get(key) if isinstance(args, dict) else None
    return v if isinstance(v, bool) else None


def opt_uint(args: Json, key: str) -> Optional[int]:
    v = opt_int(args, key)
    return v if v is not None and v >= 0 else None


def opt_int(args: Json, key: str) -> Optional[int]:
    v = args.get(key) if isinstance(args, dict) else None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def paging_kw(args: Json) -> Dict[str, Any]:
    """``offset``, ``limit`` and ``cursor`` as given (the binding reads them by the contract's
    rule, negative numbers included)."""
    kw: Dict[str, Any] = {}
    for key in ("offset", "limit"):
        if opt_int(args, key) is not None:
            kw[key] = opt_int(args, key)
    if opt_str(args, "cursor") is not None:
        kw["cursor"] = opt_str(args, "cursor")
    return kw


E = typing.TypeVar("E", bound=enum.Enum)


def parse_enum(cls: typing.Type[E], v: Json) -> E:
    try:
        return cls(v)
    except (ValueError, TypeError) as e:
        raise Failure(f"bad value {json.dumps(v)}: {e}") from e


def audience(args: Json) -> portail.Audience:
    if isinstance(args, dict) and "audience" in args:
        return parse_enum(portail.Audience, args["audience"])
    return portail.Audience.CLIENT


def content(v: Json) -> Union[bytes, pathlib.Path]:
    """Bytes, or the absolute path of a fixture that the binding reads itself."""
    if isinstance(v, dict) and isinstance(v.get("path"), str):
        return SCENARIO_DIR / "fixtures" / typing.cast(str, v["path"])
    if isinstance(v, dict) and isinstance(v.get("text"), str):
        return typing.cast(str, v["text"]).encode("utf-8")
    if isinstance(v, dict) and isinstance(v.get("file"), str):
        f = typing.cast(str, v["file"])
        try:
            return (SCENARIO_DIR / "fixtures" / f).read_bytes()
        except OSError as e:
            raise Failure(f"{f}: {e}") from e
    raise Failure(f"bad content {json.dumps(v)}")


PUBLISH_ARGS = ("audience", "party", "folder", "name", "content", "kind", "payment", "external_id")


def publish_args(args: Json) -> Dict[str, Any]:
    """The keyword arguments of ``portail.Publish`` (and ``Documents.publish``)."""
    if not isinstance(args, dict):
        raise Failure("publish arguments are an object")
    for k in args:
        if k not in PUBLISH_ARGS:
            raise Failure(f"documents.publish: unknown argument {k!r}")
    data = content(args.get("content"))
    kw: Dict[str, Any] = {
        "party_code": str_of(args, "party"),
        "folder": str_of(args, "folder"),
        "content": data,
        "audience": audience(args),
    }
    if isinstance(data, bytes) or "name" in args:
        kw["name"] = str_of(args, "name")
    if "kind" in args:
        kw["kind"] = parse_enum(portail.DocumentKind, args["kind"])
    if "payment" in args:
        kw["payment"] = parse_enum(portail.PaymentStatus, args["payment"])
    external_id = opt_str(args, "external_id")
    if external_id is not None:
        kw["external_id"] = external_id
    return kw


def identifier_kw(v: Json) -> Dict[str, str]:
    """``"code"``/``"email"`` -> ``identifier_from``; ``{"given": x}`` -> ``identifier=x``."""
    if v in ("code", "email"):
        return {"identifier_from": typing.cast(str, v)}
    if isinstance(v, dict) and isinstance(v.get("given"), str):
        return {"identifier": typing.cast(str, v["given"])}
    raise Failure(f"bad identifier {json.dumps(v)}")


def principal_arg(args: Json) -> portail.Principal:
    p = args.get("principal") if isinstance(args, dict) else None
    if p is None:
        raise Failure("principal")
    if not isinstance(p, dict) or "audience" not in p:
        raise Failure("principal.audience")
    return portail.Principal(
        account_id=str_of(p, "account_id"),
        audience=parse_enum(portail.Audience, p["audience"]),
        party_code=str_of(p, "party_code"),
        identifier=str_of(p, "identifier"),
    )


def merge(v: Json, patch: Json) -> Json:
    """``patch`` merged into ``v`` key by key."""
    if isinstance(v, dict) and isinstance(patch, dict):
        for k, x in patch.items():
            v[k] = merge(v.get(k), x)
        return v
    return copy.deepcopy(patch)


class SettingsInput(Exception):
    """The merged settings do not make a ``portail.Settings``."""


def record_from(cls: type, v: Json) -> Any:
    """A settings record (``Settings``, ``AudienceSettings``) from its canonical form; keys it
    does not have are ignored and absent fields keep their defaults, like serde does."""
    if not isinstance(v, dict):
        raise SettingsInput(f"{cls.__name__}: expected an object, got {json.dumps(v)}")
    hints = typing.get_type_hints(cls)
    kw: Dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in v:
            continue
        hint = hints[f.name]
        value = v[f.name]
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            try:
                value = hint(value)
            except ValueError as e:
                raise SettingsInput(str(e)) from e
        elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
            value = record_from(hint, value)
        kw[f.name] = value
    try:
        return cls(**kw)
    except TypeError as e:
        raise SettingsInput(str(e)) from e


# ---------------------------------------------------------------------------------------------
# One replay


def scalar_eq(expected: Json, actual: Json) -> bool:
    """Scalars equal, numbers compared as numbers (as ``serde_json`` values otherwise)."""

    def number(v: Json) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if number(expected) and number(actual):
        return float(expected) == float(actual)
    return json_eq(expected, actual)


def json_eq(a: Json, b: Json) -> bool:
    """``serde_json::Value`` equality: a bool is no number, an integer no float."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(json_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(json_eq(a[k], b[k]) for k in a)
    return bool(a == b)


def dumps(v: Json) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


class Run:
    """One scenario file: the portal, its mailer and clock, the saved values and the count."""

    def __init__(self, portal: Json) -> None:
        if not isinstance(portal, dict):
            raise Failure("portal is an object")
        for key in portal:
            if key not in ("tenant", "company", "domain", "reply_to", "now"):
                raise Failure(f"unknown portal key {key!r}")
        now_text = str_of(portal, "now")
        try:
            now = dt.datetime.fromisoformat(now_text.replace("Z", "+00:00"))
        except ValueError as e:
            raise Failure(f"now: {e}") from e
        if now.tzinfo is None:
            raise Failure(f"now: {now_text!r} has no offset")
        settings = portail.Settings.new(
            str_of(portal, "company"), str_of(portal, "domain"), reply_to=opt_str(portal, "reply_to")
        )
        self.mailer = portail.MemoryMailer()
        self.clock = portail.FixedClock(now)
        try:
            self.portal = portail.Portal.in_memory(
                str_of(portal, "tenant"),
                settings,
                mailer=self.mailer,
                clock=self.clock,
                security=portail.SecurityPolicy.fast_for_tests(),
            )
        except portail.PortailError as e:
            raise Failure(f"open: {e}") from e
        self.saved: Dict[str, Json] = {}
        self.assertions = 0

    def step(self, step: Json) -> None:
        if not isinstance(step, dict):
            raise Failure("a step is an object")
        for key in step:
            if key not in ("do", "with", "save", "expect", "error", "note"):
                raise Failure(f"unknown step key {key!r}")
        if "expect" in step and "error" in step:
            raise Failure("expect and error exclude each other")
        kind = str_of(step, "do")
        args = self.resolve(step.get("with", {}))
        outcome = self.call(kind, args)
        if outcome.ok and "error" in step:
            raise Failure(f"expected an error, got {dumps(outcome.value)}")
        if not outcome.ok:
            if "error" not in step:
                raise Failure(f"failed: {dumps(outcome.value)}")
            self.assertions += 1
            self.matches(self.resolve(step["error"]), outcome.value, "error")
            return
        if "expect" in step:
            self.matches(self.resolve(step["expect"]), outcome.value, "result")
        if "save" in step:
            name = step["save"]
            if not isinstance(name, str):
                raise Failure("save is a name")
            self.saved[name] = outcome.value

    def resolve(self, v: Json) -> Json:
        """``$name.path`` references replaced by saved values."""
        if isinstance(v, str) and v.startswith("$$"):
            return v[1:]
        if isinstance(v, str) and v.startswith("$"):
            parts = v[1:].split(".")
            name = parts[0]
            if name not in self.saved:
                raise Failure(f"nothing saved as {name!r}")
            cur = self.saved[name]
            for part in parts[1:]:
                found = False
                if isinstance(cur, dict):
                    if part in cur:
                        cur, found = cur[part], True
                elif isinstance(cur, list) and re.fullmatch(r"[+-]?[0-9]+", part):
                    i = int(part)
                    i = len(cur) + i if i < 0 else i
                    if 0 <= i < len(cur):
                        cur, found = cur[i], True
                if not found:
                    raise Failure(f"{v}: no {part!r}")
            return copy.deepcopy(cur)
        if isinstance(v, list):
            return [self.resolve(x) for x in v]
        if isinstance(v, dict):
            return {k: self.resolve(x) for k, x in v.items()}
        return v

    def matches(self, expected: Json, actual: Json, at: str) -> None:
        """Match ``actual`` against ``expected`` (README: Matching), counting assertions."""
        if isinstance(expected, dict) and any(k.startswith("$") for k in expected):
            if len(expected) != 1:
                raise Failure(f"{at}: a matcher has one key")
            ((k, arg),) = expected.items()
            self.assertions += 1
            if k == "$contains":
                ok = isinstance(actual, str) and isinstance(arg, str) and arg in actual
            elif k == "$len":
                length = len(actual) if isinstance(actual, (str, list)) else None
                ok = (
                    length is not None
                    and isinstance(arg, int)
                    and not isinstance(arg, bool)
                    and arg >= 0
                    and length == arg
                )
            elif k == "$not":
                ok = not scalar_eq(arg, actual)
            elif k == "$any":
                ok = actual is not None
            else:
                raise Failure(f"{at}: unknown matcher {k}")
            if not ok:
                raise Failure(f"{at}: {dumps(actual)} does not match {dumps(expected)}")
        elif isinstance(expected, dict):
            if not isinstance(actual, dict):
                raise Failure(f"{at}: expected an object, got {dumps(actual)}")
            for k, e in expected.items():
                if k not in actual and e is not None:
                    raise Failure(f"{at}: no key {k!r} in {dumps(actual)}")
                self.matches(e, actual.get(k), f"{at}.{k}")
        elif isinstance(expected, list):
            if not isinstance(actual, list):
                raise Failure(f"{at}: expected an array, got {dumps(actual)}")
            self.assertions += 1
            if len(actual) != len(expected):
                raise Failure(f"{at}: {len(actual)} items, expected {len(expected)}: {dumps(actual)}")
            for i, (e, a) in enumerate(zip(expected, actual)):
                self.matches(e, a, f"{at}.{i}")
        else:
            self.assertions += 1
            if not scalar_eq(expected, actual):
                raise Failure(f"{at}: {dumps(actual)}, expected {dumps(expected)}")

    def call(self, kind: str, args: Json) -> Outcome:
        """Run one step through the binding: its canonical result or error."""
        handler = self.handlers().get(kind)
        if handler is None:
            raise Failure(f"unknown step kind {kind!r}")
        keys, run = handler
        if keys is not None and isinstance(args, dict):
            for k in args:
                if k not in keys:
                    raise Failure(f"{kind}: unknown argument {k!r}")
        try:
            return Outcome(True, canon(run(args)))
        except portail.PortailError as e:
            return Outcome(False, canon(e))
        except Failure:
            raise
        except Exception as e:  # the binding raised something else than a PortailError
            raise Failure(f"raised {type(e).__name__}: {e}") from e

    def handlers(self) -> Dict[str, Tuple[Optional[Sequence[str]], Callable[[Json], object]]]:
        """Each step kind: its known arguments (``None``: not checked) and how it is called."""
        p = self.portal
        return {
            "settings.get": ((), lambda a: p.settings()),
            "settings.update": (None, self.settings_update),
            "parties.upsert": (
                ("audience", "code", "name", "emails", "einvoicing", "company", "unpaid_exempt"),
                self.parties_upsert,
            ),
            "parties.get": (
                ("audience", "code"),
                lambda a: p.parties().get(str_of(a, "code"), audience=audience(a)),
            ),
            "folders.get": (
                ("audience", "folder"),
                lambda a: p.folders().get(str_of(a, "folder"), audience=audience(a)),
            ),
            "documents.publish": (None, self.documents_publish),
            "documents.publish_many": (("items",), self.documents_publish_many),
            "documents.get": (("id",), lambda a: p.documents().get(str_of(a, "id"))),
            "documents.set_payment": (
                ("id", "payment"),
                lambda a: p.documents().set_payment(
                    str_of(a, "id"), parse_enum(portail.PaymentStatus, self.required(a, "payment"))
                ),
            ),
            "documents.content": (("id",), lambda a: p.documents().content(str_of(a, "id"))),
            "notifications.history": (
                ("audience", "party_code", "state", "offset", "limit", "cursor"),
                self.notifications_history,
            ),
            "notifications.get": (("id",), lambda a: p.notifications().get(str_of(a, "id"))),
            "notifications.resend": (
                ("id", "force"),
                lambda a: p.notifications().resend(str_of(a, "id"), force=opt_bool(a, "force") or False),
            ),
            "notifications.cancel": (("id",), lambda a: p.notifications().cancel(str_of(a, "id"))),
            "accounts.generate": (
                ("audience", "party", "identifier", "password", "notify_by_email", "authorized"),
                self.accounts_generate,
            ),
            "accounts.generate_batch": (
                ("audience", "parties", "identifier", "notify_by_email"),
                self.accounts_generate_batch,
            ),
            "accounts.get": (("id",), lambda a: p.accounts().get(str_of(a, "id"))),
            "accounts.set_authorized": (
                ("id", "authorized"),
                lambda a: p.accounts().set_authorized(str_of(a, "id"), self.required_bool(a, "authorized")),
            ),
            "accounts.revoke": (("id",), lambda a: p.accounts().revoke(str_of(a, "id"))),
            "accounts.draft_password": (
                ("id",),
                lambda a: p.accounts().draft_password(str_of(a, "id")),
            ),
            "access.login": (
                ("audience", "identifier", "password"),
                lambda a: p.login(str_of(a, "identifier"), str_of(a, "password"), audience=audience(a)),
            ),
            "access.change_password": (
                ("principal", "current", "new_password"),
                lambda a: p.change_password(
                    principal_arg(a), str_of(a, "current"), str_of(a, "new_password")
                ),
            ),
            "access.request_password_reset": (
                ("audience", "identifier"),
                lambda a: p.request_password_reset(str_of(a, "identifier"), audience=audience(a)),
            ),
            "access.reset_password": (
                ("audience", "token", "new_password"),
                lambda a: p.reset_password(
                    str_of(a, "token"), str_of(a, "new_password"), audience=audience(a)
                ),
            ),
            "view.folders": (("principal",), lambda a: p.view(principal_arg(a)).folders()),
            "view.documents": (
                ("principal", "folder", "offset", "limit", "cursor"),
                self.view_documents,
            ),
            "view.open": (
                ("principal", "document"),
                lambda a: p.view(principal_arg(a)).open(str_of(a, "document")),
            ),
            "view.sign": (
                ("principal", "document", "signer_name", "ip_address", "user_agent"),
                lambda a: p.view(principal_arg(a)).sign(
                    str_of(a, "document"),
                    signer_name=str_of(a, "signer_name"),
                    ip_address=str_of(a, "ip_address"),
                    user_agent=str_of(a, "user_agent"),
                ),
            ),
            "sync": ((), lambda a: p.sync()),
            "dispatch": (("limit",), self.dispatch),
            "clock.advance": (("seconds", "minutes", "hours", "days"), self.clock_advance),
            "mails": ((), self.mails),
            "mails.fail_next": (("errors",), self.mails_fail_next),
            "text.between": (("text", "after", "until"), self.text_between),
        }

    @staticmethod
    def required(args: Json, key: str) -> Json:
        if not isinstance(args, dict) or key not in args:
            raise Failure(key)
        return args[key]

    @staticmethod
    def required_bool(args: Json, key: str) -> bool:
        v = opt_bool(args, key)
        if v is None:
            raise Failure(key)
        return v

    # The steps that take more than one line.

    def settings_update(self, patch: Json) -> object:
        current = canon(self.portal.settings())
        merged = merge(current, patch)
        try:
            settings = record_from(portail.Settings, merged)
        except SettingsInput as e:
            # As the Rust runner: merged settings that do not deserialize are invalid input.
            self.raise_invalid("settings", str(e))
        return self.portal.save_settings(typing.cast(portail.Settings, settings))

    @staticmethod
    def raise_invalid(field: str, reason: str) -> typing.NoReturn:
        raise portail.InvalidInputError(f"invalid {field}: {reason}", field=field, reason=reason)

    def parties_upsert(self, a: Json) -> object:
        emails: Dict[portail.EmailRole, str] = {}
        raw = a.get("emails")
        if isinstance(raw, dict):
            for role, address in raw.items():
                if not isinstance(address, str):
                    raise Failure("an address is a string")
                emails[parse_enum(portail.EmailRole, role)] = address
        code, name = str_of(a, "code"), str_of(a, "name")
        aud = audience(a)
        party = (
            portail.Party.client(code, name, emails=emails)
            if aud is portail.Audience.CLIENT
            else portail.Party.employee(code, name, emails=emails)
        )
        changes: Dict[str, Any] = {}
        if "einvoicing" in a:
            changes["einvoicing"] = parse_enum(portail.EInvoicingConsent, a["einvoicing"])
        if opt_str(a, "company") is not None:
            changes["company"] = opt_str(a, "company")
        if opt_bool(a, "unpaid_exempt") is not None:
            changes["unpaid_exempt"] = opt_bool(a, "unpaid_exempt")
        return self.portal.parties().upsert(dataclasses.replace(party, **changes))

    def documents_publish(self, a: Json) -> object:
        kw = publish_args(a)
        party, folder, data = kw.pop("party_code"), kw.pop("folder"), kw.pop("content")
        return self.portal.documents().publish(party, folder, data, **kw)

    def documents_publish_many(self, a: Json) -> object:
        items = a.get("items")
        if not isinstance(items, list):
            raise Failure("items is a list")
        requests = [portail.Publish(**publish_args(i)) for i in items]
        return self.portal.documents().publish_many(requests)

    def notifications_history(self, a: Json) -> object:
        kw: Dict[str, Any] = {}
        if "audience" in a:
            kw["audience"] = parse_enum(portail.Audience, a["audience"])
        if opt_str(a, "party_code") is not None:
            kw["party_code"] = opt_str(a, "party_code")
        if "state" in a:
            kw["state"] = parse_enum(portail.NotificationState, a["state"])
        kw.update(paging_kw(a))
        return self.portal.notifications().history(**kw)

    def accounts_generate(self, a: Json) -> object:
        kw: Dict[str, Any] = {"audience": audience(a)}
        if "identifier" in a:
            kw.update(identifier_kw(a["identifier"]))
        for key in ("notify_by_email", "authorized"):
            if opt_bool(a, key) is not None:
                kw[key] = opt_bool(a, key)
        if opt_str(a, "password") is not None:
            kw["password"] = opt_str(a, "password")
        return self.portal.accounts().generate(str_of(a, "party"), **kw)

    def accounts_generate_batch(self, a: Json) -> object:
        codes = a.get("parties")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise Failure(f"parties: expected a list of codes, got {dumps(codes)}")
        kw: Dict[str, Any] = {"audience": audience(a)}
        if "identifier" in a:
            # {"given": x} becomes identifier=x, as for accounts.generate: the binding's
            # generate_batch has no such argument (a TypeError, reported as a failure).
            kw.update(identifier_kw(a["identifier"]))
        if opt_bool(a, "notify_by_email") is not None:
            kw["notify_by_email"] = opt_bool(a, "notify_by_email")
        return self.portal.accounts().generate_batch(codes, **kw)

    def view_documents(self, a: Json) -> object:
        kw: Dict[str, Any] = {}
        if opt_str(a, "folder") is not None:
            kw["folder"] = opt_str(a, "folder")
        kw.update(paging_kw(a))
        return self.portal.view(principal_arg(a)).documents(**kw)

    def dispatch(self, a: Json) -> object:
        limit = opt_uint(a, "limit")
        return self.portal.dispatch(100 if limit is None else limit)

    def clock_advance(self, a: Json) -> object:
        def n(key: str) -> int:
            v = a.get(key)
            return v if isinstance(v, int) and not isinstance(v, bool) else 0

        self.clock.advance(
            dt.timedelta(seconds=n("seconds"), minutes=n("minutes"), hours=n("hours"), days=n("days"))
        )
        return None

    def mails(self, a: Json) -> object:
        messages = self.mailer.messages()
        self.mailer.clear()
        return sorted(messages, key=lambda m: (m.to, m.subject, m.body))

    def mails_fail_next(self, a: Json) -> object:
        errors = a.get("errors")
        if not isinstance(errors, list):
            raise Failure("errors is a list")
        calls: List[Dict[str, List[str]]] = []
        for e in errors:
            transient, permanent = opt_str(e, "transient"), opt_str(e, "permanent")
            if transient is not None and permanent is None:
                calls.append({"transient": [transient]})
            elif permanent is not None and transient is None:
                calls.append({"permanent": [permanent]})
            else:
                raise Failure(f"bad mail error {dumps(e)}")
        # IDIOM: fail_next(transient=[...], permanent=[...]) puts every transient failure
        # first; one call per error keeps the file's order (each call queues after the last).
        for kw in calls:
            self.mailer.fail_next(**kw)
        return None

    def text_between(self, a: Json) -> object:
        text, after = str_of(a, "text"), str_of(a, "after")
        start = text.find(after)
        if start < 0:
            raise Failure(f"{after!r} not in {text!r}")
        rest = text[start + len(after) :]
        until = opt_str(a, "until")
        end = rest.find(until) if until is not None else -1
        return rest[: end if end >= 0 else len(rest)]


def run_file(path: pathlib.Path) -> Tuple[int, int]:
    """Replay one file: its step and assertion counts, or a :class:`Failure`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise Failure(f"bad JSON: {e}") from e
    if not isinstance(data, dict):
        raise Failure("a scenario is an object")
    for key in data:
        if key not in ("title", "source", "portal", "steps"):
            raise Failure(f"unknown top-level key {key!r}")
    if "portal" not in data:
        raise Failure("no portal")
    run = Run(data["portal"])
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise Failure("no steps")
    for i, step in enumerate(steps):
        try:
            run.step(step)
        except Failure as e:
            kind = step.get("do") if isinstance(step, dict) else None
            raise Failure(f"step {i + 1} ({dumps(kind)}): {e}") from e
    return len(steps), run.assertions


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_scenario(path: pathlib.Path) -> None:
    SCENARIO_RUNS[path.name] = None
    failure: Optional[str] = None
    try:
        SCENARIO_RUNS[path.name] = run_file(path)
    except Failure as e:
        failure = f"{path.name}: {e}"
    if failure is not None:
        pytest.fail(failure, pytrace=False)


PORTAL = {"tenant": "t", "company": "A", "domain": "a.fr", "now": "2026-01-05T09:00:00Z"}
PARTY = {"do": "parties.upsert", "with": {"code": "1", "name": "ONE"}, "save": "p"}


@pytest.mark.parametrize(
    "scenario, failure",
    [
        ({"portal": PORTAL, "steps": [], "author": "x"}, "unknown top-level key 'author'"),
        ({"portal": {**PORTAL, "seed": 1}, "steps": []}, "unknown portal key 'seed'"),
        ({"portal": PORTAL, "steps": [{**PARTY, "comment": ""}]}, "unknown step key 'comment'"),
        ({"portal": PORTAL, "steps": [{"do": "parties.delete"}]}, "unknown step kind 'parties.delete'"),
        ({"portal": PORTAL, "steps": [{"do": "sync", "with": {"limit": 1}}]}, "sync: unknown argument 'limit'"),
        (
            {"portal": PORTAL, "steps": [{**PARTY, "with": {"code": "1", "name": "ONE", "vat": "x"}}]},
            "parties.upsert: unknown argument 'vat'",
        ),
        (
            {"portal": PORTAL, "steps": [{**PARTY, "expect": {"name": {"$startswith": "O"}}}]},
            "result.name: unknown matcher $startswith",
        ),
        (
            {"portal": PORTAL, "steps": [{**PARTY, "expect": {}, "error": {}}]},
            "expect and error exclude each other",
        ),
        ({"portal": PORTAL, "steps": [{"do": "parties.get", "with": {"code": "$q.code"}}]}, "nothing saved as 'q'"),
        (
            {"portal": PORTAL, "steps": [PARTY, {"do": "parties.get", "with": {"code": "$p.emails.main"}}]},
            "no 'main'",
        ),
        ({"portal": PORTAL, "steps": [{**PARTY, "expect": {"name": "TWO"}}]}, 'result.name: "ONE", expected "TWO"'),
        ({"portal": PORTAL, "steps": [{**PARTY, "error": {"code": "not_found"}}]}, "expected an error"),
        ({"portal": PORTAL, "steps": [{"do": "parties.get", "with": {"code": "9"}}]}, "failed: "),
    ],
)
def test_runner_is_strict(tmp_path: pathlib.Path, scenario: Json, failure: str) -> None:
    """The runner fails on what it does not know, on a bad reference and on a wrong outcome."""
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    with pytest.raises(Failure, match=re.escape(failure)):
        run_file(path)
