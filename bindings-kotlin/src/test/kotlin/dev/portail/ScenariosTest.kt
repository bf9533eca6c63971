package dev.portail

import java.io.File
import java.lang.reflect.Field
import java.lang.reflect.InvocationTargetException
import java.lang.reflect.Modifier
import java.math.BigInteger
import java.security.MessageDigest
import java.time.Duration
import java.time.Instant
import java.time.OffsetDateTime
import java.time.format.DateTimeFormatter
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory

/**
 * The Kotlin runner of the golden scenarios (the `.json` files of `tests/scenarios`, format in
 * its README): every file is replayed through the public Kotlin API and its results are compared
 * in their canonical JSON form, exactly as `core/tests/scenarios.rs` (the reference runner)
 * does. One dynamic test per file; prints `scenarios: F files, S steps, A assertions` once, the line the
 * Rust, Python and Node runners print too.
 *
 * Where the binding's shape differs from the canonical form beyond generic conversions (names,
 * enums, instants, bytes, unsigned numbers), [Canon] normalises it; each such place is marked
 * `NORMALISATION:` below.
 */
class ScenariosTest {
    @TestFactory
    fun `golden scenarios`(): List<DynamicTest> {
        val dir = scenarioDir()
        val files = (dir.listFiles() ?: emptyArray())
            .filter { it.name.endsWith(".json") && it.name.length > ".json".length }
            .sortedWith { a, b -> compareCodePoints(a.name, b.name) }
        check(files.isNotEmpty()) { "no scenario files in $dir" }
        fileCount = files.size
        return files.map { file ->
            DynamicTest.dynamicTest(file.name) {
                val (steps, assertions) = try {
                    runFile(file, dir)
                } catch (f: ScenarioFailure) {
                    throw AssertionError("${file.name}: ${f.message}")
                }
                stepCount += steps
                assertionCount += assertions
            }
        }
    }

    companion object {
        private var fileCount = 0
        private var stepCount = 0L
        private var assertionCount = 0L

        @JvmStatic
        @AfterAll
        fun summary() {
            if (fileCount > 0) {
                println("scenarios: $fileCount files, $stepCount steps, $assertionCount assertions")
            }
        }
    }
}

/** A step failed, or the file is malformed (not an outcome of the library). */
private class ScenarioFailure(message: String) : Exception(message)

private fun fail(message: String): Nothing = throw ScenarioFailure(message)

/** `tests/scenarios`: from Surefire's `portail.scenarios`, else found above the working dir. */
private fun scenarioDir(): File {
    System.getProperty("portail.scenarios")?.let { return File(it).canonicalFile }
    var dir: File? = File(System.getProperty("user.dir")).canonicalFile
    while (dir != null) {
        val candidate = File(dir, "tests/scenarios")
        if (candidate.isDirectory) return candidate
        dir = dir.parentFile
    }
    error("tests/scenarios not found above ${System.getProperty("user.dir")}")
}

private fun runFile(path: File, dir: File): Pair<Long, Long> {
    val text = path.readText()
    val file = try {
        Json.parseToJsonElement(text)
    } catch (e: Exception) {
        fail("bad JSON: ${e.message}")
    }
    val obj = file as? JsonObject ?: fail("a scenario is an object")
    for (key in obj.keys) {
        if (key !in listOf("title", "source", "portal", "steps")) fail("unknown top-level key ${quote(key)}")
    }
    Run.open(obj["portal"] ?: fail("no portal"), File(dir, "fixtures")).use { run ->
        val steps = obj["steps"] as? JsonArray ?: fail("no steps")
        steps.forEachIndexed { i, step ->
            try {
                run.step(step)
            } catch (f: ScenarioFailure) {
                fail("step ${i + 1} (${(step as? JsonObject)?.get("do") ?: JsonNull}): ${f.message}")
            }
        }
        return steps.size.toLong() to run.assertions
    }
}

/** A step's result, or the canonical form of its error. */
private sealed interface Outcome {
    data class Ok(val value: JsonElement) : Outcome
    data class Err(val error: JsonElement) : Outcome
}

