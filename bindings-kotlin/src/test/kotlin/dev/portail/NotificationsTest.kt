package dev.portail

import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertFailsWith
import org.junit.jupiter.api.Test

/** The outbox: skip reasons, cancel, resend (forced or not) to a changed address, history. */
class NotificationsTest {
    @Test
    fun `publishing tells why nothing was queued`() = withPortal { portal, _, _ ->
        portal.parties().use {
            it.upsert(moiMeme().copy(einvoicing = EInvoicingConsent.REQUESTED))
            it.upsert(clientParty("5", "SANS FACTURATION").copy(emails = mapOf(EmailRole.MAIN to "a@client.fr")))
        }
        portal.documents().use { docs ->
            val invoice = docs.publish(invoice())
            assertEquals(NotificationDecision(Decision.SKIPPED, null, SkipCause.E_INVOICING_NOT_ACCEPTED, null), invoice.notification)
            val contract = docs.publish(publishRequest(Audience.CLIENT, "5", "Factures", "FA-9.pdf", "%PDF-1.4\n".toByteArray()))
            assertEquals(NotificationDecision(Decision.SKIPPED, null, SkipCause.NO_ADDRESS, EmailRole.BILLING), contract.notification)
        }
        val settings = portal.settings()
        portal.saveSettings(settings.copy(client = settings.client.copy(notificationsEnabled = false)))
        val doc = portal.documents().use {
            it.publish(publishRequest(Audience.CLIENT, "5", "Contrats", "C-1.pdf", "%PDF-1.4\n".toByteArray()))
        }
        assertEquals(NotificationDecision(Decision.SKIPPED, null, SkipCause.NOTIFICATIONS_DISABLED, null), doc.notification)
    }

    @Test
    fun `cancel a pending one, resend it to the changed address, history by state`() = withPortal { portal, mailer, _ ->
        portal.parties().upsert(moiMeme())
        val doc = portal.documents().publish(invoice())
        val id = assertNotNull(doc.notification.notificationId)
        portal.notifications().use { n ->
            assertFailsWith<PortailException.InvalidState> { n.resend(id) }
            val cancelled = n.cancel(id)
            assertEquals(NotificationState.CANCELLED, cancelled.state)
            assertEquals(0uL, portal.sync().dispatch.attempted)

            portal.parties().upsert(moiMeme(billing = "compta@moimeme.fr"))
            val again = n.resend(id)
            assertEquals("compta@moimeme.fr", again.recipient)
            assertEquals(false, again.forced)
            assertEquals(1uL, portal.sync().dispatch.sent)
            assertEquals(listOf("compta@moimeme.fr"), mailer.messages().map { it.to })

            val sent = n.history(NotificationFilter(state = NotificationState.SENT))
            assertEquals(listOf(again.id), sent.items.map { it.id })
            val byDoc = n.history(NotificationFilter(documentId = doc.id), offset = 0, limit = 1)
            assertEquals(2L, byDoc.total)
            assertEquals(true, byDoc.hasMore)
            assertEquals(1, n.history(NotificationFilter(documentId = doc.id), cursor = byDoc.cursor).items.size)
        }
    }
}
