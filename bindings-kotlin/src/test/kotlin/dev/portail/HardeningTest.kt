package dev.portail

import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReference
import kotlin.concurrent.thread
import kotlin.io.path.isRegularFile
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

/** Issue 12 ("Hardening") through the Kotlin API: lockout, tokens, outbox, input, PDF, blobs. */
@Timeout(60, unit = TimeUnit.SECONDS)
class HardeningTest {
    private fun client(code: String, main: String = "c$code@client.fr"): Party =
        clientParty(code, "MOI MEME").copy(
            emails = mapOf(EmailRole.MAIN to main, EmailRole.BILLING to main),
            einvoicing = EInvoicingConsent.ACCEPTED,
        )

    /** Party [code] with an active account `password-1` under [identifier] (null: the code). */
    private fun active(portal: Portal, code: String, identifier: String? = null): Account {
        portal.parties().upsert(client(code))
        val choice = if (identifier == null) IdentifierChoice.Code else IdentifierChoice.Given(identifier)
        val account = portal.accounts().use {
            it.generate(
                generateRequest(Audience.CLIENT, code).copy(identifier = choice, password = "password-1", notifyByEmail = false),
            )
        }
        portal.sync()
        return account
    }

    private fun resetToken(portal: Portal, mailer: MemoryMailer, identifier: String): String {
        mailer.clear()
        portal.requestPasswordReset(Audience.CLIENT, identifier)
        portal.dispatch()
        val body = mailer.messages().single().body
        val at = body.indexOf("token=") + "token=".length
        assertTrue(at >= "token=".length, body)
        return body.substring(at, at + 64)
    }

    // Item 1: lockout, oracles, identifiers.

    @Test
    fun `an unknown identifier locks out like a known one`() = withPortal { portal, _, _ ->
        active(portal, "4")
        fun answers(identifier: String): List<String> = (0 until 7).map {
            assertFailsWith<PortailException> { portal.login(Audience.CLIENT, identifier, "wrong") }.code
        }
        val known = answers("4")
        val unknown = answers("nobody")
        assertEquals(known, unknown)
        assertEquals(List(5) { "invalid_credentials" } + listOf("locked_out", "locked_out"), unknown)
        val lock = portal.accounts().lockout(Audience.CLIENT, "nobody")
        assertEquals(SEED_NOW.plus(Duration.ofMinutes(15)), lock.lockedUntil)
        val e = assertFailsWith<PortailException.LockedOut> { portal.login(Audience.CLIENT, "NOBODY", "wrong") }
        assertEquals(SEED_NOW.plus(Duration.ofMinutes(15)), java.time.Instant.parse(e.until!!))
    }

    @Test
    fun `malformed identifiers are invalid input naming the identifier`() = withPortal { portal, _, _ ->
        active(portal, "4")
        for (bad in listOf("pa\u200Bul", "\u202Ex", "paul\u2066.durand", "")) {
            val login = assertFailsWith<PortailException.InvalidInput>(bad) { portal.login(Audience.CLIENT, bad, "x") }
            assertEquals("identifier", login.field)
            val reset = assertFailsWith<PortailException.InvalidInput>(bad) { portal.requestPasswordReset(Audience.CLIENT, bad) }
            assertEquals("identifier", reset.field)
            assertFailsWith<PortailException.InvalidInput>(bad) { portal.accounts().lockout(Audience.CLIENT, bad) }
            assertFailsWith<PortailException.InvalidInput>(bad) { portal.accounts().find(Audience.CLIENT, bad) }
        }
        portal.parties().upsert(client("5"))
        val given = assertFailsWith<PortailException.InvalidInput> {
            portal.accounts().use {
                it.generate(generateRequest(Audience.CLIENT, "5").copy(identifier = IdentifierChoice.Given("paul\u00AD.durand")))
            }
        }
        assertEquals("identifier", given.field)
    }

