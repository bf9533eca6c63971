package dev.portail

import java.nio.file.Files
import java.time.Duration
import java.time.Instant
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** One sealed PortailException family: a subclass per core code, each from real bad input. */
class ErrorsTest {
    @Test
    fun `the binding knows the 13 core codes and internal`() {
        assertEquals(
            listOf(
                "invalid_input", "not_found", "identifier_taken", "invalid_state", "conflict",
                "access_denied", "invalid_credentials", "locked_out", "invalid_token",
                "payment_required", "pdf", "mail", "storage", "internal",
            ),
            errorCodes(),
        )
    }

    @Test
    fun `every code carries the same payload fields as in Python and Node`() {
        for (code in errorCodes()) {
            val e = assertFailsWith<PortailException> { throwForTest(code) }
            assertEquals(code, e.code)
            assertTrue(e !is PortailException.Unexpected, code)
        }
        val nf = assertFailsWith<PortailException.NotFound> { throwForTest("not_found") }
        assertEquals(listOf("party", "4", null), listOf(nf.what, nf.key, nf.field))
        val st = assertFailsWith<PortailException.InvalidState> { throwForTest("invalid_state") }
        assertEquals(listOf("notification n1", "already sent"), listOf(st.what, st.reason))
        val ii = assertFailsWith<PortailException.InvalidInput> { throwForTest("invalid_input") }
        assertEquals(listOf("emails.billing", "\"x\" has no @"), listOf(ii.field, ii.reason))
        val base: PortailException = st
        assertEquals("already sent", base.reason)
        assertEquals("4", assertFailsWith<PortailException.IdentifierTaken> { throwForTest("identifier_taken") }.identifier)
        assertEquals("FA-0002.pdf", assertFailsWith<PortailException.PaymentRequired> { throwForTest("payment_required") }.document)
        assertEquals("disk full", assertFailsWith<PortailException.Storage> { throwForTest("storage") }.reason)
        val panic = assertFailsWith<PortailException.Internal> { throwForTest("internal") }
        assertTrue(panic.detail.contains("test panic"), panic.detail)
    }

    @Test
    fun `a panic in the core is the sealed exception with code internal, not uniffi's InternalException`() {
        // `throwForTest("internal")` panics inside the boundary every export runs its body in
        // (`crate::call`, i.e. `portail::ffi::guard`).
        val caught: Throwable = assertFailsWith<Throwable> { throwForTest("internal") }
        assertIs<PortailException.Internal>(caught)
        assertEquals("internal", caught.code)
        assertTrue(caught.detail.startsWith("internal error in portail:"), caught.detail)
        // The library is usable afterwards: the panic did not poison anything.
        assertEquals(14, errorCodes().size)
    }

    @Test
    fun `invalid input names the field`() = withPortal { portal, _, _ ->
        val e = assertFailsWith<PortailException.InvalidInput> {
            portal.parties().upsert(moiMeme(billing = "not-an-address"))
        }
        assertEquals("invalid_input", e.code)
        assertEquals("emails.billing", e.field)
        assertTrue(e.detail.startsWith("invalid emails.billing"), e.detail)
        val base: PortailException = e
        assertEquals("invalid_input", base.code)
        assertEquals("emails.billing", base.field)
        val settings = assertFailsWith<PortailException.InvalidInput> {
            portal.saveSettings(portal.settings().copy(client = portal.settings().client.copy(pageSize = 9u)))
        }
        assertEquals("client.page_size", settings.field)
    }