/** One replay: the portal, its mailer and clock, the saved values and the count. */
private class Run(
    val portal: Portal,
    val mailer: MemoryMailer,
    val clock: FixedClock,
    val fixtures: File,
) : AutoCloseable {
    val saved = HashMap<String, JsonElement>()
    var assertions = 0L

    override fun close() {
        portal.close()
        clock.close()
        mailer.close()
    }

    companion object {
        fun open(portal: JsonElement, fixtures: File): Run {
            val obj = portal as? JsonObject ?: fail("portal is an object")
            for (key in obj.keys) {
                if (key !in listOf("tenant", "company", "domain", "reply_to", "now")) {
                    fail("unknown portal key ${quote(key)}")
                }
            }
            val now = try {
                OffsetDateTime.parse(strOf(portal, "now")).toInstant()
            } catch (e: java.time.format.DateTimeParseException) {
                fail("now: ${e.message}")
            }
            var settings = defaultSettings(strOf(portal, "company"), strOf(portal, "domain"))
            optStr(portal, "reply_to")?.let { settings = settings.copy(replyTo = it) }
            val mailer = MemoryMailer()
            val clock = FixedClock(now)
            val built = try {
                PortalBuilder(strOf(portal, "tenant")).use { b ->
                    b.settings(settings)
                        .memoryMailer(mailer)
                        .clock(clock)
                        .hashing(Hashing.FAST_FOR_TESTS)
                        .build()
                }
            } catch (e: PortailException) {
                clock.close()
                mailer.close()
                fail("open: ${e.detail}")
            }
            return Run(built, mailer, clock, fixtures)
        }
    }

    fun step(step: JsonElement) {
        val obj = step as? JsonObject ?: fail("a step is an object")
        for (key in obj.keys) {
            if (key !in listOf("do", "with", "save", "expect", "error", "note")) fail("unknown step key ${quote(key)}")
        }
        if ("expect" in obj && "error" in obj) fail("expect and error exclude each other")
        val kind = strOf(step, "do")
        val args = resolve(obj["with"] ?: JsonObject(emptyMap()))
        val result = when (val outcome = call(kind, args)) {
            is Outcome.Ok -> {
                if ("error" in obj) fail("expected an error, got ${outcome.value}")
                outcome.value
            }
            is Outcome.Err -> {
                val expectedError = obj["error"] ?: fail("failed: ${outcome.error}")
                assertions += 1
                matches(resolve(expectedError), outcome.error, "error")
                return
            }
        }
        obj["expect"]?.let { matches(resolve(it), result, "result") }
        obj["save"]?.let { name ->
            val n = (name as? JsonPrimitive)?.takeIf { it.isString }?.content ?: fail("save is a name")
            saved[n] = result
        }
    }

    /** Replace `$name.path` references by saved values. */
    fun resolve(v: JsonElement): JsonElement = when {
        v is JsonPrimitive && v.isString && v.content.startsWith("$$") -> JsonPrimitive(v.content.substring(1))
        v is JsonPrimitive && v.isString && v.content.startsWith("$") -> {
            val s = v.content
            val parts = s.substring(1).split('.')
            val name = parts[0]
            var cur: JsonElement = saved[name] ?: fail("nothing saved as ${quote(name)}")
            for (part in parts.drop(1)) {
                cur = when (cur) {
                    is JsonObject -> cur[part]
                    is JsonArray -> part.toLongOrNull()?.let { i ->
                        val j = if (i < 0) cur.size + i else i
                        if (j in 0 until cur.size) cur[j.toInt()] else null
                    }
                    else -> null
                } ?: fail("$s: no ${quote(part)}")
            }
            cur
        }
        v is JsonArray -> JsonArray(v.map { resolve(it) })
        v is JsonObject -> JsonObject(v.mapValuesTo(LinkedHashMap()) { (_, x) -> resolve(x) })
        else -> v
    }

    /** Match [actual] against [expected] (README: Matching), counting assertions. */
    fun matches(expected: JsonElement, actual: JsonElement, at: String) {
        when {
            expected is JsonObject && expected.keys.any { it.startsWith("$") } -> {
                if (expected.size != 1) fail("$at: a matcher has one key")
                val (k, arg) = expected.entries.first()
                assertions += 1
                val ok = when (k) {
                    "\$contains" -> {
                        val a = stringOf(actual)
                        val e = stringOf(arg)
                        a != null && e != null && a.contains(e)
                    }
                    "\$len" -> {
                        val len = when {
                            actual is JsonPrimitive && actual.isString ->
                                actual.content.codePointCount(0, actual.content.length).toLong()
                            actual is JsonArray -> actual.size.toLong()
                            else -> null
                        }
                        len != null && asU64(arg) == len.toULong()
                    }
                    "\$not" -> !scalarEq(arg, actual)
                    "\$any" -> actual !is JsonNull
                    else -> fail("$at: unknown matcher $k")
                }
                if (!ok) fail("$at: $actual does not match $expected")
            }
            expected is JsonObject -> {
                val a = actual as? JsonObject ?: fail("$at: expected an object, got $actual")
                for ((k, e) in expected) {
                    if (k !in a && e !is JsonNull) fail("$at: no key ${quote(k)} in $a")
                    matches(e, a[k] ?: JsonNull, "$at.$k")
                }
            }
            expected is JsonArray -> {
                val a = actual as? JsonArray ?: fail("$at: expected an array, got $actual")
                assertions += 1
                if (a.size != expected.size) fail("$at: ${a.size} items, expected ${expected.size}: $actual")
                expected.zip(a).forEachIndexed { i, (e, x) -> matches(e, x, "$at.$i") }
            }
            else -> {
                assertions += 1
                if (!scalarEq(expected, actual)) fail("$at: $actual, expected $expected")
            }
        }
    }

    fun call(kind: String, args: JsonElement): Outcome {
        fun known(vararg keys: String) {
            (args as? JsonObject)?.keys?.forEach { if (it !in keys) fail("$kind: unknown argument ${quote(it)}") }
        }
        val p = portal
        // Arguments are read (and runner failures raised) before the library is called, inside
        // `outcome`; only a PortailException becomes an error outcome.
        fun outcome(block: () -> Any?): Outcome = try {
            Outcome.Ok(Canon.of(block()))
        } catch (e: PortailException) {
            Outcome.Err(Canon.of(e))
        }
        return when (kind) {
            "settings.get" -> {
                known()
                outcome { p.settings() }
            }
            "settings.update" -> {
                val patch = args
                try {
                    val merged = merge(Canon.of(p.settings()), patch)
                    val settings = try {
                        Canon.decode(merged, Settings::class.java)
                    } catch (e: Canon.DecodeException) {
                        // As the Rust runner: a patch that does not make settings is the core's
                        // `Error::invalid("settings", ...)`.
                        return Outcome.Err(
                            JsonObject(
                                linkedMapOf(
                                    "code" to JsonPrimitive("invalid_input"),
                                    "message" to JsonPrimitive("invalid settings: ${e.message}"),
                                    "field" to JsonPrimitive("settings"),
                                    "reason" to JsonPrimitive(e.message ?: ""),
                                ),
                            ),
                        )
                    }
                    Outcome.Ok(Canon.of(p.saveSettings(settings)))
                } catch (e: PortailException) {
                    Outcome.Err(Canon.of(e))
                }
            }
            "parties.upsert" -> {
                known("audience", "code", "name", "emails", "einvoicing", "company", "unpaid_exempt")
                var party = when (audience(args)) {
                    Audience.CLIENT -> clientParty(strOf(args, "code"), strOf(args, "name"))
                    Audience.EMPLOYEE -> employeeParty(strOf(args, "code"), strOf(args, "name"))
                }
                (get(args, "emails") as? JsonObject)?.forEach { (role, address) ->
                    val r = parseEnum(JsonPrimitive(role), EmailRole::class.java)
                    val a = stringOf(address) ?: fail("an address is a string")
                    // NORMALISATION (argument side): the core's `Party::email(role, address)`
                    // builder trims the address and drops a blank one; the Kotlin binding has no
                    // such builder (only the `emails` map), so the runner does the same here.
                    party = if (a.trim().isEmpty()) {
                        party.copy(emails = party.emails - r)
                    } else {
                        party.copy(emails = party.emails + (r to a.trim()))
                    }
                }
                get(args, "einvoicing")?.let { party = party.copy(einvoicing = parseEnum(it, EInvoicingConsent::class.java)) }
                optStr(args, "company")?.let { party = party.copy(company = it) }
                asBool(get(args, "unpaid_exempt"))?.let { party = party.copy(unpaidExempt = it) }
                outcome { p.parties().upsert(party) }
            }
            "parties.get" -> {
                known("audience", "code")
                val a = audience(args)
                val code = strOf(args, "code")
                outcome { p.parties().get(a, code) }
            }
            "folders.get" -> {
                known("audience", "folder")
                val a = audience(args)
                val folder = strOf(args, "folder")
                outcome { p.folders().get(a, folder) }
            }
            "documents.publish" -> {
                val cmd = publishCommand(args)
                outcome { p.documents().publish(cmd()) }
            }
            "documents.publish_many" -> {
                known("items")
                val items = get(args, "items") as? JsonArray ?: fail("items is a list")
                val cmds = items.map { publishCommand(it) }
                outcome { p.documents().publishMany(cmds.map { it() }) }
            }
            "documents.get" -> {
                known("id")
                val id = strOf(args, "id")
                outcome { p.documents().get(id) }
            }
            "documents.set_payment" -> {
                known("id", "payment")
                val payment = parseEnum(get(args, "payment") ?: fail("payment"), PaymentStatus::class.java)
                val id = strOf(args, "id")
                outcome { p.documents().setPayment(id, payment) }
            }
            "documents.content" -> {
                known("id")
                val id = strOf(args, "id")
                outcome { p.documents().content(id) }
            }
            "notifications.history" -> {
                known("audience", "party_code", "state", "offset", "limit", "cursor")
                val filter = NotificationFilter(
                    audience = get(args, "audience")?.let { parseEnum(it, Audience::class.java) },
                    partyCode = optStr(args, "party_code"),
                    state = get(args, "state")?.let { parseEnum(it, NotificationState::class.java) },
                )
                val (offset, limit, cursor) = paging(args)
                outcome { p.notifications().history(filter, offset, limit, cursor) }
            }
            "notifications.get" -> {
                known("id")
                val id = strOf(args, "id")
                outcome { p.notifications().get(id) }
            }
            "notifications.resend" -> {
                known("id", "force")
                val force = asBool(get(args, "force")) ?: false
                val id = strOf(args, "id")
                outcome { p.notifications().resend(id, force) }
            }
            "notifications.cancel" -> {
                known("id")
                val id = strOf(args, "id")
                outcome { p.notifications().cancel(id) }
            }
            "accounts.generate" -> {
                known("audience", "party", "identifier", "password", "notify_by_email", "authorized")
                var g = generateRequest(audience(args), strOf(args, "party"))
                get(args, "identifier")?.let { g = g.copy(identifier = identifier(it)) }
                optStr(args, "password")?.let { g = g.copy(password = it) }
                asBool(get(args, "notify_by_email"))?.let { g = g.copy(notifyByEmail = it) }
                asBool(get(args, "authorized"))?.let { g = g.copy(authorized = it) }
                outcome { p.accounts().generate(g) }
            }
            "accounts.generate_batch" -> {
                known("audience", "parties", "identifier", "notify_by_email")
                val codes = (get(args, "parties") as? JsonArray)
                    ?.map { stringOf(it) ?: fail("parties: $it is not a string") }
                    ?: fail("parties: expected a sequence, got ${get(args, "parties") ?: JsonNull}")
                var options = BatchOptions(identifier = IdentifierChoice.Code, notifyByEmail = true)
                get(args, "identifier")?.let { options = options.copy(identifier = identifier(it)) }
                asBool(get(args, "notify_by_email"))?.let { options = options.copy(notifyByEmail = it) }
                val a = audience(args)
                outcome { p.accounts().generateBatch(a, codes, options) }
            }
            "accounts.get" -> {
                known("id")
                val id = strOf(args, "id")
                outcome { p.accounts().get(id) }
            }
            "accounts.set_authorized" -> {
                known("id", "authorized")
                val authorized = asBool(get(args, "authorized")) ?: fail("authorized")
                val id = strOf(args, "id")
                outcome { p.accounts().setAuthorized(id, authorized) }
            }
            "accounts.revoke" -> {
                known("id")
                val id = strOf(args, "id")
                outcome { p.accounts().revoke(id) }
            }
            "accounts.draft_password" -> {
                known("id")
                val id = strOf(args, "id")
                outcome { p.accounts().draftPassword(id) }
            }
            "access.login" -> {
                known("audience", "identifier", "password")
                val a = audience(args)
                val identifier = strOf(args, "identifier")
                val password = strOf(args, "password")
                outcome { p.login(a, identifier, password) }
            }
            "access.change_password" -> {
                known("principal", "current", "new_password")
                val who = principalArg(args)
                val current = strOf(args, "current")
                val next = strOf(args, "new_password")
                outcome { p.changePassword(who, current, next).let { null } }
            }
            "access.request_password_reset" -> {
                known("audience", "identifier")
                val a = audience(args)
                val identifier = strOf(args, "identifier")
                outcome { p.requestPasswordReset(a, identifier).let { null } }
            }
            "access.reset_password" -> {
                known("audience", "token", "new_password")
                val a = audience(args)
                val token = strOf(args, "token")
                val next = strOf(args, "new_password")
                outcome { p.resetPassword(a, token, next).let { null } }
            }
            "view.folders" -> {
                known("principal")
                val who = principalArg(args)
                outcome { p.view(who).folders() }
            }
            "view.documents" -> {
                known("principal", "folder", "offset", "limit", "cursor")
                val who = principalArg(args)
                val folder = optStr(args, "folder")
                val (offset, limit, cursor) = paging(args)
                outcome { p.view(who).documents(folder, offset, limit, cursor) }
            }
            "view.open" -> {
                known("principal", "document")
                val who = principalArg(args)
                val document = strOf(args, "document")
                outcome { p.view(who).open(document) }
            }
            "view.sign" -> {
                known("principal", "document", "signer_name", "ip_address", "user_agent")
                val who = principalArg(args)
                val request = SignRequest(
                    signerName = strOf(args, "signer_name"),
                    ipAddress = strOf(args, "ip_address"),
                    userAgent = strOf(args, "user_agent"),
                )
                val document = strOf(args, "document")
                outcome { p.view(who).sign(document, request) }
            }
            "sync" -> {
                known()
                outcome { p.sync() }
            }
            "dispatch" -> {
                known("limit")
                val limit = asI64(get(args, "limit")) ?: 100L
                if (limit !in Int.MIN_VALUE..Int.MAX_VALUE) fail("out of range integral type conversion attempted")
                // The Rust runner's default is 100; the Kotlin method's own default is 500.
                outcome { p.dispatch(limit.toInt()) }
            }
            "clock.advance" -> {
                known("seconds", "minutes", "hours", "days")
                fun n(k: String) = asI64(get(args, k)) ?: 0L
                val by = Duration.ofSeconds(n("seconds"))
                    .plusMinutes(n("minutes"))
                    .plusHours(n("hours"))
                    .plusDays(n("days"))
                if (by.isNegative) clock.set(clock.now().plus(by)) else clock.advance(by)
                Outcome.Ok(JsonNull)
            }
            "mails" -> {
                known()
                val messages = mailer.messages()
                mailer.clear()
                val sorted = messages.sortedWith { a, b ->
                    compareCodePoints(a.to, b.to).takeIf { it != 0 }
                        ?: compareCodePoints(a.subject, b.subject).takeIf { it != 0 }
                        ?: compareCodePoints(a.body, b.body)
                }
                Outcome.Ok(
                    JsonArray(
                        sorted.map { m ->
                            JsonObject(
                                linkedMapOf(
                                    "to" to Canon.of(m.to),
                                    "from" to Canon.of(m.from),
                                    "reply_to" to Canon.of(m.replyTo),
                                    "subject" to Canon.of(m.subject),
                                    "body" to Canon.of(m.body),
                                    "notification_id" to Canon.of(m.notificationId),
                                ),
                            )
                        },
                    ),
                )
            }
            "mails.fail_next" -> {
                known("errors")
                val errors = get(args, "errors") as? JsonArray ?: fail("errors is a list")
                for (e in errors) {
                    val transient = optStr(e, "transient")
                    val permanent = optStr(e, "permanent")
                    if ((transient == null) == (permanent == null)) fail("bad mail error $e")
                }
                // BINDING GAP: the Kotlin MemoryMailer has no failNext (the core's
                // MemoryMailer::fail_next is not exported by bindings-kotlin/src/mail.rs).
                fail("mails.fail_next: the Kotlin binding's MemoryMailer has no failNext")
            }
            "text.between" -> {
                known("text", "after", "until")
                val text = strOf(args, "text")
                val after = strOf(args, "after")
                val found = text.indexOf(after)
                if (found < 0) fail("${quote(after)} not in ${quote(text)}")
                val rest = text.substring(found + after.length)
                val end = optStr(args, "until")?.let { u -> rest.indexOf(u).takeIf { it >= 0 } } ?: rest.length
                Outcome.Ok(JsonPrimitive(rest.substring(0, end)))
            }
            else -> fail("unknown step kind ${quote(kind)}")
        }
    }

    /**
     * A publish request, built when the step runs (inside `outcome`): reading a `path` is the
     * library's work, and its error is the step's outcome.
     */
    fun publishCommand(args: JsonElement): () -> Publish {
        val obj = args as? JsonObject ?: fail("publish arguments are an object")
        for (k in obj.keys) {
            if (k !in listOf("audience", "party", "folder", "name", "content", "kind", "payment", "external_id")) {
                fail("documents.publish: unknown argument ${quote(k)}")
            }
        }
        val content = obj["content"] ?: fail("content")
        val party = strOf(args, "party")
        val folder = strOf(args, "folder")
        val name = optStr(args, "name")
        val a = audience(args)
        val kind = obj["kind"]?.let { parseEnum(it, DocumentKind::class.java) }
        val payment = obj["payment"]?.let { parseEnum(it, PaymentStatus::class.java) }
        val externalId = optStr(args, "external_id")
        val path = optStr(content, "path")?.let { File(fixtures, it).absolutePath }
        val bytes = if (path == null) content(content) else null
        if (path == null && name == null) fail("\"name\" must be a string")
        return {
            var cmd = if (path != null) {
                publishRequestFromPath(a, party, folder, path, name)
            } else {
                publishRequest(a, party, folder, name!!, bytes!!)
            }
            kind?.let { cmd = cmd.copy(kind = it) }
            payment?.let { cmd = cmd.copy(payment = it) }
            externalId?.let { cmd = cmd.copy(externalId = it) }
            cmd
        }
    }

    fun content(v: JsonElement): ByteArray {
        optStr(v, "text")?.let { return it.toByteArray(Charsets.UTF_8) }
        optStr(v, "file")?.let { f ->
            val file = File(fixtures, f)
            return try {
                file.readBytes()
            } catch (e: java.io.IOException) {
                fail("$f: ${e.message}")
            }
        }
        fail("bad content $v")
    }
}

