package dev.portail

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/**
 * One `use {}` for the portal: sub-handles (`documents()`, `parties()`, `view(principal)`, ...)
 * need none of their own (uniffi's Cleaner frees them), and a sub-handle kept after its portal
 * is closed fails with a clear exception.
 */
class LifecycleTest {
    @Test
    fun `many sub-handle calls without use`() = withPortal { portal, _, _ ->
        portal.parties().upsert(moiMeme())
        portal.documents().publish(invoice())
        repeat(2_000) {
            assertEquals("MOI MEME", portal.parties().get(Audience.CLIENT, "4").name)
            assertEquals(1L, portal.documents().list(Audience.CLIENT, "4", limit = 1).total)
            assertEquals(1L, portal.notifications().history(NotificationFilter(partyCode = "4")).total)
        }
        System.gc()
        assertEquals(1L, portal.documents().list(Audience.CLIENT, "4").total)
    }

    @Test
    fun `a sub-handle used after its portal is closed throws InvalidState`() {
        val portal = testPortal(MemoryMailer(), FixedClock(SEED_NOW))
        val parties = portal.parties()
        val documents = portal.documents()
        parties.upsert(moiMeme())
        portal.close()
        val e = assertFailsWith<PortailException.InvalidState> { parties.get(Audience.CLIENT, "4") }
        assertEquals("portal", e.what)
        assertTrue(e.detail.contains("closed"), e.detail)
        assertFailsWith<PortailException.InvalidState> { documents.publish(invoice()) }
        // The portal itself: uniffi's own check of a destroyed object.
        assertFailsWith<IllegalStateException> { portal.tenant() }
        parties.close() // allowed, and harmless
    }
}
