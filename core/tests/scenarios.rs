//! The Rust runner of the golden scenarios (`tests/scenarios/*.json`, format in its README):
//! every file is replayed through the public Rust API and its results are compared in their
//! canonical JSON form. Prints `scenarios: F files, S steps, A assertions`, the line the
//! Python, Node and Kotlin runners print too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use portail::ffi::{AccountView, BatchReportView, DocumentView, PageView, PublishReportView};
use portail::*;

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios")
}

/// A step's result, or the canonical form of its error.
type Outcome = std::result::Result<Value, Value>;

/// One replay: the portal, its mailer and clock, the saved values and the counts.
struct Run {
    portal: Portal,
    mailer: Arc<MemoryMailer>,
    clock: Arc<FixedClock>,
    saved: HashMap<String, Value>,
    assertions: u64,
}

/// A step failed (with the step's index and kind) or the file is malformed.
type Failure = String;

#[test]
fn golden_scenarios() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenario_dir())
        .expect("tests/scenarios exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenario files");
    let (mut steps, mut assertions) = (0u64, 0u64);
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        match run_file(file) {
            Ok((s, a)) => {
                steps += s;
                assertions += a;
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "scenarios: {} files, {steps} steps, {assertions} assertions",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn run_file(path: &Path) -> std::result::Result<(u64, u64), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let file: Value = serde_json::from_str(&text).map_err(|e| format!("bad JSON: {e}"))?;
    let file = file.as_object().ok_or("a scenario is an object")?;
    for key in file.keys() {
        if !["title", "source", "portal", "steps"].contains(&key.as_str()) {
            return Err(format!("unknown top-level key {key:?}"));
        }
    }
    let mut run = Run::open(file.get("portal").ok_or("no portal")?)?;
    let steps = file
        .get("steps")
        .and_then(Value::as_array)
        .ok_or("no steps")?;
    for (i, step) in steps.iter().enumerate() {
        run.step(step)
            .map_err(|e| format!("step {} ({}): {e}", i + 1, step["do"]))?;
    }
    Ok((steps.len() as u64, run.assertions))
}

fn str_of<'a>(v: &'a Value, key: &str) -> std::result::Result<&'a str, Failure> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{key:?} must be a string"))
}

fn opt_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn parse_enum<T: serde::de::DeserializeOwned>(v: &Value) -> std::result::Result<T, Failure> {
    serde_json::from_value(v.clone()).map_err(|e| format!("bad value {v}: {e}"))
}

fn audience(args: &Value) -> std::result::Result<Audience, Failure> {
    args.get("audience")
        .map(parse_enum)
        .unwrap_or(Ok(Audience::Client))
}

impl Run {
    fn open(portal: &Value) -> std::result::Result<Run, Failure> {
        for key in portal.as_object().ok_or("portal is an object")?.keys() {
            if !["tenant", "company", "domain", "reply_to", "now"].contains(&key.as_str()) {
                return Err(format!("unknown portal key {key:?}"));
            }
        }
        let now: DateTime<Utc> = str_of(portal, "now")?
            .parse()
            .map_err(|e| format!("now: {e}"))?;
        let mut settings = Settings::new(str_of(portal, "company")?, str_of(portal, "domain")?);
        if let Some(r) = opt_str(portal, "reply_to") {
            settings = settings.reply_to(r);
        }
        let mailer = Arc::new(MemoryMailer::new());
        let clock = Arc::new(FixedClock::new(now));
        let portal = Portal::builder(str_of(portal, "tenant")?)
            .settings(settings)
            .mailer(mailer.clone())
            .clock(clock.clone())
            .security(SecurityPolicy::fast_for_tests())
            .build()
            .map_err(|e| format!("open: {e}"))?;
        Ok(Run {
            portal,
            mailer,
            clock,
            saved: HashMap::new(),
            assertions: 0,
        })
    }