// ---- reading arguments (the Rust runner's str_of, opt_str, as_u64, ...) ----

private fun quote(s: String): String = JsonPrimitive(s).toString()

private fun get(v: JsonElement, key: String): JsonElement? = (v as? JsonObject)?.get(key)

private fun stringOf(v: JsonElement?): String? = (v as? JsonPrimitive)?.takeIf { it.isString }?.content

private fun strOf(v: JsonElement, key: String): String = stringOf(get(v, key)) ?: fail("${quote(key)} must be a string")

private fun optStr(v: JsonElement, key: String): String? = stringOf(get(v, key))

private fun isNumber(v: JsonElement?): Boolean =
    v is JsonPrimitive && v !is JsonNull && !v.isString && v.content != "true" && v.content != "false"

private fun isIntegerLiteral(v: JsonElement?): Boolean =
    isNumber(v) && (v as JsonPrimitive).content.none { it == '.' || it == 'e' || it == 'E' }

private fun asBool(v: JsonElement?): Boolean? =
    (v as? JsonPrimitive)?.takeIf { !it.isString && v !is JsonNull }?.content?.let {
        when (it) {
            "true" -> true
            "false" -> false
            else -> null
        }
    }

private fun asU64(v: JsonElement?): ULong? =
    if (isIntegerLiteral(v)) (v as JsonPrimitive).content.toULongOrNull() else null

