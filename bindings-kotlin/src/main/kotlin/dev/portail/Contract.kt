// Hand-written Kotlin over the generated binding: naming helpers only, never rules.
package dev.portail

/*
 * The binding contract's records are generated from the core (`portail::ffi`, feature
 * `uniffi`) into the package `dev.portail.contract`; these aliases name them in `dev.portail`
 * too, so one import serves.
 */

/** A failure of one item of a batch: the same fields as a thrown [PortailException]. */
typealias ErrorInfo = dev.portail.contract.ErrorInfo

/** Password hashing, lockout, link lifetimes and password lengths (`PortalBuilder.security`). */
typealias SecurityOptions = dev.portail.contract.SecurityOptions

/** Retries of transient mail failures. */
typealias RetryOptions = dev.portail.contract.RetryOptions
