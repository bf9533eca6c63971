package dev.portail

import kotlin.test.assertEquals
import kotlin.test.assertNull
import org.junit.jupiter.api.Test

/** Parties pushed by the host, paged listings, documents found by the host's id. */
class PartiesTest {
    @Test
    fun `upsert takes over the stored version, find and list page by code`() = withPortal { portal, _, _ ->
        portal.parties().use { parties ->
            val first = parties.upsert(moiMeme())
            assertEquals(1L, first.version)
            val again = parties.upsert(moiMeme(billing = "compta@moimeme.fr"))
            assertEquals(2L, again.version)
            assertEquals("compta@moimeme.fr", parties.get(Audience.CLIENT, "4").emails[EmailRole.BILLING])
            assertNull(parties.find(Audience.EMPLOYEE, "4"), "audiences are walls")
            for (i in 10..24) parties.upsert(clientParty("C$i", "CLIENT $i"))
            parties.upsert(employeeParty("S1", "SALARIE").copy(emails = mapOf(EmailRole.MAIN to "s1@masociete.fr")))
            val page = parties.list(Audience.CLIENT, limit = 10)
            assertEquals(16L, page.total)
            assertEquals(10, page.items.size)
            assertEquals(true, page.hasMore)
            val rest = parties.list(Audience.CLIENT, cursor = page.cursor)
            assertEquals(6, rest.items.size)
            assertEquals(false, rest.hasMore)
            assertEquals(listOf("S1"), parties.list(Audience.EMPLOYEE).items.map { it.code })
        }
    }

    @Test
    fun `publishing is idempotent on the external id`() = withPortal { portal, _, _ ->
        portal.parties().upsert(moiMeme())
        portal.documents().use { docs ->
            val first = docs.publish(invoice().copy(externalId = "FA-0002"))
            val second = docs.publish(invoice().copy(externalId = "FA-0002"))
            assertEquals(first.id, second.id)
            assertEquals(first.id, docs.findByExternalId(Audience.CLIENT, "FA-0002")?.id)
            assertNull(docs.findByExternalId(Audience.EMPLOYEE, "FA-0002"))
            assertEquals(1L, docs.list(Audience.CLIENT, "4").total)
        }
    }
}