private fun asI64(v: JsonElement?): Long? =
    if (isIntegerLiteral(v)) (v as JsonPrimitive).content.toLongOrNull() else null

private fun <E : Enum<E>> parseEnum(v: JsonElement, cls: Class<E>): E =
    stringOf(v)?.let { s -> cls.enumConstants.firstOrNull { Canon.enumName(it) == s } }
        ?: fail("bad value $v: unknown ${cls.simpleName}")

private fun audience(args: JsonElement): Audience =
    get(args, "audience")?.let { parseEnum(it, Audience::class.java) } ?: Audience.CLIENT

private fun identifier(v: JsonElement): IdentifierChoice = when {
    stringOf(v) == "code" -> IdentifierChoice.Code
    stringOf(v) == "email" -> IdentifierChoice.Email
    v is JsonObject -> stringOf(v["given"])?.let { IdentifierChoice.Given(it) } ?: fail("bad identifier $v")
    else -> fail("bad identifier $v")
}

private fun principalArg(args: JsonElement): Principal {
    val p = get(args, "principal") ?: fail("principal")
    return Principal(
        accountId = strOf(p, "account_id"),
        audience = parseEnum(get(p, "audience") ?: fail("principal.audience"), Audience::class.java),
        partyCode = strOf(p, "party_code"),
        identifier = strOf(p, "identifier"),
    )
}