    fn step(&mut self, step: &Value) -> std::result::Result<(), Failure> {
        let obj = step.as_object().ok_or("a step is an object")?;
        for key in obj.keys() {
            if !["do", "with", "save", "expect", "error", "note"].contains(&key.as_str()) {
                return Err(format!("unknown step key {key:?}"));
            }
        }
        if obj.contains_key("expect") && obj.contains_key("error") {
            return Err("expect and error exclude each other".into());
        }
        let kind = str_of(step, "do")?;
        let args = self.resolve(obj.get("with").unwrap_or(&json!({})))?;
        let outcome = self.call(kind, &args)?;
        let result = match (outcome, obj.get("error")) {
            (Ok(value), None) => value,
            (Ok(value), Some(_)) => return Err(format!("expected an error, got {value}")),
            (Err(e), None) => return Err(format!("failed: {e}")),
            (Err(e), Some(expected)) => {
                self.assertions += 1;
                let expected = self.resolve(expected)?;
                return self.matches(&expected, &e, "error");
            }
        };
        if let Some(expected) = obj.get("expect") {
            let expected = self.resolve(expected)?;
            self.matches(&expected, &result, "result")?;
        }
        if let Some(name) = obj.get("save") {
            let name = name.as_str().ok_or("save is a name")?;
            self.saved.insert(name.to_string(), result);
        }
        Ok(())
    }