    @Test
    fun `identifiers are normalised NFKC and case folded`() = withPortal { portal, _, _ ->
        active(portal, "4", identifier = "ééé")
        portal.login(Audience.CLIENT, "ééé", "password-1")
        portal.login(Audience.CLIENT, "ÉÉÉ", "password-1")
        portal.login(Audience.CLIENT, "e\u0301e\u0301e\u0301", "password-1")
        portal.login(Audience.CLIENT, "  ééé ", "password-1")
        assertNotNull(portal.accounts().find(Audience.CLIENT, "E\u0301E\u0301E\u0301"))
        // A look-alike of an existing identifier is taken.
        portal.parties().upsert(client("5"))
        assertFailsWith<PortailException.IdentifierTaken> {
            portal.accounts().use {
                it.generate(generateRequest(Audience.CLIENT, "5").copy(identifier = IdentifierChoice.Given("Ｅ\u0301ÉÉ")))
            }
        }
    }

    // Item 2: reset tokens die with the password.

    @Test
    fun `reset tokens die with the password`() = withPortal { portal, mailer, _ ->
        val account = active(portal, "4")
        val afterChange = resetToken(portal, mailer, "4")
        val me = portal.login(Audience.CLIENT, "4", "password-1")
        portal.changePassword(me, "password-1", "password-2")
        assertFailsWith<PortailException.InvalidToken>("after a password change") {
            portal.resetPassword(Audience.CLIENT, afterChange, "password-3")
        }

        val older = resetToken(portal, mailer, "4")
        val newer = resetToken(portal, mailer, "4")
        portal.resetPassword(Audience.CLIENT, newer, "password-4")
        val e = assertFailsWith<PortailException.InvalidToken>("after a newer reset was used") {
            portal.resetPassword(Audience.CLIENT, older, "password-5")
        }
        assertEquals("invalid_token", e.code)
        portal.login(Audience.CLIENT, "4", "password-4")

        // Suspended: a live token dies, and a new request sends nothing.
        val live = resetToken(portal, mailer, "4")
        portal.accounts().setAuthorized(account.id, false)
        assertFailsWith<PortailException.InvalidToken>("while suspended") {
            portal.resetPassword(Audience.CLIENT, live, "password-6")
        }
        mailer.clear()
        portal.requestPasswordReset(Audience.CLIENT, "4")
        portal.dispatch()
        assertTrue(mailer.messages().isEmpty(), "no reset mail for a suspended account")
        portal.accounts().setAuthorized(account.id, true)
        assertFailsWith<PortailException.InvalidToken>("after resuming") {
            portal.resetPassword(Audience.CLIENT, live, "password-6")
        }
        // A fresh one works once.
        val fresh = resetToken(portal, mailer, "4")
        portal.resetPassword(Audience.CLIENT, fresh, "password-7")
        portal.login(Audience.CLIENT, "4", "password-7")
        assertFailsWith<PortailException.InvalidToken> { portal.resetPassword(Audience.CLIENT, fresh, "password-8") }
    }