    @Test
    fun `not found, identifier taken, invalid state, conflict`() = withPortal { portal, _, _ ->
        val missing = assertFailsWith<PortailException.NotFound> { portal.parties().get(Audience.CLIENT, "9") }
        assertEquals(Triple("not_found", "party", "9"), Triple(missing.code, missing.what, missing.key))

        portal.parties().use {
            it.upsert(moiMeme())
            it.upsert(clientParty("5", "AUTRE").copy(emails = mapOf(EmailRole.MAIN to "autre@client.fr")))
        }
        portal.accounts().use { accounts ->
            accounts.generate(generateRequest(Audience.CLIENT, "4").copy(identifier = IdentifierChoice.Given("moimeme")))
            val taken = assertFailsWith<PortailException.IdentifierTaken> {
                accounts.generate(generateRequest(Audience.CLIENT, "5").copy(identifier = IdentifierChoice.Given("MoiMeme")))
            }
            assertEquals("MoiMeme", taken.identifier)
            assertEquals("identifier_taken", taken.code)
        }

        val doc = portal.documents().publish(invoice())
        val id = assertNotNull(doc.notification.notificationId)
        portal.sync()
        val state = assertFailsWith<PortailException.InvalidState> { portal.notifications().cancel(id) }
        assertEquals("invalid_state", state.code)

        val stale = portal.settings()
        portal.saveSettings(stale.copy(companyName = "MA SOCIETE SA"))
        val conflict = assertFailsWith<PortailException.Conflict> { portal.saveSettings(stale.copy(companyName = "Autre")) }
        assertEquals("conflict", conflict.code)
        assertEquals("MA SOCIETE SA", portal.settings().companyName)
    }

    @Test
    fun `access denied, invalid credentials, locked out, invalid token`() = withPortal { portal, _, _ ->
        portal.parties().upsert(moiMeme())
        val account = portal.accounts().generate(generateRequest(Audience.CLIENT, "4").copy(password = "motdepasse-4"))
        assertFailsWith<PortailException.AccessDenied> { portal.principal(account.id) }
        portal.sync()
        val me = portal.login(Audience.CLIENT, "4", "motdepasse-4")
        portal.accounts().setAuthorized(account.id, false)
        val denied = assertFailsWith<PortailException.AccessDenied> { portal.view(me).use { it.folders() } }
        assertEquals("access_denied", denied.code)
        val creds = assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", "motdepasse-4") }
        assertEquals("invalid_credentials", creds.code)
        portal.accounts().setAuthorized(account.id, true)

        // The login refused while suspended counted as a failure (answers are uniform, issue 12):
        // four more wrong guesses make the five that lock.
        assertEquals(1, portal.accounts().lockout(Audience.CLIENT, "4").failures)
        repeat(4) { assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", "wrong") } }
        val locked = assertFailsWith<PortailException.LockedOut> { portal.login(Audience.CLIENT, "4", "motdepasse-4") }
        assertEquals("locked_out", locked.code)
        assertEquals(SEED_NOW.plus(Duration.ofMinutes(15)), Instant.parse(locked.until!!))

        val token = assertFailsWith<PortailException.InvalidToken> {
            portal.resetPassword(Audience.CLIENT, "0".repeat(64), "nouveau-mot-de-passe")
        }
        assertEquals("invalid_token", token.code)
    }

    @Test
    fun `pdf error from bytes that are not a PDF`() {
        val e = assertFailsWith<PortailException.Pdf> { pdfPageCount("not a pdf".toByteArray()) }
        assertEquals("pdf", e.code)
        assertEquals(2L, pdfPageCount(samplePdf(listOf("page 1", "page 2"))))
    }

    @Test
    fun `storage error from a blob folder that is a file`() {
        val file = Files.createTempFile("portail", ".blobs")
        try {
            val e = assertFailsWith<PortailException.Storage> {
                PortalBuilder("t").use { it.settings(maSociete()).blobsDir(file.toString()).build() }
            }
            assertEquals("storage", e.code)
        } finally {
            Files.deleteIfExists(file)
        }
    }

    @Test
    fun `bad instants and durations are invalid input, never a crash`() {
        val e = assertFailsWith<PortailException.InvalidInput> { FixedClock(Instant.MAX) }
        assertEquals("now", e.field)
        FixedClock(SEED_NOW).use { clock ->
            val far = assertFailsWith<PortailException.InvalidInput> { clock.advance(Duration.ofSeconds(Long.MAX_VALUE)) }
            assertEquals("by", far.field)
            assertEquals(SEED_NOW, clock.now())
        }
        withPortal { portal, _, _ ->
            val filter = assertFailsWith<PortailException.InvalidInput> {
                portal.notifications().history(NotificationFilter(from = Instant.MIN))
            }
            assertEquals("from", filter.field)
            val page = assertFailsWith<PortailException.InvalidInput> {
                portal.parties().list(Audience.CLIENT, limit = 0)
            }
            assertEquals("limit", page.field)
        }
    }
}