    /// Replace `$name.path` references by saved values.
    fn resolve(&self, v: &Value) -> std::result::Result<Value, Failure> {
        Ok(match v {
            Value::String(s) if s.starts_with("$$") => Value::String(s[1..].to_string()),
            Value::String(s) if s.starts_with('$') => {
                let mut parts = s[1..].split('.');
                let name = parts.next().unwrap_or_default();
                let mut cur = self
                    .saved
                    .get(name)
                    .ok_or_else(|| format!("nothing saved as {name:?}"))?;
                for part in parts {
                    cur = match cur {
                        Value::Object(m) => m.get(part),
                        Value::Array(a) => part.parse::<i64>().ok().and_then(|i| {
                            let i = if i < 0 { a.len() as i64 + i } else { i };
                            usize::try_from(i).ok().and_then(|i| a.get(i))
                        }),
                        _ => None,
                    }
                    .ok_or_else(|| format!("{s}: no {part:?}"))?;
                }
                cur.clone()
            }
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.resolve(x))
                    .collect::<std::result::Result<_, _>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), self.resolve(x)?)))
                    .collect::<std::result::Result<_, Failure>>()?,
            ),
            other => other.clone(),
        })
    }

    /// Match `actual` against `expected` (README: Matching), counting assertions.
    fn matches(
        &mut self,
        expected: &Value,
        actual: &Value,
        at: &str,
    ) -> std::result::Result<(), Failure> {
        match expected {
            Value::Object(m) if m.keys().any(|k| k.starts_with('$')) => {
                if m.len() != 1 {
                    return Err(format!("{at}: a matcher has one key"));
                }
                let (k, arg) = m.iter().next().ok_or("empty matcher")?;
                self.assertions += 1;
                let ok = match k.as_str() {
                    "$contains" => actual
                        .as_str()
                        .zip(arg.as_str())
                        .is_some_and(|(a, e)| a.contains(e)),
                    "$len" => {
                        let len = match actual {
                            Value::String(s) => Some(s.chars().count()),
                            Value::Array(a) => Some(a.len()),
                            _ => None,
                        };
                        len.is_some_and(|l| Some(l as u64) == arg.as_u64())
                    }
                    "$not" => !scalar_eq(arg, actual),
                    "$any" => !actual.is_null(),
                    other => return Err(format!("{at}: unknown matcher {other}")),
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{at}: {actual} does not match {expected}"))
                }
            }
            Value::Object(m) => {
                let actual = actual
                    .as_object()
                    .ok_or_else(|| format!("{at}: expected an object, got {actual}"))?;
                for (k, e) in m {
                    let a = actual.get(k).unwrap_or(&Value::Null);
                    if !actual.contains_key(k) && !e.is_null() {
                        return Err(format!(
                            "{at}: no key {k:?} in {}",
                            Value::Object(actual.clone())
                        ));
                    }
                    self.matches(e, a, &format!("{at}.{k}"))?;
                }
                Ok(())
            }
            Value::Array(e) => {
                let a = actual
                    .as_array()
                    .ok_or_else(|| format!("{at}: expected an array, got {actual}"))?;
                self.assertions += 1;
                if a.len() != e.len() {
                    return Err(format!(
                        "{at}: {} items, expected {}: {actual}",
                        a.len(),
                        e.len()
                    ));
                }
                for (i, (e, a)) in e.iter().zip(a).enumerate() {
                    self.matches(e, a, &format!("{at}.{i}"))?;
                }
                Ok(())
            }
            scalar => {
                self.assertions += 1;
                if scalar_eq(scalar, actual) {
                    Ok(())
                } else {
                    Err(format!("{at}: {actual}, expected {scalar}"))
                }
            }
        }
    }

    fn call(&mut self, kind: &str, args: &Value) -> std::result::Result<Outcome, Failure> {
        let known = |keys: &[&str]| -> std::result::Result<(), Failure> {
            if let Some(m) = args.as_object() {
                for k in m.keys() {
                    if !keys.contains(&k.as_str()) {
                        return Err(format!("{kind}: unknown argument {k:?}"));
                    }
                }
            }
            Ok(())
        };
        let p = &self.portal;
        let out: Result<Value> = match kind {
            "settings.get" => {
                known(&[])?;
                p.settings().map(canon)
            }
            "settings.update" => {
                let patch = args.clone();
                p.settings().and_then(|s| {
                    let mut v = canon(s);
                    merge(&mut v, &patch);
                    let s: Settings = serde_json::from_value(v)
                        .map_err(|e| Error::invalid("settings", e.to_string()))?;
                    p.save_settings(s).map(canon)
                })
            }
            "parties.upsert" => {
                known(&[
                    "audience",
                    "code",
                    "name",
                    "emails",
                    "einvoicing",
                    "company",
                    "unpaid_exempt",
                ])?;
                let mut party = match audience(args)? {
                    Audience::Client => Party::client(str_of(args, "code")?, str_of(args, "name")?),
                    Audience::Employee => {
                        Party::employee(str_of(args, "code")?, str_of(args, "name")?)
                    }
                };
                if let Some(emails) = args.get("emails").and_then(Value::as_object) {
                    for (role, address) in emails {
                        let role: EmailRole = parse_enum(&json!(role))?;
                        party =
                            party.email(role, address.as_str().ok_or("an address is a string")?);
                    }
                }
                if let Some(c) = args.get("einvoicing") {
                    party = party.consent(parse_enum(c)?);
                }
                if let Some(c) = opt_str(args, "company") {
                    party = party.company(c);
                }
                if let Some(x) = args.get("unpaid_exempt").and_then(Value::as_bool) {
                    party = party.unpaid_exempt(x);
                }
                p.parties().upsert(party).map(canon)
            }
            "parties.get" => {
                known(&["audience", "code"])?;
                p.parties()
                    .get(audience(args)?, str_of(args, "code")?)
                    .map(canon)
            }
            "folders.get" => {
                known(&["audience", "folder"])?;
                p.folders()
                    .get(audience(args)?, str_of(args, "folder")?)
                    .map(canon)
            }
            "documents.publish" => {
                publish_command(args)?.and_then(|cmd| p.documents().publish(cmd).map(document))
            }
            "documents.publish_many" => {
                known(&["items"])?;
                let cmds = args
                    .get("items")
                    .and_then(Value::as_array)
                    .ok_or("items is a list")?
                    .iter()
                    .map(publish_command)
                    .collect::<std::result::Result<Result<Vec<_>>, _>>()?;
                cmds.and_then(|cmds| p.documents().publish_many(cmds, &|_| {}))
                    .map(|r| canon(PublishReportView::from(r)))
            }
            "documents.get" => {
                known(&["id"])?;
                p.documents().get(str_of(args, "id")?).map(document)
            }
            "documents.set_payment" => {
                known(&["id", "payment"])?;
                let payment = parse_enum(args.get("payment").ok_or("payment")?)?;
                p.documents()
                    .set_payment(str_of(args, "id")?, payment)
                    .map(document)
            }
            "documents.content" => {
                known(&["id"])?;
                p.documents()
                    .content(str_of(args, "id")?)
                    .map(|b| bytes(&b))
            }
            "notifications.history" => {
                known(&[
                    "audience",
                    "party_code",
                    "state",
                    "offset",
                    "limit",
                    "cursor",
                ])?;
                let filter = NotificationFilter {
                    audience: args.get("audience").map(parse_enum).transpose()?,
                    party_code: opt_str(args, "party_code"),
                    state: args.get("state").map(parse_enum).transpose()?,
                    ..Default::default()
                };
                page_request(args)
                    .and_then(|page| p.notifications().history(&filter, page))
                    .map(|page| page_json(PageView::of(page, canon)))
            }
            "notifications.get" => {
                known(&["id"])?;
                p.notifications().get(str_of(args, "id")?).map(canon)
            }
            "notifications.resend" => {
                known(&["id", "force"])?;
                let force = args.get("force").and_then(Value::as_bool).unwrap_or(false);
                p.notifications()
                    .resend(str_of(args, "id")?, force)
                    .map(canon)
            }
            "notifications.cancel" => {
                known(&["id"])?;
                p.notifications().cancel(str_of(args, "id")?).map(canon)
            }
            "accounts.generate" => {
                known(&[
                    "audience",
                    "party",
                    "identifier",
                    "password",
                    "notify_by_email",
                    "authorized",
                ])?;
                let mut g = Generate::new(audience(args)?, str_of(args, "party")?);
                if let Some(i) = args.get("identifier") {
                    g = g.identifier(identifier(i)?);
                }
                if let Some(pw) = opt_str(args, "password") {
                    g = g.password(pw);
                }
                if let Some(n) = args.get("notify_by_email").and_then(Value::as_bool) {
                    g = g.notify_by_email(n);
                }
                if let Some(a) = args.get("authorized").and_then(Value::as_bool) {
                    g = g.authorized(a);
                }
                p.accounts().generate(g).map(account)
            }
            "accounts.generate_batch" => {
                known(&["audience", "parties", "identifier", "notify_by_email"])?;
                let codes: Vec<String> =
                    serde_json::from_value(args.get("parties").cloned().unwrap_or_default())
                        .map_err(|e| format!("parties: {e}"))?;
                let mut options = BatchOptions::default();
                if let Some(i) = args.get("identifier") {
                    options.identifier = identifier(i)?;
                }
                if let Some(n) = args.get("notify_by_email").and_then(Value::as_bool) {
                    options.notify_by_email = n;
                }
                p.accounts()
                    .generate_batch(audience(args)?, &codes, &options, &|_| {})
                    .map(batch_report)
            }
            "accounts.get" => {
                known(&["id"])?;
                p.accounts().get(str_of(args, "id")?).map(account)
            }
            "accounts.set_authorized" => {
                known(&["id", "authorized"])?;
                let a = args
                    .get("authorized")
                    .and_then(Value::as_bool)
                    .ok_or("authorized")?;
                p.accounts()
                    .set_authorized(str_of(args, "id")?, a)
                    .map(account)
            }
            "accounts.revoke" => {
                known(&["id"])?;
                p.accounts().revoke(str_of(args, "id")?).map(account)
            }
            "accounts.draft_password" => {
                known(&["id"])?;
                p.accounts()
                    .draft_password(str_of(args, "id")?)
                    .map(Value::String)
            }
            "access.login" => {
                known(&["audience", "identifier", "password"])?;
                p.access()
                    .login(
                        audience(args)?,
                        str_of(args, "identifier")?,
                        str_of(args, "password")?,
                    )
                    .map(principal)
            }
            "access.change_password" => {
                known(&["principal", "current", "new_password"])?;
                let who = principal_arg(args)?;
                p.access()
                    .change_password(
                        &who,
                        str_of(args, "current")?,
                        str_of(args, "new_password")?,
                    )
                    .map(|()| Value::Null)
            }
            "access.request_password_reset" => {
                known(&["audience", "identifier"])?;
                p.access()
                    .request_password_reset(audience(args)?, str_of(args, "identifier")?)
                    .map(|()| Value::Null)
            }
            "access.reset_password" => {
                known(&["audience", "token", "new_password"])?;
                p.access()
                    .reset_password(
                        audience(args)?,
                        str_of(args, "token")?,
                        str_of(args, "new_password")?,
                    )
                    .map(|()| Value::Null)
            }
            "view.folders" => {
                known(&["principal"])?;
                let who = principal_arg(args)?;
                p.view(&who).folders().map(canon)
            }
            "view.documents" => {
                known(&["principal", "folder", "offset", "limit", "cursor"])?;
                let who = principal_arg(args)?;
                let folder = opt_str(args, "folder");
                page_request(args)
                    .and_then(|page| p.view(&who).documents(folder.as_deref(), page))
                    .map(|page| page_json(PageView::of(page, document)))
            }
            "view.open" => {
                known(&["principal", "document"])?;
                let who = principal_arg(args)?;
                p.view(&who).open(str_of(args, "document")?).map(|d| {
                    json!({"document": document(d.document), "content": bytes(&d.content), "watermarked": d.watermarked})
                })
            }
            "view.sign" => {
                known(&[
                    "principal",
                    "document",
                    "signer_name",
                    "ip_address",
                    "user_agent",
                ])?;
                let who = principal_arg(args)?;
                let request = SignRequest::new(
                    str_of(args, "signer_name")?,
                    str_of(args, "ip_address")?,
                    str_of(args, "user_agent")?,
                );
                p.view(&who)
                    .sign(str_of(args, "document")?, request)
                    .map(document)
            }
            "sync" => {
                known(&[])?;
                p.sync().map(|r| {
                    json!({"activated": r.activated, "credentials_queued": r.credentials_queued,
                           "dispatch": dispatch_report(r.dispatch)})
                })
            }
            "dispatch" => {
                known(&["limit"])?;
                let limit = args.get("limit").and_then(Value::as_u64).unwrap_or(100);
                p.dispatch(u32::try_from(limit).map_err(|e| e.to_string())?)
                    .map(dispatch_report)
            }
            "clock.advance" => {
                known(&["seconds", "minutes", "hours", "days"])?;
                let n = |k: &str| args.get(k).and_then(Value::as_i64).unwrap_or(0);
                self.clock.advance(
                    Duration::seconds(n("seconds"))
                        + Duration::minutes(n("minutes"))
                        + Duration::hours(n("hours"))
                        + Duration::days(n("days")),
                );
                Ok(Value::Null)
            }
            "mails" => {
                known(&[])?;
                let mut messages = self.mailer.messages();
                self.mailer.clear();
                messages.sort_by(|a, b| {
                    (&a.to, &a.subject, &a.body).cmp(&(&b.to, &b.subject, &b.body))
                });
                Ok(Value::Array(
                    messages
                        .into_iter()
                        .map(|m| {
                            json!({"to": m.to, "from": m.from, "reply_to": m.reply_to, "subject": m.subject,
                                   "body": m.body, "notification_id": m.notification_id})
                        })
                        .collect(),
                ))
            }
            "mails.fail_next" => {
                known(&["errors"])?;
                let errors = args
                    .get("errors")
                    .and_then(Value::as_array)
                    .ok_or("errors is a list")?
                    .iter()
                    .map(
                        |e| match (opt_str(e, "transient"), opt_str(e, "permanent")) {
                            (Some(r), None) => Ok(MailError::Transient(r)),
                            (None, Some(r)) => Ok(MailError::Permanent(r)),
                            _ => Err(format!("bad mail error {e}")),
                        },
                    )
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                self.mailer.fail_next(errors);
                Ok(Value::Null)
            }
            "text.between" => {
                known(&["text", "after", "until"])?;
                let text = str_of(args, "text")?;
                let after = str_of(args, "after")?;
                let start = text
                    .find(after)
                    .ok_or_else(|| format!("{after:?} not in {text:?}"))?
                    + after.len();
                let rest = &text[start..];
                let end = match opt_str(args, "until") {
                    Some(u) => rest.find(&u).unwrap_or(rest.len()),
                    None => rest.len(),
                };
                Ok(Value::String(rest[..end].to_string()))
            }
            other => return Err(format!("unknown step kind {other:?}")),
        };
        Ok(out.map_err(|e| error(&e)))
    }
}

