package dev.portail

import java.time.Duration
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertIs
import org.junit.jupiter.api.Test

/** A mailer written in Kotlin: its exceptions become transient or permanent outbox failures. */
class MailerTest {
    /** Sends into [sent] or fails as [mode] says. */
    class ScriptedMailer(var mode: String = "ok") : Mailer {
        val sent = mutableListOf<OutgoingMessage>()
        val threads = mutableListOf<String>()

        override fun send(message: OutgoingMessage) {
            threads += Thread.currentThread().name
            when (mode) {
                "ok" -> sent += message
                "transient" -> throw MailException.Transient("421 try again later")
                "permanent" -> throw MailException.Permanent("550 no such user")
                else -> throw IllegalStateException("mail API down")
            }
        }
    }

    @Test
    fun `lambdas stand for a mailer and a progress listener`() {
        val sent = mutableListOf<OutgoingMessage>()
        val phases = mutableListOf<Phase>()
        FixedClock(SEED_NOW).use { clock ->
            PortalBuilder("ma-societe").use { b ->
                b.settings(maSociete()).clock(clock).hashing(Hashing.FAST_FOR_TESTS).mailer { message -> sent += message }.build()
            }.use { portal ->
                portal.parties().upsert(moiMeme())
                portal.documents().publish(invoice())
                val report = portal.sync { progress -> phases += progress.phase }
                assertEquals(1uL, report.dispatch.sent)
                assertEquals(listOf("keylian.ace@gmail.com"), sent.map { it.to })
                assertEquals(Phase.DISPATCHING, phases.last())
            }
        }
        val listener = progressOf { }
        listener.onProgress(Progress(Phase.ACTIVATING, 0uL, 0uL))
    }

    private fun withKotlinMailer(block: (Portal, ScriptedMailer, FixedClock) -> Unit) {
        val mailer = ScriptedMailer()
        FixedClock(SEED_NOW).use { clock ->
            PortalBuilder("ma-societe").use { b ->
                b.settings(maSociete()).mailer(mailer).clock(clock).hashing(Hashing.FAST_FOR_TESTS).build()
            }.use { portal ->
                portal.parties().upsert(moiMeme())
                block(portal, mailer, clock)
            }
        }
    }

    private fun Portal.onlyNotification(): Notification =
        notifications().use { it.history(NotificationFilter()).items.single() }

    @Test
    fun `success is Sent with the stable message id`() = withKotlinMailer { portal, mailer, _ ->
        val doc = portal.documents().publish(invoice())
        val report = portal.dispatch()
        assertEquals(DispatchReport(attempted = 1u, sent = 1u, failed = 0u, abandoned = 0u, skipped = 0u), report)
        val message = mailer.sent.single()
        assertEquals("keylian.ace@gmail.com", message.to)
        assertEquals("MA SOCIETE", message.fromName)
        assertEquals("noreply@masociete.fr", message.from)
        assertContains(message.subject, "MA SOCIETE")
        val n = portal.onlyNotification()
        assertEquals(doc.id, n.documentId)
        assertEquals(NotificationState.SENT, n.state)
        assertEquals(message.notificationId, n.id)
        assertIs<AttemptOutcome.Sent>(n.attempts.single().outcome)
    }

    @Test
    fun `transient exception is retried after the backoff`() = withKotlinMailer { portal, mailer, clock ->
        portal.documents().publish(invoice())
        mailer.mode = "transient"
        assertEquals(1uL, portal.dispatch().failed)
        val failed = portal.onlyNotification()
        assertEquals(NotificationState.FAILED, failed.state)
        assertEquals("421 try again later", failed.lastError)
        assertEquals(AttemptOutcome.Transient("421 try again later"), failed.attempts.single().outcome)

        mailer.mode = "ok"
        assertEquals(0uL, portal.dispatch().attempted, "not due before the backoff")
        clock.advance(Duration.ofMinutes(1))
        assertEquals(1uL, portal.dispatch().sent)
        val sent = portal.onlyNotification()
        assertEquals(NotificationState.SENT, sent.state)
        assertEquals(2, sent.attempts.size)
        assertEquals(1, mailer.sent.size)
    }

    @Test
    fun `permanent exception abandons the notification`() = withKotlinMailer { portal, mailer, clock ->
        portal.documents().publish(invoice())
        mailer.mode = "permanent"
        val report = portal.sync()
        assertEquals(1uL, report.dispatch.abandoned)
        val n = portal.onlyNotification()
        assertEquals(NotificationState.ABANDONED, n.state)
        assertEquals(AttemptOutcome.Permanent("550 no such user"), n.attempts.single().outcome)
        mailer.mode = "ok"
        clock.advance(Duration.ofHours(2))
        assertEquals(0uL, portal.dispatch().attempted, "abandoned is final")
        // "Renvoyer" queues a fresh copy of an abandoned notification, without forcing.
        val again = portal.notifications().resend(n.id)
        assertEquals(n.id, again.resendOf)
        assertEquals(1uL, portal.dispatch().sent)
    }

    @Test
    fun `any other exception counts as transient`() = withKotlinMailer { portal, mailer, _ ->
        portal.documents().publish(invoice())
        mailer.mode = "crash"
        val report = portal.dispatch()
        assertEquals(1uL, report.failed)
        val n = portal.onlyNotification()
        assertEquals(NotificationState.FAILED, n.state)
        val outcome = assertIs<AttemptOutcome.Transient>(n.attempts.single().outcome)
        assertContains(outcome.error, "mail API down")
    }

    @Test
    fun `the mailer runs on the thread that dispatches`() = withKotlinMailer { portal, mailer, _ ->
        portal.documents().publish(invoice())
        val worker = Thread({ portal.sync() }, "portail-sync")
        worker.start()
        worker.join()
        assertEquals(listOf("portail-sync"), mailer.threads)
        assertEquals(1, mailer.sent.size)
    }
}

/** Rendering a message for a Kotlin SMTP client; a malformed one is a mail error. */
class MessageTest {
    private val message = OutgoingMessage(
        messageId = "<n1@masociete.fr>", notificationId = "n1", from = "noreply@masociete.fr",
        fromName = "MA SOCIÉTÉ", replyTo = "contact@masociete.fr", to = "keylian.ace@gmail.com",
        subject = "MA SOCIÉTÉ : un nouveau document est disponible", body = "Le document « FA-0002.pdf »",
        date = SEED_NOW,
    )

    @Test
    fun `rfc 5322 with the stable message id`() {
        val eml = messageToRfc5322(message).decodeToString()
        assertContains(eml, "Message-ID: <n1@masociete.fr>")
        assertContains(eml, "Reply-To: contact@masociete.fr")
        assertContains(eml, "Mar 2019 16:55:15", message = "the Date header is the message's date")
        kotlin.test.assertTrue(eml.all { it.code < 128 }, "headers and body are transfer-encoded")
    }

    @Test
    fun `an unbuildable message is a mail error`() {
        val e = kotlin.test.assertFailsWith<PortailException.Mail> { messageToRfc5322(message.copy(to = "not an address")) }
        assertEquals("mail", e.code)
        assertContains(e.detail, "not an address")
    }
}