/** A step's `offset`, `limit` and `cursor`, as the Rust runner reads them (the binding checks them). */
private fun paging(args: JsonElement): Triple<Long?, Int?, String?> =
    Triple(
        asI64(get(args, "offset")),
        asI64(get(args, "limit"))?.let { if (it in Int.MIN_VALUE..Int.MAX_VALUE) it.toInt() else fail("limit $it out of Int range") },
        optStr(args, "cursor"),
    )

/** Merge [patch] into [v] key by key. */
private fun merge(v: JsonElement, patch: JsonElement): JsonElement =
    if (v is JsonObject && patch is JsonObject) {
        val out = LinkedHashMap<String, JsonElement>(v)
        for ((k, x) in patch) out[k] = merge(out[k] ?: JsonNull, x)
        JsonObject(out)
    } else {
        patch
    }

/** Strings in code-point order (Rust's `String` order), not UTF-16 order. */
private fun compareCodePoints(a: String, b: String): Int {
    val x = a.codePoints().toArray()
    val y = b.codePoints().toArray()
    for (i in 0 until minOf(x.size, y.size)) {
        if (x[i] != y[i]) return x[i].compareTo(y[i])
    }
    return x.size.compareTo(y.size)
}

// ---- comparing (the Rust runner's scalar_eq and serde_json's Value equality) ----