/// Scalars equal, numbers compared as numbers.
fn scalar_eq(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        (Value::Null, Value::Null) => true,
        _ => expected == actual,
    }
}

/// Merge `patch` into `v` key by key.
fn merge(v: &mut Value, patch: &Value) {
    match (v, patch) {
        (Value::Object(m), Value::Object(p)) => {
            for (k, x) in p {
                merge(m.entry(k.clone()).or_insert(Value::Null), x);
            }
        }
        (v, p) => *v = p.clone(),
    }
}

/// The serde form of a core record.
fn canon<T: serde::Serialize>(x: T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// A document in its canonical form, the contract's view (README: Values).
fn document(d: Document) -> Value {
    canon(DocumentView::from(d))
}

fn account(a: Account) -> Value {
    canon(AccountView::from(a))
}

fn principal(p: Principal) -> Value {
    json!({"account_id": p.account_id, "audience": p.audience, "party_code": p.party_code,
           "identifier": p.identifier})
}

fn bytes(b: &[u8]) -> Value {
    json!({"size": b.len(), "sha256": hex::encode(Sha256::digest(b)), "pdf": b.starts_with(b"%PDF-")})
}

/// A page in its canonical form (README: Values).
fn page_json(p: PageView<Value>) -> Value {
    json!({"items": p.items, "total": p.total, "has_more": p.has_more, "next": p.next,
           "cursor": p.cursor})
}

fn dispatch_report(r: DispatchReport) -> Value {
    json!({"attempted": r.attempted, "sent": r.sent, "failed": r.failed,
           "abandoned": r.abandoned, "skipped": r.skipped})
}

fn batch_report(r: BatchReport) -> Value {
    canon(BatchReportView::from(r))
}

/// An error's canonical form: code, message, field and its payload.
fn error(e: &Error) -> Value {
    canon(portail::ffi::ErrorInfo::from(e))
}

fn identifier(v: &Value) -> std::result::Result<IdentifierChoice, Failure> {
    match v {
        Value::String(s) if s == "code" => Ok(IdentifierChoice::Code),
        Value::String(s) if s == "email" => Ok(IdentifierChoice::Email),
        Value::Object(m) => m
            .get("given")
            .and_then(Value::as_str)
            .map(|g| IdentifierChoice::Given(g.to_string()))
            .ok_or_else(|| format!("bad identifier {v}")),
        _ => Err(format!("bad identifier {v}")),
    }
}

fn principal_arg(args: &Value) -> std::result::Result<Principal, Failure> {
    let p = args.get("principal").ok_or("principal")?;
    Ok(Principal {
        account_id: str_of(p, "account_id")?.to_string(),
        audience: parse_enum(p.get("audience").ok_or("principal.audience")?)?,
        party_code: str_of(p, "party_code")?.to_string(),
        identifier: str_of(p, "identifier")?.to_string(),
    })
}

/// The step's paging arguments, read by the contract's rule.
fn page_request(args: &Value) -> Result<PageRequest> {
    portail::ffi::page_request(
        args.get("offset").and_then(Value::as_i64),
        args.get("limit").and_then(Value::as_i64),
        args.get("cursor").and_then(Value::as_str),
    )
}

/// Step content: bytes, or a fixture path the library reads itself.
enum Content {
    Bytes(Vec<u8>),
    Path(std::path::PathBuf),
}

fn content(v: &Value) -> std::result::Result<Content, Failure> {
    if let Some(t) = v.get("text").and_then(Value::as_str) {
        return Ok(Content::Bytes(t.as_bytes().to_vec()));
    }
    if let Some(f) = v.get("file").and_then(Value::as_str) {
        return std::fs::read(scenario_dir().join("fixtures").join(f))
            .map(Content::Bytes)
            .map_err(|e| format!("{f}: {e}"));
    }
    if let Some(f) = v.get("path").and_then(Value::as_str) {
        return Ok(Content::Path(scenario_dir().join("fixtures").join(f)));
    }
    Err(format!("bad content {v}"))
}

/// A publish request, or the library's error for its content (a file path that cannot be read).
fn publish_command(args: &Value) -> std::result::Result<Result<Publish>, Failure> {
    for k in args
        .as_object()
        .ok_or("publish arguments are an object")?
        .keys()
    {
        if ![
            "audience",
            "party",
            "folder",
            "name",
            "content",
            "kind",
            "payment",
            "external_id",
        ]
        .contains(&k.as_str())
        {
            return Err(format!("documents.publish: unknown argument {k:?}"));
        }
    }
    let given_name = opt_str(args, "name");
    let (bytes, name) = match content(args.get("content").ok_or("content")?)? {
        Content::Bytes(bytes) => (bytes, given_name.ok_or("name")?),
        Content::Path(path) => match portail::ffi::read_document(&path, given_name) {
            Ok(read) => read,
            Err(e) => return Ok(Err(e)),
        },
    };
    let (party, folder) = (str_of(args, "party")?, str_of(args, "folder")?);
    let mut cmd = match audience(args)? {
        Audience::Client => Publish::client(party, folder, name, bytes),
        Audience::Employee => Publish::employee(party, folder, name, bytes),
    };
    if let Some(k) = args.get("kind") {
        cmd = cmd.kind(parse_enum(k)?);
    }
    if let Some(pay) = args.get("payment") {
        cmd = cmd.payment(parse_enum(pay)?);
    }
    if let Some(x) = opt_str(args, "external_id") {
        cmd = cmd.external_id(x);
    }
    Ok(Ok(cmd))
}
