// Hand-written Kotlin over the generated binding: naming helpers only, never rules.
package dev.portail

/**
 * The stable code of any [PortailException] (`"invalid_input"`, `"not_found"`, ...), readable
 * on the base class. Each subclass also has it as its own `code` property.
 */
val PortailException.code: String
    get() = when (this) {
        is PortailException.InvalidInput -> code
        is PortailException.NotFound -> code
        is PortailException.IdentifierTaken -> code
        is PortailException.InvalidState -> code
        is PortailException.Conflict -> code
        is PortailException.AccessDenied -> code
        is PortailException.InvalidCredentials -> code
        is PortailException.LockedOut -> code
        is PortailException.InvalidToken -> code
        is PortailException.PaymentRequired -> code
        is PortailException.Pdf -> code
        is PortailException.Mail -> code
        is PortailException.Storage -> code
        is PortailException.Unexpected -> code
    }

/** The core's message of any [PortailException]: it names the offending field or value. */
val PortailException.detail: String
    get() = when (this) {
        is PortailException.InvalidInput -> detail
        is PortailException.NotFound -> detail
        is PortailException.IdentifierTaken -> detail
        is PortailException.InvalidState -> detail
        is PortailException.Conflict -> detail
        is PortailException.AccessDenied -> detail
        is PortailException.InvalidCredentials -> detail
        is PortailException.LockedOut -> detail
        is PortailException.InvalidToken -> detail
        is PortailException.PaymentRequired -> detail
        is PortailException.Pdf -> detail
        is PortailException.Mail -> detail
        is PortailException.Storage -> detail
        is PortailException.Unexpected -> detail
    }

/** The offending field of an invalid input, or null. */
val PortailException.field: String?
    get() = (this as? PortailException.InvalidInput)?.field