/** Scalars equal, numbers compared as numbers (f64). */
private fun scalarEq(expected: JsonElement, actual: JsonElement): Boolean = when {
    isNumber(expected) && isNumber(actual) ->
        (expected as JsonPrimitive).content.toDouble() == (actual as JsonPrimitive).content.toDouble()
    expected is JsonNull && actual is JsonNull -> true
    else -> jsonEq(expected, actual)
}

/** serde_json's `Value` equality: integers and floats are different numbers. */
private fun jsonEq(a: JsonElement, b: JsonElement): Boolean = when {
    a is JsonNull || b is JsonNull -> a is JsonNull && b is JsonNull
    a is JsonObject && b is JsonObject -> a.keys == b.keys && a.all { (k, x) -> jsonEq(x, b.getValue(k)) }
    a is JsonArray && b is JsonArray -> a.size == b.size && a.indices.all { jsonEq(a[it], b[it]) }
    isNumber(a) && isNumber(b) -> {
        val (x, y) = (a as JsonPrimitive).content to (b as JsonPrimitive).content
        when {
            isIntegerLiteral(a) && isIntegerLiteral(b) -> BigInteger(x) == BigInteger(y)
            !isIntegerLiteral(a) && !isIntegerLiteral(b) -> x.toDouble() == y.toDouble()
            else -> false
        }
    }
    a is JsonPrimitive && b is JsonPrimitive -> a.isString == b.isString && a.content == b.content
    else -> false
}

/**
 * The canonical form (README: Values) of what the Kotlin binding returns, generically: records
 * (uniffi data classes) by reflection over their fields with snake_case keys, enums as their
 * lowercased snake_case name, `Instant` as RFC 3339, bytes as `{size, sha256, pdf}`, unsigned
 * numbers as numbers, pages as `{items, total, has_more, next, cursor}`, exceptions as
 * `{code, message, field, payload...}`. The few shapes that differ from the core's serde form
 * are normalised here, each marked `NORMALISATION:`.
 */
internal object Canon {
    class DecodeException(message: String) : Exception(message)

