package dev.portail

import java.time.Instant

/** The instant of seed 000's screenshots. */
val SEED_NOW: Instant = Instant.parse("2019-03-08T16:55:15Z")

/** MA SOCIETE's settings, as in seed 000's "Paramètres internet". */
fun maSociete(): Settings =
    defaultSettings("MA SOCIETE", "masociete.fr").copy(replyTo = "contact@masociete.fr")

/** A portal in memory with cheap hashing, sending into [mailer], on [clock]. */
fun testPortal(mailer: MemoryMailer, clock: FixedClock): Portal =
    PortalBuilder("ma-societe").use { b ->
        b.settings(maSociete())
            .memoryMailer(mailer)
            .clock(clock)
            .hashing(Hashing.FAST_FOR_TESTS)
            .build()
    }

/** Client "4", MOI MEME, billing and main address [billing], e-invoicing accepted. */
fun moiMeme(billing: String = "keylian.ace@gmail.com", main: String = "keylian.ace@gmail.com"): Party =
    clientParty("4", "MOI MEME").copy(
        emails = mapOf(EmailRole.MAIN to main, EmailRole.BILLING to billing),
        einvoicing = EInvoicingConsent.ACCEPTED,
    )

/** The closed invoice FA-0002 for the "Factures" folder of client [code]. */
fun invoice(code: String = "4", name: String = "FA-0002.pdf"): Publish =
    publishRequest(Audience.CLIENT, code, "Factures", name, "%PDF-1.4 FA-0002".toByteArray())
        .copy(kind = DocumentKind.INVOICE)

/** Run [block] with a fresh memory mailer, a fixed clock at [SEED_NOW] and a test portal. */
fun withPortal(block: (Portal, MemoryMailer, FixedClock) -> Unit): Unit =
    MemoryMailer().use { mailer ->
        FixedClock(SEED_NOW).use { clock ->
            testPortal(mailer, clock).use { portal -> block(portal, mailer, clock) }
        }
    }
