package dev.portail

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Seed 000's portal access for client "4" through the Kotlin API (its invoice, notification
 *  history and forced resend are the golden scenario `seed-000-worked-example.json`). */
class Seed000Test {
    @Test
    fun `account generated as a draft, regenerated, synced, frozen, e-mailed, logged in`() = withPortal { portal, mailer, clock ->
        portal.parties().upsert(moiMeme())
        val doc = portal.documents().publish(invoice())
        portal.accounts().use { accounts ->
            val draft = accounts.generate(generateRequest(Audience.CLIENT, "4"))
            assertEquals(AccountStatus.DRAFT, draft.status)
            assertEquals("4", draft.identifier)
            assertTrue(draft.needsSync && draft.hasDraftPassword)
            val readable = accounts.draftPassword(draft.id)
            assertEquals(10, readable.length)
            assertTrue(readable.none { it in "0O1lI" }, readable)

            accounts.regeneratePassword(draft.id)
            val password = accounts.draftPassword(draft.id)
            assertNotEquals(readable, password)

            clock.advance(java.time.Duration.ofMinutes(15))
            val report = portal.sync()
            assertEquals(1uL, report.activated)
            assertEquals(1uL, report.credentialsQueued)
            assertFailsWith<PortailException.InvalidState> { accounts.draftPassword(draft.id) }

            val active = accounts.get(draft.id)
            assertEquals(AccountStatus.ACTIVE, active.status)
            assertEquals("keylian.ace@gmail.com", active.credentialsSentTo)
            assertEquals(clock.now(), active.credentialsSentAt)
            assertEquals(false, active.needsSync)
            val credentials = mailer.messages().single { it.body.contains(password) }
            assertEquals("keylian.ace@gmail.com", credentials.to)

            val me = portal.login(Audience.CLIENT, "4", password)
            assertEquals("4", me.partyCode)
            assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", readable) }
            assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.EMPLOYEE, "4", password) }

            portal.view(me).use { view ->
                assertEquals(5, view.folders().size)
                val page = view.documents()
                assertEquals(listOf("FA-0002.pdf"), page.items.map { it.name })
                val download = view.open(doc.id)
                assertEquals("%PDF-1.4 FA-0002", download.content.decodeToString())
                assertEquals(1L, download.document.downloads)
            }
            val downloads = portal.documents().downloads(doc.id)
            assertEquals(listOf(me.accountId), downloads.items.map { it.accountId })
            assertNotNull(portal.documents().get(doc.id).firstDownloadAt)
        }
    }
}