    fun of(x: Any?): JsonElement = when (x) {
        null -> JsonNull
        is JsonElement -> x
        is String -> JsonPrimitive(x)
        is Boolean -> JsonPrimitive(x)
        is ULong -> unsigned(x.toString())
        is UInt -> JsonPrimitive(x.toLong())
        is UShort -> JsonPrimitive(x.toInt())
        is UByte -> JsonPrimitive(x.toInt())
        is Number -> JsonPrimitive(x)
        is Instant -> JsonPrimitive(rfc3339(x))
        is ByteArray -> bytes(x)
        is Enum<*> -> JsonPrimitive(enumName(x))
        is PortailException -> error(x)
        is Attempt -> attempt(x)
        is PublishOutcome -> publishOutcome(x)
        is List<*> ->
            if (x.isNotEmpty() && x.all { it is UByte }) {
                bytes(ByteArray(x.size) { (x[it] as UByte).toByte() })
            } else {
                JsonArray(x.map { of(it) })
            }
        is Map<*, *> -> JsonObject(
            x.entries.associateTo(LinkedHashMap()) { (k, v) ->
                val key = of(k)
                (if (key is JsonPrimitive && key.isString) key.content else key.toString()) to of(v)
            },
        )
        else -> record(x)
    }

    /** `camelCase` / `PascalCase` to `snake_case`, as serde's `rename_all = "snake_case"`. */
    fun snake(name: String): String = buildString {
        name.forEachIndexed { i, c ->
            if (c.isUpperCase()) {
                if (i > 0) append('_')
                append(c.lowercaseChar())
            } else {
                append(c)
            }
        }
    }

    /** uniffi's `SCREAMING_SNAKE` constants back to the core's snake_case strings. */
    fun enumName(e: Enum<*>): String = e.name.lowercase()

    fun rfc3339(t: Instant): String = DateTimeFormatter.ISO_INSTANT.format(t)

    fun bytes(b: ByteArray): JsonElement {
        val sha = MessageDigest.getInstance("SHA-256").digest(b).joinToString("") { "%02x".format(it) }
        val pdf = b.size >= 5 && String(b, 0, 5, Charsets.ISO_8859_1) == "%PDF-"
        return JsonObject(linkedMapOf("size" to JsonPrimitive(b.size), "sha256" to JsonPrimitive(sha), "pdf" to JsonPrimitive(pdf)))
    }

    private fun unsigned(digits: String): JsonPrimitive = JsonPrimitive(BigInteger(digits))

    // ---- records, by reflection ----

    private fun isBindingClass(c: Class<*>): Boolean = c.name.startsWith("dev.portail.") && !AutoCloseable::class.java.isAssignableFrom(c)

    /** The instance fields of a uniffi record (or a sealed variant's data), in declaration order. */
    private fun fields(c: Class<*>): List<Field> =
        c.declaredFields.filter { !Modifier.isStatic(it.modifiers) && !it.isSynthetic }.onEach { it.isAccessible = true }

    /** Whether a primitive field holds a Kotlin unsigned value (its getter name is mangled). */
    private fun isUnsigned(c: Class<*>, f: Field): Boolean {
        if (f.type !in setOf(java.lang.Long.TYPE, Integer.TYPE, java.lang.Short.TYPE, java.lang.Byte.TYPE)) return false
        val getter = "get" + f.name.replaceFirstChar { it.uppercaseChar() } + "-"
        return c.declaredMethods.any { it.name.startsWith(getter) }
    }

    private fun fieldValue(owner: Any, f: Field): JsonElement {
        val v = f.get(owner)
        return if (v != null && isUnsigned(owner.javaClass, f)) {
            when (v) {
                is Long -> unsigned(java.lang.Long.toUnsignedString(v))
                is Int -> JsonPrimitive(Integer.toUnsignedLong(v))
                is Short -> JsonPrimitive(v.toInt() and 0xffff)
                is Byte -> JsonPrimitive(v.toInt() and 0xff)
                else -> of(v)
            }
        } else {
            of(v)
        }
    }

    /** A record's fields as a snake_case map. */
    fun recordFields(x: Any): LinkedHashMap<String, JsonElement> =
        fields(x.javaClass).associateTo(LinkedHashMap()) { f -> snake(f.name) to fieldValue(x, f) }

    private fun record(x: Any): JsonElement {
        val c = x.javaClass
        require(isBindingClass(c)) { "no canonical form for ${c.name}" }
        val isObject = c.declaredFields.any { Modifier.isStatic(it.modifiers) && it.name == "INSTANCE" }
        val sealedParent = c.superclass?.takeIf { it.name.startsWith("dev.portail.") && Modifier.isAbstract(it.modifiers) }
        if (isObject) return JsonPrimitive(snake(c.simpleName)) // a sealed variant without data
        val m = recordFields(x)
        // NORMALISATION: every `*Page` record (the contract's `PageView`) also carries `offset`
        // and `limit`; the canonical page is {items, total, has_more, next, cursor}.
        if (m.keys.containsAll(listOf("items", "total", "has_more", "next", "cursor"))) {
            return JsonObject(listOf("items", "total", "has_more", "next", "cursor").associateWithTo(LinkedHashMap()) { m.getValue(it) })
        }
        // A data variant of another sealed class: serde's default (external) tagging.
        if (sealedParent != null) return JsonObject(mapOf(snake(c.simpleName) to JsonObject(m)))
        return JsonObject(m)
    }

