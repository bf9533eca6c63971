// The binding overhead benchmark in Kotlin (issue 13, item 6): the same work as
// examples/rust/bench_binding.rs, whose figures scripts/bench-bindings compares it with.
//
// Run (after scripts/bench-bindings has built the release library and compiled the examples):
//   mvn -B -q -f bindings-kotlin/pom.xml -Duniffi.libdir=$CARGO_TARGET_DIR/release exec:exec@bench
// BENCH_ROUNDS and BENCH_CALLS as for the other languages.
//
// An in-memory portal with 1,000 employees; publishMany of 50,000 payslips (about 300 bytes,
// with external ids) in one call, on a fresh portal each round, timed with what a host pays
// (building the list of Publish records in Kotlin, the call, and the report of 50,000 documents
// converted back); then the first page (20) of one employee's documents, BENCH_CALLS times
// after 200 warm-up calls. Lines starting RESULT are read by the script.
package dev.portail.examples

import dev.portail.Audience
import dev.portail.DocumentKind
import dev.portail.EmailRole
import dev.portail.Hashing
import dev.portail.Portal
import dev.portail.PortalBuilder
import dev.portail.Progress
import dev.portail.ProgressListener
import dev.portail.Publish
import dev.portail.PaymentStatus
import dev.portail.defaultSettings
import dev.portail.employeeParty

private const val DOCS = 50_000
private const val EMPLOYEES = 1_000
private const val PAGE = 20
private const val WARMUP = 200

private fun code(e: Int) = "E" + e.toString().padStart(5, '0')

private fun payslip(i: Int): ByteArray =
    ("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% bulletin de paie ${i.toString().padStart(8, '0')}\n" +
        "BT /F1 10 Tf (Salaire de base 2 150,00 EUR - matricule ${(i % EMPLOYEES).toString().padStart(5, '0')}) Tj ET\n" +
        "BT /F1 10 Tf (Cotisations salariales 468,70 EUR - net a payer 1 681,30 EUR) Tj ET\n" +
        "BT /F1 10 Tf (Periode du 01/03/2026 au 31/03/2026 - ACME PAIE) Tj ET\n%%EOF\n").toByteArray()

private fun newPortal(): Portal {
    val portal = PortalBuilder("bench").use {
        it.settings(defaultSettings("ACME PAIE", "acme.example")).hashing(Hashing.FAST_FOR_TESTS).build()
    }
    portal.parties().use { parties ->
        for (e in 0 until EMPLOYEES) {
            parties.upsert(
                employeeParty(code(e), "SALARIE $e").copy(emails = mapOf(EmailRole.MAIN to "salarie$e@acme.example"))
            )
        }
    }
    return portal
}

private fun percentile(v: List<Double>, p: Double): Double {
    val s = v.sorted()
    return s[minOf(s.size - 1, Math.round((s.size - 1) * p).toInt())]
}

private fun now() = System.nanoTime() / 1e9

fun main() {
    val rounds = maxOf(1, System.getenv("BENCH_ROUNDS")?.toIntOrNull() ?: 5)
    val calls = maxOf(1, System.getenv("BENCH_CALLS")?.toIntOrNull() ?: 2000)
    println(
        "bench_binding kotlin: $EMPLOYEES employees, publish_many of $DOCS payslips " +
            "(${payslip(0).size} bytes each) x $rounds rounds; listing first page of $PAGE x $calls calls"
    )

    val total = ArrayList<Double>()
    val build = ArrayList<Double>()
    val core = ArrayList<Double>()
    val back = ArrayList<Double>()
    var portal: Portal? = null
    repeat(rounds) {
        portal?.close()
        val p = newPortal()
        portal = p
        System.gc()
        var last = 0.0
        val listener = object : ProgressListener {
            override fun onProgress(progress: Progress) {
                last = now()
            }
        }
        val t = now()
        val commands = ArrayList<Publish>(DOCS)
        for (i in 0 until DOCS) {
            commands.add(
                Publish(
                    audience = Audience.EMPLOYEE,
                    partyCode = code(i % EMPLOYEES),
                    folder = "Bulletins",
                    name = "BP-2026-03-${i.toString().padStart(6, '0')}.pdf",
                    content = payslip(i),
                    kind = DocumentKind.PAYSLIP,
                    payment = PaymentStatus.PAID,
                    externalId = "BP-2026-03-${i.toString().padStart(6, '0')}",
                )
            )
        }
        val built = now()
        val report = p.documents().publishMany(commands, listener)
        val took = now()
        check(report.published == DOCS.toLong()) { "published ${report.published}" }
        check(report.notificationsQueued == DOCS.toLong())
        check(report.outcomes.size == DOCS)
        total.add(took - t)
        build.add(built - t)
        core.add(last - built)
        back.add(took - last)
    }
    val (t50, b50, c50, k50) = listOf(total, build, core, back).map { percentile(it, 0.5) }
    println(
        "publish_many: median %.3f s (min %.3f, max %.3f); build input %.3f s, call to last progress %.3f s, after it %.3f s"
            .format(t50, total.min(), total.max(), b50, c50, k50)
    )
    println("RESULT publish_many %.6f %.6f %.6f %.6f".format(t50, b50, c50, k50))

    val times = ArrayList<Double>(calls)
    portal!!.documents().use { documents ->
        for (q in 0 until WARMUP + calls) {
            val party = code(q % EMPLOYEES)
            val t = System.nanoTime()
            val listed = documents.list(Audience.EMPLOYEE, party, limit = PAGE)
            val took = (System.nanoTime() - t) / 1e3
            check(listed.items.size == PAGE && listed.total == (DOCS / EMPLOYEES).toLong())
            if (q >= WARMUP) times.add(took)
        }
    }
    portal!!.close()
    val p50 = percentile(times, 0.5)
    val p99 = percentile(times, 0.99)
    println("listing: median %.1f us, p99 %.1f us".format(p50, p99))
    println("RESULT listing %.3f %.3f".format(p50, p99))
}
