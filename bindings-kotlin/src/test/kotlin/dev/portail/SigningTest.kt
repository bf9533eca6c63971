package dev.portail

import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Signing on the portal: "Contrats à signer" is stamped on the right, the original is kept. */
class SigningTest {
    private val request = SignRequest(signerName = "MOI MEME", ipAddress = "192.0.2.10", userAgent = "JUnit")

    private fun loggedIn(portal: Portal): Principal {
        portal.parties().upsert(moiMeme())
        portal.accounts().generate(generateRequest(Audience.CLIENT, "4").copy(password = "motdepasse-4"))
        portal.sync()
        return portal.login(Audience.CLIENT, "4", "motdepasse-4")
    }

    private fun contract(content: ByteArray = samplePdf(listOf("Contrat", "Signature"))): Publish =
        publishRequest(Audience.CLIENT, "4", "Contrats à signer", "CT-001.pdf", content).copy(kind = DocumentKind.CONTRACT)

    @Test
    fun `sign stamps the last page and records the audit trail`() = withPortal { portal, _, _ ->
        val me = loggedIn(portal)
        val doc = portal.documents().publish(contract())
        portal.view(me).use { view ->
            assertTrue(view.awaitsSignature(doc.id))
            val signed = view.sign(doc.id, request)
            val record = assertNotNull(signed.signature)
            assertEquals(SignaturePlacement.RIGHT, record.placement)
            assertEquals("MOI MEME", record.signerName)
            assertEquals("192.0.2.10", record.ipAddress)
            assertEquals(me.accountId, record.accountId)
            assertEquals(doc.sha256, record.originalSha256)
            assertEquals(SEED_NOW, record.signedAt)
            assertFalse(view.awaitsSignature(doc.id))
            assertFailsWith<PortailException.InvalidState> { view.sign(doc.id, request) }
        }
        portal.documents().use { docs ->
            val signedPdf = docs.signedContent(doc.id)
            assertEquals(2L, pdfPageCount(signedPdf))
            assertFalse(signedPdf.contentEquals(docs.content(doc.id)), "the original is kept apart")
        }
    }

    @Test
    fun `bad requests are typed errors and store nothing`() = withPortal { portal, _, _ ->
        val me = loggedIn(portal)
        val invoice = portal.documents().publish(invoice())
        val broken = portal.documents().publish(contract("%PDF-1.4 truncated".toByteArray()).copy(name = "CT-002.pdf"))
        val good = portal.documents().publish(contract().copy(name = "CT-003.pdf"))
        portal.view(me).use { view ->
            val ip = assertFailsWith<PortailException.InvalidInput> { view.sign(good.id, request.copy(ipAddress = "not an ip")) }
            assertEquals("ip_address", ip.field)
            assertFailsWith<PortailException.InvalidState> { view.sign(invoice.id, request) }
            assertFailsWith<PortailException.Pdf> { view.sign(broken.id, request) }
            assertTrue(view.awaitsSignature(broken.id))
        }
        assertFailsWith<PortailException.InvalidState> { portal.documents().signedContent(good.id) }
    }

    @Test
    fun `the signature stamp helper - incremental keeps the original, the watermark refuses it`() {
        val original = samplePdf(listOf("Contrat page 1", "page 2"))
        val stamp = SignatureStamp(listOf("Signe electroniquement par MOI MEME", "le 08/03/2019"), SignaturePlacement.RIGHT)
        val signed = pdfStampSignature(original, stamp, StampMethod.INCREMENTAL)
        assertEquals(2L, pdfPageCount(signed))
        assertTrue(signed.size > original.size)
        assertTrue(signed.copyOf(original.size).contentEquals(original), "an incremental update appends")
        val rewritten = pdfStampSignature(original, stamp.copy(placement = SignaturePlacement.LEFT), StampMethod.REWRITE)
        assertEquals(2L, pdfPageCount(rewritten))
        assertFailsWith<PortailException.Pdf> { pdfWatermark(original, "COPIE", StampMethod.INCREMENTAL) }
        assertEquals(2L, pdfPageCount(pdfWatermark(original, "COPIE")))
    }
}