    @Test
    fun `security options from the contract - lockout, lifetimes and lengths, checked by the core`() {
        MemoryMailer().use { mailer ->
            FixedClock(SEED_NOW).use { clock ->
                val options = SecurityOptions(fastForTests = true, maxFailedLogins = 2, lockoutMs = 60_000, minPasswordLength = 12)
                PortalBuilder("t").use { it.settings(maSociete()).memoryMailer(mailer).clock(clock).security(options).build() }.use { portal ->
                    portal.parties().upsert(moiMeme())
                    val account = portal.accounts().use {
                        it.generate(generateRequest(Audience.CLIENT, "4").copy(password = "long-enough-1", notifyByEmail = false))
                    }
                    portal.sync()
                    repeat(2) { assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", "wrong") } }
                    val locked = assertFailsWith<PortailException.LockedOut> { portal.login(Audience.CLIENT, "4", "long-enough-1") }
                    assertEquals(SEED_NOW.plusSeconds(60), java.time.Instant.parse(locked.until!!))
                    clock.advance(Duration.ofSeconds(61))
                    val me = portal.login(Audience.CLIENT, "4", "long-enough-1")
                    assertEquals(account.id, me.accountId)
                    val short = assertFailsWith<PortailException.InvalidInput> { portal.changePassword(me, "long-enough-1", "short-pass") }
                    assertEquals("password", short.field)
                }
            }
        }
        val bad = assertFailsWith<PortailException.InvalidInput> {
            PortalBuilder("t").use { it.settings(maSociete()).security(SecurityOptions(lockoutMs = -1)).build() }
        }
        assertEquals("lockout_ms", bad.field)
    }

    // Item 4: outbox.

    @Test
    fun `claim lease is validated between 100 ms and 1 day`() {
        for (bad in listOf(Duration.ofMillis(99), Duration.ZERO, Duration.ofDays(1).plusMillis(1), Duration.ofSeconds(Long.MAX_VALUE))) {
            val e = assertFailsWith<PortailException.InvalidInput>(bad.toString()) {
                PortalBuilder("t").use { it.settings(maSociete()).claimLease(bad).build() }
            }
            assertEquals("claim_lease", e.field)
            assertEquals("invalid_input", e.code)
        }
        for (good in listOf(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofDays(1))) {
            PortalBuilder("t").use { it.settings(maSociete()).claimLease(good).build() }.use { portal ->
                portal.parties().upsert(moiMeme())
                portal.documents().publish(invoice())
                assertEquals(1uL, portal.dispatch().sent)
            }
        }
    }

    /** Accepts connections and never answers (a hung relay). */
    class SilentRelay : AutoCloseable {
        private val server = ServerSocket(0)
        private val clients = CopyOnWriteArrayList<Socket>()
        val port: Int get() = server.localPort
        private val worker = thread(isDaemon = true) {
            while (!server.isClosed) clients += runCatching { server.accept() }.getOrNull() ?: break
        }

        override fun close() {
            server.close()
            clients.forEach { runCatching { it.close() } }
            worker.join(2000)
        }
    }

    @Test
    fun `the smtp deadline option ends a send to a hung relay`() {
        SilentRelay().use { relay ->
            FixedClock(SEED_NOW).use { clock ->
                PortalBuilder("ma-societe").use {
                    it.settings(maSociete())
                        .smtpUnencrypted("127.0.0.1", relay.port, Duration.ofMillis(400))
                        .clock(clock)
                        .build()
                }.use { portal ->
                    portal.parties().upsert(moiMeme())
                    portal.documents().publish(invoice())
                    val started = System.nanoTime()
                    val report = portal.dispatch()
                    val took = Duration.ofNanos(System.nanoTime() - started)
                    System.err.println("hung relay, deadline 400 ms: dispatch ended after ${took.toMillis()} ms")
                    assertEquals(1uL, report.failed)
                    assertTrue(took < Duration.ofSeconds(5), "took $took")
                    val n = portal.notifications().history(NotificationFilter()).items.single()
                    assertEquals(NotificationState.FAILED, n.state)
                }
            }
        }
        // Without the argument the builder still takes the core's default.
        PortalBuilder("t").use { it.settings(maSociete()).smtpUnencrypted("127.0.0.1", 1).build() }.close()
    }

    @Test
    fun `a secret in a template subject is refused naming the subject`() = withPortal { portal, _, _ ->
        val password = mergeFieldToken(MergeField.PASSWORD)
        assertEquals("#mot_de_passe#", password)
        portal.templates().use { templates ->
            val current = templates.get(Audience.CLIENT, TemplatePurpose.ACCESS_CREDENTIALS)
            val e = assertFailsWith<PortailException.InvalidInput> {
                templates.save(current.copy(subject = "Votre mot de passe : $password"))
            }
            assertEquals("subject", e.field)
            assertEquals(current, templates.get(Audience.CLIENT, TemplatePurpose.ACCESS_CREDENTIALS))
        }
    }

    /** Tries to cancel, then resend, the notification it is sending; keeps the errors. */
    class MeddlingMailer : Mailer {
        val portal = AtomicReference<Portal?>(null)
        val errors = CopyOnWriteArrayList<Throwable>()
        val sent = CopyOnWriteArrayList<OutgoingMessage>()

        override fun send(message: OutgoingMessage) {
            val p = portal.get() ?: error("no portal")
            p.notifications().use { n ->
                runCatching { n.cancel(message.notificationId) }.exceptionOrNull()?.let { errors += it }
                runCatching { n.resend(message.notificationId, true) }.exceptionOrNull()?.let { errors += it }
            }
            sent += message
        }
    }

    @Test
    fun `cancel and resend of a notification being sent are invalid state`() {
        val mailer = MeddlingMailer()
        FixedClock(SEED_NOW).use { clock ->
            PortalBuilder("ma-societe").use { it.settings(maSociete()).mailer(mailer).clock(clock).build() }.use { portal ->
                mailer.portal.set(portal)
                try {
                    portal.parties().upsert(moiMeme())
                    val doc = portal.documents().publish(invoice())
                    val id = assertNotNull(doc.notification.notificationId)
                    assertEquals(1uL, portal.dispatch().sent)
                    assertEquals(2, mailer.errors.size, mailer.errors.toString())
                    mailer.errors.forEach { assertIs<PortailException.InvalidState>(it) }
                    val n = portal.notifications().get(id)
                    assertEquals(NotificationState.SENT, n.state, "the history tells the truth")
                    assertEquals(1, mailer.sent.size)
                    // The Date header is the portal's clock.
                    assertEquals(SEED_NOW, mailer.sent.single().date)
                    assertEquals(0uL, portal.dispatch().attempted, "sent once")
                } finally {
                    mailer.portal.set(null)
                }
            }
        }
    }

    @Test
    fun `an undecodable notification is quarantined and the others go out`() {
        val sqlite = runCatching { ProcessBuilder("sqlite3", "-version").start().waitFor() == 0 }.getOrDefault(false)
        assumeTrue(sqlite, "the sqlite3 command line tool corrupts the row")
        val dir = Files.createTempDirectory("portail-quarantine")
        try {
            MemoryMailer().use { mailer ->
                FixedClock(SEED_NOW).use { clock ->
                    PortalBuilder("ma-societe").use {
                        it.settings(maSociete()).dataDir(dir.toString()).memoryMailer(mailer).clock(clock)
                            .hashing(Hashing.FAST_FOR_TESTS).build()
                    }.use { portal ->
                        portal.parties().use { p -> (1..3).forEach { p.upsert(client("$it")) } }
                        val ids = (1..3).map { code ->
                            val doc = portal.documents().publish(invoice(code = "$code"))
                            assertNotNull(doc.notification.notificationId)
                        }
                        val victim = ids[1]
                        val sql = "UPDATE notifications SET body = '{\"id\": 12' WHERE id = '$victim';"
                        val proc = ProcessBuilder("sqlite3", dir.resolve("portail.sqlite3").toString(), sql)
                            .redirectErrorStream(true).start()
                        val out = proc.inputStream.bufferedReader().readText()
                        assertEquals(0, proc.waitFor(), out)
                        val report = portal.dispatch()
                        assertEquals(2uL, report.sent)
                        assertEquals(ids.toSet() - victim, mailer.messages().map { it.notificationId }.toSet())
                        val n = portal.notifications().get(victim)
                        assertEquals(NotificationState.QUARANTINED, n.state)
                        assertEquals(QuarantineReason.UNDECODABLE, n.quarantine)
                        val listed = portal.notifications().history(NotificationFilter())
                        assertEquals(3L, listed.total)
                        assertFailsWith<PortailException.InvalidState> { portal.notifications().cancel(victim) }
                        portal.notifications().get(ids[0]).let { assertNull(it.quarantine) }
                    }
                }
            }
        } finally {
            dir.toFile().deleteRecursively()
        }
    }

    // Item 5: input checked at input time.

    @Test
    fun `addresses the mail library refuses are invalid input at input`() = withPortal { portal, _, _ ->
        for (bad in listOf("a\\b@x.fr", "(x)@x.fr")) {
            val e = assertFailsWith<PortailException.InvalidInput>(bad) {
                portal.parties().upsert(moiMeme(main = bad))
            }
            assertEquals("emails.main", e.field, bad)
        }
        val sender = assertFailsWith<PortailException.InvalidInput> {
            portal.saveSettings(portal.settings().copy(replyTo = "(x)@masociete.fr"))
        }
        assertEquals("reply_to", sender.field)
        val from = assertFailsWith<PortailException.InvalidInput> {
            portal.saveSettings(portal.settings().copy(sender = "a\\b@masociete.fr"))
        }
        assertEquals("sender", from.field)
        assertFailsWith<PortailException.NotFound> { portal.parties().get(Audience.CLIENT, "4") }
    }

    @Test
    fun `length caps count characters and name the field`() = withPortal { portal, _, _ ->
        val e = assertFailsWith<PortailException.InvalidInput> {
            portal.parties().upsert(clientParty("4", "é".repeat(201)))
        }
        assertEquals("name", e.field)
        val saved = portal.parties().upsert(clientParty("4", "é".repeat(200)))
        assertEquals(200, saved.name.length)
    }

    @Test
    fun `bytes that are not a PDF under a pdf name are refused`() = withPortal { portal, mailer, _ ->
        portal.parties().upsert(moiMeme())
        for (content in listOf("<html>facture</html>", "PK\u0003\u0004zip", "not a pdf")) {
            val e = assertFailsWith<PortailException.InvalidInput>(content) {
                portal.documents().publish(invoice().copy(content = content.toByteArray()))
            }
            assertEquals("content", e.field)
        }
        assertEquals(0uL, portal.dispatch().attempted, "nothing notified")
        assertTrue(mailer.messages().isEmpty())
        portal.documents().publish(invoice().copy(content = samplePdf(listOf("FA-0002"))))
    }

    // Item 6: the unpaid copy is a full rewrite.

    private fun ByteArray.count(needle: String): Int {
        val n = needle.toByteArray()
        return (0..size - n.size).count { i -> n.indices.all { this[i + it] == n[it] } }
    }

    private fun ByteArray.startsWith(prefix: ByteArray): Boolean =
        size >= prefix.size && prefix.indices.all { this[it] == prefix[it] }

    @Test
    fun `the unpaid watermark copy is a full rewrite without the original`() = withPortal { portal, _, _ ->
        val s = portal.settings()
        portal.saveSettings(s.copy(client = s.client.copy(unpaidPolicy = UnpaidPolicy.WATERMARK)))
        portal.parties().upsert(moiMeme())
        val original = samplePdf(listOf("Facture FA-0002", "page 2"))
        val doc = portal.documents().publish(invoice().copy(content = original, payment = PaymentStatus.UNPAID))
        portal.accounts().generate(generateRequest(Audience.CLIENT, "4").copy(password = "motdepasse-4"))
        portal.sync()
        val me = portal.login(Audience.CLIENT, "4", "motdepasse-4")
        val download = portal.view(me).use { it.open(doc.id) }
        assertTrue(download.watermarked)
        for (copy in listOf(download.content, pdfWatermark(original, "POUR CONSULTATION UNIQUEMENT"))) {
            assertEquals(1, copy.count("%%EOF"), "one revision")
            assertFalse(copy.startsWith(original), "does not start with the original")
            assertEquals(2L, pdfPageCount(copy))
        }
    }

    // Item 7: a deleted blob is a storage error.

    @Test
    fun `a deleted blob is a storage error, not not found`() {
        val blobs = Files.createTempDirectory("portail-blobs")
        try {
            MemoryMailer().use { mailer ->
                FixedClock(SEED_NOW).use { clock ->
                    PortalBuilder("ma-societe").use {
                        it.settings(maSociete()).blobsDir(blobs.toString()).memoryMailer(mailer).clock(clock)
                            .hashing(Hashing.FAST_FOR_TESTS).build()
                    }.use { portal ->
                        portal.parties().upsert(moiMeme())
                        val content = samplePdf(listOf("Contrat 42"))
                        val doc = portal.documents().publish(invoice(name = "Contrat-42.pdf").copy(content = content))
                        assertContentEquals(content, portal.documents().content(doc.id))
                        portal.accounts().generate(generateRequest(Audience.CLIENT, "4").copy(password = "motdepasse-4"))
                        portal.sync()
                        val me = portal.login(Audience.CLIENT, "4", "motdepasse-4")
                        val files = Files.walk(blobs).use { w -> w.filter { it.isRegularFile() }.toList() }
                        assertTrue(files.isNotEmpty())
                        files.forEach(Files::delete)
                        val back = assertFailsWith<PortailException.Storage> { portal.documents().content(doc.id) }
                        assertEquals("storage", back.code)
                        assertTrue(back.detail.contains("Contrat-42.pdf"), back.detail)
                        val open = assertFailsWith<PortailException.Storage> { portal.view(me).use { it.open(doc.id) } }
                        assertTrue(open.detail.contains("Contrat-42.pdf"), open.detail)
                        assertEquals(0L, portal.documents().get(doc.id).downloads, "nothing recorded")
                    }
                }
            }
        } finally {
            blobs.toFile().deleteRecursively()
        }
    }
}
