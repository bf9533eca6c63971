package dev.portail

import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** "Gestion des impayés": what an unpaid party downloads under each policy. */
class UnpaidTest {
    private fun setUp(portal: Portal, policy: UnpaidPolicy, exempt: Boolean = false): Pair<Principal, Document> {
        val s = portal.settings()
        portal.saveSettings(s.copy(client = s.client.copy(unpaidPolicy = policy)))
        portal.parties().upsert(moiMeme().copy(unpaidExempt = exempt))
        val doc = portal.documents().use {
            it.publish(invoice().copy(content = samplePdf(listOf("Facture FA-0002")), payment = PaymentStatus.UNPAID))
        }
        portal.accounts().generate(generateRequest(Audience.CLIENT, "4").copy(password = "motdepasse-4"))
        portal.sync()
        return portal.login(Audience.CLIENT, "4", "motdepasse-4") to doc
    }

    @Test
    fun `block refuses the download with payment required`() = withPortal { portal, _, _ ->
        val (me, doc) = setUp(portal, UnpaidPolicy.BLOCK)
        val e = assertFailsWith<PortailException.PaymentRequired> { portal.view(me).use { it.open(doc.id) } }
        assertEquals("payment_required", e.code)
        assertEquals("FA-0002.pdf", e.document)
        portal.documents().setPayment(doc.id, PaymentStatus.PAID)
        val download = portal.view(me).use { it.open(doc.id) }
        assertFalse(download.watermarked)
    }

    @Test
    fun `watermark stamps every page of the PDF`() = withPortal { portal, _, _ ->
        val (me, doc) = setUp(portal, UnpaidPolicy.WATERMARK)
        val original = portal.documents().content(doc.id)
        val download = portal.view(me).use { it.open(doc.id) }
        assertTrue(download.watermarked)
        assertFalse(download.content.contentEquals(original))
        assertEquals(1L, pdfPageCount(download.content))
        assertEquals(1L, download.document.downloads)
    }

    @Test
    fun `an exempt party gets the original`() = withPortal { portal, _, _ ->
        val (me, doc) = setUp(portal, UnpaidPolicy.BLOCK, exempt = true)
        val download = portal.view(me).use { it.open(doc.id) }
        assertFalse(download.watermarked)
        assertContentEquals(portal.documents().content(doc.id), download.content)
    }
}