    // ---- the shapes that differ from the core's serde form ----

    /**
     * NORMALISATION: `PortailException` subclasses carry `code`, `detail` and their payload
     * (`field`, `what`/`key`, `identifier`, `until`, `document`): `detail` becomes `message`,
     * and `field` is added as null where the subclass has none.
     */
    private fun error(e: PortailException): JsonElement {
        val f = recordFields(e)
        val out = linkedMapOf(
            "code" to (f["code"] ?: JsonNull),
            "message" to (f["detail"] ?: JsonNull),
            "field" to (f["field"] ?: JsonNull),
        )
        for ((k, v) in f) if (k !in out && k != "detail") out[k] = v
        return JsonObject(out)
    }

    /**
     * NORMALISATION: `Attempt(at, outcome: AttemptOutcome)` with the sealed
     * `Sent` / `Transient(error)` / `Permanent(error)` becomes the core's flattened
     * `{"at", "outcome": "sent"|"transient"|"permanent", "error"?}` (no `error` key when sent).
     */
    private fun attempt(a: Attempt): JsonElement {
        val out = linkedMapOf("at" to of(a.at))
        when (val o = a.outcome) {
            is AttemptOutcome.Sent -> out["outcome"] = JsonPrimitive("sent")
            is AttemptOutcome.Transient -> {
                out["outcome"] = JsonPrimitive("transient")
                out["error"] = JsonPrimitive(o.error)
            }
            is AttemptOutcome.Permanent -> {
                out["outcome"] = JsonPrimitive("permanent")
                out["error"] = JsonPrimitive(o.error)
            }
        }
        return JsonObject(out)
    }

    /**
     * NORMALISATION: `PublishOutcome(document?, error?: ErrorInfo)` becomes `{"document": ...}`
     * or `{"error": {"code", "message", "field"}}` (ErrorInfo has no payload fields).
     */
    private fun publishOutcome(o: PublishOutcome): JsonElement =
        if (o.document != null) {
            JsonObject(mapOf("document" to of(o.document)))
        } else {
            JsonObject(mapOf("error" to of(o.error)))
        }

    // ---- canonical JSON back to a record (settings.update) ----

    /** A uniffi record from its canonical form, by reflection over its fields and constructor. */
    fun <T> decode(json: JsonElement, c: Class<T>): T {
        val obj = json as? JsonObject ?: throw DecodeException("invalid type: $json, expected ${c.simpleName}")
        val fs = fields(c)
        val values = fs.map { f -> value(obj[snake(f.name)] ?: JsonNull, f, c) }
        val ctor = c.declaredConstructors.firstOrNull { it.parameterTypes.toList() == fs.map { f -> f.type } }
            ?: throw DecodeException("no constructor for ${c.simpleName}")
        ctor.isAccessible = true
        return try {
            c.cast(ctor.newInstance(*values.toTypedArray()))
        } catch (e: InvocationTargetException) {
            throw DecodeException("${c.simpleName}: ${e.targetException}")
        }
    }

    private fun value(json: JsonElement, f: Field, owner: Class<*>): Any? {
        val t = f.type
        val key = snake(f.name)
        fun bad(): Nothing = throw DecodeException("invalid value $json for $key")
        if (json is JsonNull) {
            if (t.isPrimitive) throw DecodeException("missing or null $key")
            return null // a non-null Kotlin parameter rejects it in the constructor
        }
        return when {
            t == String::class.java -> stringOf(json) ?: bad()
            t == java.lang.Boolean.TYPE || t == java.lang.Boolean::class.java -> asBool(json) ?: bad()
            t == java.lang.Long.TYPE && isUnsigned(owner, f) -> asU64(json)?.toLong() ?: bad()
            t == java.lang.Long.TYPE -> asI64(json) ?: bad()
            t == Integer.TYPE && isUnsigned(owner, f) ->
                asU64(json)?.takeIf { it <= UInt.MAX_VALUE.toULong() }?.toUInt()?.toInt() ?: bad()
            t == Integer.TYPE -> asI64(json)?.takeIf { it in Int.MIN_VALUE..Int.MAX_VALUE }?.toInt() ?: bad()
            t.isEnum -> stringOf(json)?.let { s -> t.enumConstants.firstOrNull { enumName(it as Enum<*>) == s } } ?: bad()
            t == Instant::class.java -> stringOf(json)?.let {
                try {
                    OffsetDateTime.parse(it).toInstant()
                } catch (e: java.time.format.DateTimeParseException) {
                    null
                }
            } ?: bad()
            isBindingClass(t) -> decode(json, t)
            else -> throw DecodeException("unsupported type ${t.name} for $key")
        }
    }
}
