package dev.portail

import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Batches: accounts for many parties with a per-party report; publishing many documents. */
class BatchTest {
    class Recorder : ProgressListener {
        val seen = CopyOnWriteArrayList<Progress>()
        override fun onProgress(progress: Progress) {
            seen += progress
        }
    }

    @Test
    fun `batch generation reports party by party`() = withPortal { portal, mailer, _ ->
        portal.parties().use { parties ->
            parties.upsert(moiMeme())
            parties.upsert(clientParty("5", "SANS EMAIL"))
            parties.upsert(clientParty("6", "MEME ADRESSE").copy(emails = mapOf(EmailRole.MAIN to "keylian.ace@gmail.com")))
            parties.upsert(clientParty("7", "DEJA").copy(emails = mapOf(EmailRole.MAIN to "deja@client.fr")))
        }
        val existing = portal.accounts().generate(generateRequest(Audience.CLIENT, "7"))
        val recorder = Recorder()
        val report = portal.accounts().use {
            it.generateBatch(
                Audience.CLIENT,
                listOf("4", "5", "6", "7", "404"),
                BatchOptions(identifier = IdentifierChoice.Email),
                recorder,
            )
        }
        assertEquals(listOf("created", "no_email", "identifier_taken", "already_has_access", "unknown_party"),
            report.rows.map { it.outcome.name.lowercase() })
        assertEquals(listOf("4", "5", "6", "7", "404"), report.rows.map { it.partyCode })
        assertEquals(1L, report.created)
        assertEquals("keylian.ace@gmail.com", report.rows[0].identifier)
        assertEquals(BatchOutcomeKind.IDENTIFIER_TAKEN, report.rows[2].outcome)
        assertEquals("keylian.ace@gmail.com", report.rows[2].identifier)
        assertEquals(existing.id, report.rows[3].accountId)
        assertEquals(5, recorder.seen.size)
        assertTrue(recorder.seen.all { it.phase == Phase.GENERATING && it.total == 5uL })

        val sync = portal.sync(recorder)
        assertEquals(2uL, sync.activated)
        assertEquals(2uL, sync.credentialsQueued)
        assertEquals(setOf("keylian.ace@gmail.com", "deja@client.fr"), mailer.messages().map { it.to }.toSet())
        assertTrue(recorder.seen.any { it.phase == Phase.ACTIVATING })
        assertTrue(recorder.seen.any { it.phase == Phase.DISPATCHING })
    }

    @Test
    fun `publish many reports each input and is idempotent on external ids`() = withPortal { portal, _, _ ->
        portal.parties().upsert(moiMeme())
        val requests = listOf(
            invoice(name = "FA-0001.pdf").copy(externalId = "FA-0001"),
            invoice(name = "").copy(externalId = "FA-0002"),
            invoice(name = "FA-0003.pdf").copy(externalId = "FA-0003", payment = PaymentStatus.UNPAID),
            invoice(code = "404", name = "FA-0004.pdf"),
        )
        val recorder = Recorder()
        val report = portal.documents().publishMany(requests, recorder)
        assertEquals(2L, report.published)
        assertEquals(2L, report.notificationsQueued)
        assertEquals(4, report.outcomes.size)
        assertNotNull(report.outcomes[0].document)
        val bad = report.outcomes[1].error!!
        assertEquals(listOf("invalid_input", "name"), listOf(bad.code, bad.field))
        assertTrue(bad.reason!!.isNotEmpty())
        assertEquals(PaymentStatus.UNPAID, report.outcomes[2].document!!.payment)
        assertEquals("not_found", report.outcomes[3].error!!.code)
        assertNull(report.outcomes[3].field())
        assertEquals(Phase.PUBLISHING, recorder.seen.last().phase)
        assertEquals(4uL, recorder.seen.last().done)

        val again = portal.documents().publishMany(requests.take(1), null)
        assertEquals(1L, again.alreadyPublished)
        assertEquals(report.outcomes[0].document!!.id, again.outcomes[0].document!!.id)
        val docs = portal.documents().list(Audience.CLIENT, "4")
        assertEquals(2L, docs.total)
    }

    private fun PublishOutcome.field(): String? = error?.field
}
