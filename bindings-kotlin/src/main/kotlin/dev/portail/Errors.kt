// Hand-written Kotlin over the generated binding: naming helpers only, never rules.
package dev.portail

/** What every [PortailException] carries, whatever its code (the contract's `ErrorInfo`). */
private class Payload(
    val code: String,
    val detail: String,
    val field: String?,
    val what: String?,
    val key: String?,
    val reason: String?,
    val identifier: String?,
    val until: String?,
    val document: String?,
)

private val PortailException.payload: Payload
    get() = when (this) {
        is PortailException.InvalidInput -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.NotFound -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.IdentifierTaken -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.InvalidState -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.Conflict -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.AccessDenied -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.InvalidCredentials -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.LockedOut -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.InvalidToken -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.PaymentRequired -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.Pdf -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.Mail -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.Storage -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.Internal -> Payload(code, detail, field, what, key, reason, identifier, until, document)
        is PortailException.Unexpected -> Payload(code, detail, field, what, key, reason, identifier, until, document)
    }

/**
 * The stable code of any [PortailException] (`"invalid_input"`, `"not_found"`, ...), readable
 * on the base class. Each subclass also has it as its own `code` property.
 */
val PortailException.code: String get() = payload.code

/** The core's message of any [PortailException]: it names the offending field or value. */
val PortailException.detail: String get() = payload.detail

/** `invalid_input`: the offending field, or null. */
val PortailException.field: String? get() = payload.field

/** `not_found`, `invalid_state`, `conflict`: what was looked up or refused, or null. */
val PortailException.what: String? get() = payload.what

/** `not_found`: the key that was not found, or null. */
val PortailException.key: String? get() = payload.key

/** Why (`invalid_input`, `invalid_state`, `pdf`, `mail`, `storage`), or null. */
val PortailException.reason: String? get() = payload.reason

/** `identifier_taken`: the identifier, or null. */
val PortailException.identifier: String? get() = payload.identifier

/** `locked_out`: the end of the lockout (RFC 3339), or null. */
val PortailException.until: String? get() = payload.until

/** `payment_required`: the document's name, or null. */
val PortailException.document: String? get() = payload.document
