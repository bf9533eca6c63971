package dev.portail

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.io.path.exists
import kotlin.io.path.listDirectoryEntries
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** Opening portals (embedded default, directories), settings, folders, templates, threads. */
class PortalTest {
    @Test
    fun `the embedded default keeps everything in one folder and reopens it`(@TempDir dir: Path) {
        Portal.open(dir.toString()).use { portal ->
            assertEquals("default", portal.tenant())
            portal.saveSettings(maSociete().copy(version = portal.settings().version))
            portal.parties().upsert(moiMeme())
            val doc = portal.documents().publish(invoice())
            assertEquals(1uL, portal.sync().dispatch.sent)
            val id = doc.notification.notificationId!!
            val eml = readOutboxMessage(dir.resolve("outbox").toString(), id)
            assertContains(eml, "To: keylian.ace@gmail.com")
        }
        assertTrue(dir.resolve("portail.sqlite3").exists())
        Portal.open(dir.toString()).use { again ->
            assertEquals("MA SOCIETE", again.settings().companyName)
            assertEquals("MOI MEME", again.parties().get(Audience.CLIENT, "4").name)
        }
    }

    @Test
    fun `blobs and outbox directories`(@TempDir dir: Path) {
        val outbox = dir.resolve("outbox")
        PortalBuilder("ma-societe").use {
            it.settings(maSociete()).blobsDir(dir.resolve("blobs").toString()).outboxDir(outbox.toString())
                .hashing(Hashing.FAST_FOR_TESTS).build()
        }.use { portal ->
            portal.parties().upsert(moiMeme())
            val file = Files.write(dir.resolve("FA-0002.pdf"), samplePdf(listOf("Facture FA-0002")))
            val doc = portal.documents().publish(publishRequestFromPath(Audience.CLIENT, "4", "Factures", file.toString()))
            assertEquals(Files.size(file), doc.size)
            assertEquals("FA-0002.pdf", doc.name)
            assertEquals("application/pdf", doc.contentType)
            assertEquals(1, dir.resolve("blobs").toFile().walk().count { it.isFile })
            portal.sync()
            assertEquals(1, outbox.listDirectoryEntries("*.eml").size)
            val missing = assertFailsWith<PortailException.InvalidInput> {
                publishRequestFromPath(Audience.CLIENT, "4", "Factures", dir.resolve("nope.pdf").toString())
            }
            assertEquals("path", missing.field)
            assertTrue(portal.documents().content(doc.id).contentEquals(Files.readAllBytes(file)))
        }
    }

    @Test
    fun `default folder trees, folder edits and templates`() = withPortal { portal, _, _ ->
        portal.folders().use { folders ->
            assertEquals(
                listOf("Contrats à signer", "Devis à signer", "Contrats", "Devis", "Factures"),
                folders.list(Audience.CLIENT).map { it.label },
            )
            val factures = folders.get(Audience.CLIENT, "Factures")
            assertEquals(EmailRole.BILLING, factures.notifyOn)
            assertEquals(LinkTarget.ACCOUNT_STATEMENT, factures.link)
            assertEquals(SignaturePlacement.RIGHT, folders.get(Audience.CLIENT, "Contrats à signer").signature)
            val added = folders.add(newFolder(Audience.EMPLOYEE, "Notes de frais", "Notes de frais"))
            val updated = folders.update(added.copy(shared = false))
            assertEquals(false, updated.shared)
            folders.remove(Audience.EMPLOYEE, "Notes de frais")
            assertEquals(5, folders.list(Audience.EMPLOYEE).size)
        }
        portal.templates().use { templates ->
            val t = templates.get(Audience.CLIENT, TemplatePurpose.DOCUMENT_AVAILABLE)
            assertEquals(0uL, t.version)
            assertTrue(MergeField.DOCUMENT in templates.fields(TemplatePurpose.DOCUMENT_AVAILABLE))
            assertEquals("#lien#", mergeFieldToken(MergeField.LINK))
            val bad = assertFailsWith<PortailException.InvalidInput> {
                templates.save(t.copy(body = "#mot_de_passe#"))
            }
            assertEquals("body", bad.field)
            val saved = templates.save(t.copy(subject = "#société# : #document#"))
            assertEquals(1uL, saved.version)
        }
        portal.parties().upsert(moiMeme())
        portal.documents().publish(invoice())
        portal.sync()
    }

    @Test
    fun `in memory portal, and the retry policy of the builder`() {
        Portal.inMemory("acme", maSociete()).use { p ->
            assertEquals("acme", p.tenant())
            assertEquals("MA SOCIETE", p.settings().companyName)
        }
        val zero = assertFailsWith<PortailException.InvalidInput> {
            PortalBuilder("t").use { it.retry(0, java.time.Duration.ofMinutes(1), java.time.Duration.ofHours(1)).build() }
        }
        assertEquals("max_attempts", zero.field)
        val mailer = MailerTest.ScriptedMailer("transient")
        FixedClock(SEED_NOW).use { clock ->
            PortalBuilder("t").use {
                it.settings(maSociete()).mailer(mailer).clock(clock)
                    .retry(2, java.time.Duration.ofSeconds(30), java.time.Duration.ofMinutes(5)).build()
            }.use { portal ->
                portal.parties().upsert(moiMeme())
                portal.documents().publish(invoice())
                assertEquals(1uL, portal.dispatch().failed)
                clock.advance(java.time.Duration.ofSeconds(30))
                assertEquals(1uL, portal.dispatch().abandoned, "the second attempt is the last")
            }
        }
    }

    @Test
    fun `one portal shared by threads`() = withPortal { portal, mailer, _ ->
        portal.parties().upsert(moiMeme())
        val pool = Executors.newFixedThreadPool(4)
        try {
            val futures = (1..20).map { i ->
                pool.submit<Document> { portal.documents().publish(invoice(name = "FA-$i.pdf")) }
            }
            futures.forEach { it.get(30, TimeUnit.SECONDS) }
            val sent = pool.submit<SyncReport> { portal.sync() }.get(30, TimeUnit.SECONDS)
            assertEquals(20uL, sent.dispatch.sent)
            assertEquals(20, mailer.messages().size)
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun `update settings with a lambda`() = withPortal { portal, _, _ ->
        val before = portal.settings().version
        val saved = portal.updateSettings { it.copy(replyTo = "compta@masociete.fr") }
        assertEquals("compta@masociete.fr", saved.replyTo)
        assertEquals(before + 1uL, portal.settings().version)
        val thrown = assertFailsWith<PortailException.Unexpected> { portal.updateSettings { error("no") } }
        assertEquals("callback", thrown.code)
        assertEquals(before + 1uL, portal.settings().version)
        val bad = assertFailsWith<PortailException.InvalidInput> { portal.updateSettings { it.copy(sender = "x") } }
        assertEquals("sender", bad.field)
    }
}
