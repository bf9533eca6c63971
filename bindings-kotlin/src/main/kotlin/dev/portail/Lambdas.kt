// Hand-written Kotlin over the generated binding: naming helpers only, never rules.
package dev.portail

/*
 * uniffi generates `Mailer` and `ProgressListener` as plain interfaces, which a Kotlin lambda
 * cannot implement. These adapters let a lambda stand wherever one is expected.
 */

/**
 * A [Mailer] that sends with [send]. Throw [MailException.Transient] to have the notification
 * retried, [MailException.Permanent] to abandon it.
 */
fun mailerOf(send: (OutgoingMessage) -> Unit): Mailer =
    object : Mailer {
        override fun send(message: OutgoingMessage) = send(message)
    }

/** A [ProgressListener] that calls [onProgress] for each step. */
fun progressOf(onProgress: (Progress) -> Unit): ProgressListener =
    object : ProgressListener {
        override fun onProgress(progress: Progress) = onProgress(progress)
    }

/** Send through a Kotlin lambda: `builder.mailer { message -> relay.deliver(message) }`. */
fun PortalBuilder.mailer(send: (OutgoingMessage) -> Unit): PortalBuilder = mailer(mailerOf(send))

/** [Portal.sync] reporting progress to a lambda: `portal.sync { p -> bar.update(p.done) }`. */
fun Portal.sync(onProgress: (Progress) -> Unit): SyncReport = sync(progressOf(onProgress))

/** Change the settings with a lambda, retried on a concurrent change: `portal.updateSettings { it.copy(replyTo = "x@y.fr") }`. */
fun Portal.updateSettings(edit: (Settings) -> Settings): Settings =
    updateSettings(object : SettingsEditor {
        override fun edit(settings: Settings): Settings = edit(settings)
    })
