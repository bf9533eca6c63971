//! Checks of the short texts that records hold and mails carry: one-line texts and e-mail
//! addresses (shared by parties, settings and folders).

/// Longest e-mail address, in characters (and in bytes: RFC 5321's 254 octets).
pub const EMAIL_MAX: usize = 254;

/// Check a one-line text: not blank, at most `max` characters, no control character (CR, LF,
/// NUL, tab, ...: they would break or inject mail headers).
pub(crate) fn validate_line(text: &str, max: usize) -> std::result::Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > max {
        return Err(format!("longer than {max} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must be one line without control characters".into());
    }
    Ok(())
}

/// The address check used for every address portail mails from or to (party addresses,
/// sender, reply-to): at most [`EMAIL_MAX`] characters and bytes, no spaces or control
/// characters (so no header injection), one `@` before a dotted domain, and then the mail
/// library's own parser (lettre's `Address`) and a message built with it: an address accepted
/// here is one the transports accept at send time.
///
/// ```
/// use portail::parties::validate_email;
/// assert!(validate_email("keylian.ace@gmail.com").is_ok());
/// assert!(validate_email("a(b)@x.fr").is_err()); // the mail library refuses it
/// ```
pub fn validate_email(address: &str) -> std::result::Result<(), String> {
    if address.chars().count() > EMAIL_MAX || address.len() > EMAIL_MAX {
        return Err(format!("longer than {EMAIL_MAX} characters"));
    }
    if address
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
    {
        return Err(format!(
            "{address:?} contains spaces or forbidden characters"
        ));
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err(format!("{address:?} has no @"));
    };
    if local.is_empty() || domain.contains('@') {
        return Err(format!("{address:?} is not an address"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err(format!("{address:?} has no valid domain"));
    }
    mailable(None, address)
}

/// Whether a mailbox of `name` (a display name, e.g. the company) and `address` goes through
/// the mail library: parsed by lettre and formatted into a whole message as sender and
/// recipient. A panic inside the library is caught and reported as a refusal.
pub(crate) fn mailable(name: Option<&str>, address: &str) -> std::result::Result<(), String> {
    use lettre::message::{Mailbox, Message};
    let parsed: lettre::Address = address
        .parse()
        .map_err(|e| format!("{address:?} is refused by the mail library: {e}"))?;
    let name = name.map(str::to_string);
    let built = std::panic::catch_unwind(move || {
        Message::builder()
            .from(Mailbox::new(name, parsed.clone()))
            .to(Mailbox::new(None, parsed))
            .subject("portail")
            .body(String::new())
            .map(|m| m.formatted().len())
    });
    match built {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{address:?} cannot be mailed: {e}")),
        Err(_) => Err(format!(
            "{address:?} cannot be mailed: refused by the mail library"
        )),
    }
}
