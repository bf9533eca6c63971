// The seed-000 story in Kotlin, on the embedded default (SQLite + blob folder + .eml outbox):
// client "4" MOI MEME gets invoice FA-0002 in "Factures", is notified at his billing address,
// changes address, gets a forced resend there; then his portal access is generated, synced and
// used. Prints the notification history.
//
// Run (after scripts/ci/kotlin.sh or the build commands of docs/kotlin.md):
//   mvn -B -f bindings-kotlin/pom.xml exec:exec@demo
// or with an explicit data folder, `java -Djna.library.path=target/debug -cp ... dev.portail.examples.DemoKt data/`.
package dev.portail.examples

import dev.portail.Audience
import dev.portail.DocumentKind
import dev.portail.EInvoicingConsent
import dev.portail.EmailRole
import dev.portail.NotificationFilter
import dev.portail.PortalBuilder
import dev.portail.clientParty
import dev.portail.defaultSettings
import dev.portail.generateRequest
import dev.portail.publishRequest
import dev.portail.samplePdf
import java.nio.file.Files

fun main(args: Array<String>) {
    val dir = args.firstOrNull() ?: Files.createTempDirectory("portail-demo").toString()
    val settings = defaultSettings("MA SOCIETE", "masociete.fr").copy(replyTo = "contact@masociete.fr")

    PortalBuilder("ma-societe").use { it.settings(settings).dataDir(dir).build() }.use { portal ->
        // The host pushes its client record ("fiche client").
        portal.parties().use { parties ->
            parties.upsert(
                clientParty("4", "MOI MEME").copy(
                    emails = mapOf(EmailRole.MAIN to "keylian.ace@gmail.com", EmailRole.BILLING to "keylian.ace@gmail.com"),
                    einvoicing = EInvoicingConsent.ACCEPTED,
                )
            )
        }

        // The invoice is closed: it lands in "Factures", which notifies the billing address.
        val invoice = portal.documents().use { docs ->
            docs.publish(
                publishRequest(Audience.CLIENT, "4", "Factures", "FA-0002.pdf", samplePdf(listOf("Facture FA-0002")))
                    .copy(kind = DocumentKind.INVOICE, externalId = "FA-0002")
            )
        }
        val first = invoice.notification.notificationId!!
        println("published ${invoice.name} (${invoice.size} bytes), notification queued")

        // "Synchroniser" (blocking: a real app calls it from a background thread).
        println("sync: ${portal.sync().dispatch.sent} sent")

        // The billing address changes; a forced resend goes to the new one.
        portal.parties().use { parties ->
            val party = parties.get(Audience.CLIENT, "4")
            parties.upsert(party.copy(emails = party.emails + (EmailRole.BILLING to "compta@moimeme.fr")))
        }
        portal.notifications().resend(first, force = true)
        println("forced resend: ${portal.sync().dispatch.sent} sent")

        // "Historique des notifications".
        println("notification history of client 4:")
        portal.notifications().use { n ->
            for (item in n.history(NotificationFilter(partyCode = "4")).items.sortedBy { it.createdAt }) {
                val forced = if (item.forced) " (forced)" else ""
                println("  ${item.createdAt}  ${item.state}  ${item.recipient}  ${item.subject}$forced")
            }
        }

        // Portal access: a draft with a readable password, synchronised, e-mailed, used.
        portal.accounts().use { accounts ->
            val draft = accounts.generate(generateRequest(Audience.CLIENT, "4"))
            val password = accounts.draftPassword(draft.id)
            println("draft account ${draft.identifier}: password readable until sync")
            val report = portal.sync()
            val active = accounts.get(draft.id)
            println("sync: ${report.activated} activated, credentials e-mailed to ${active.credentialsSentTo} at ${active.credentialsSentAt}")
            val me = portal.login(Audience.CLIENT, "4", password)
            portal.view(me).use { view ->
                val docs = view.documents().items
                println("client 4 logged in and sees: ${docs.joinToString { it.name }}")
                val download = view.open(docs.first().id)
                println("downloaded ${download.document.name}: ${download.content.size} bytes, ${download.document.downloads} download(s)")
            }
        }
        println("data in $dir (portail.sqlite3, blobs/, outbox/*.eml)")
    }
}

