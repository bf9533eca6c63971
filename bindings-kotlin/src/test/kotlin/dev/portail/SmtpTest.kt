package dev.portail

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.ServerSocket
import java.time.Duration
import kotlin.concurrent.thread
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.junit.jupiter.api.Test

/** Real SMTP through the core's transport, against a tiny SMTP sink on a local port. */
class SmtpTest {
    /** Accepts SMTP sessions on a free port; keeps each DATA; answers [rcptReply] to RCPT TO. */
    class Sink(private val rcptReply: String = "250 OK") : AutoCloseable {
        private val server = ServerSocket(0)
        val port: Int get() = server.localPort
        val messages = java.util.concurrent.CopyOnWriteArrayList<String>()
        private val worker = thread(isDaemon = true) {
            while (!server.isClosed) {
                val socket = runCatching { server.accept() }.getOrNull() ?: break
                socket.use { s ->
                    val input = BufferedReader(InputStreamReader(s.getInputStream(), Charsets.US_ASCII))
                    val out = s.getOutputStream()
                    fun reply(line: String) = out.write("$line\r\n".toByteArray()).also { out.flush() }
                    reply("220 sink ESMTP")
                    while (true) {
                        val line = input.readLine() ?: break
                        val verb = line.take(4).uppercase()
                        when {
                            verb == "EHLO" || verb == "HELO" -> reply("250 sink")
                            verb == "MAIL" -> reply("250 OK")
                            verb == "RCPT" -> reply(rcptReply)
                            verb == "DATA" -> {
                                reply("354 go ahead")
                                val data = StringBuilder()
                                while (true) {
                                    val l = input.readLine() ?: break
                                    if (l == ".") break
                                    data.append(l).append('\n')
                                }
                                messages += data.toString()
                                reply("250 queued")
                            }
                            verb == "QUIT" -> { reply("221 bye"); break }
                            else -> reply("250 OK")
                        }
                    }
                }
            }
        }

        override fun close() {
            server.close()
            worker.join(2000)
        }
    }

    private fun smtpPortal(port: Int, clock: FixedClock): Portal =
        PortalBuilder("ma-societe").use {
            it.settings(maSociete()).smtpUnencrypted("127.0.0.1", port).clock(clock)
                .hashing(Hashing.FAST_FOR_TESTS).build()
        }

    @Test
    fun `delivered to the sink with the stable message id`() {
        Sink().use { sink ->
            FixedClock(SEED_NOW).use { clock ->
                smtpPortal(sink.port, clock).use { portal ->
                    portal.parties().upsert(moiMeme())
                    val doc = portal.documents().publish(invoice())
                    assertEquals(1uL, portal.sync().dispatch.sent)
                    val id = doc.notification.notificationId!!
                    val data = sink.messages.single()
                    assertContains(data, "Message-ID: <$id@masociete.fr>")
                    assertContains(data, "To: keylian.ace@gmail.com")
                }
            }
        }
    }

    @Test
    fun `550 is permanent, an unreachable relay is transient`() {
        Sink(rcptReply = "550 no such user").use { sink ->
            FixedClock(SEED_NOW).use { clock ->
                smtpPortal(sink.port, clock).use { portal ->
                    portal.parties().upsert(moiMeme())
                    portal.documents().publish(invoice())
                    assertEquals(1uL, portal.sync().dispatch.abandoned)
                }
            }
        }
        val closedPort = ServerSocket(0).use { it.localPort }
        FixedClock(SEED_NOW).use { clock ->
            smtpPortal(closedPort, clock).use { portal ->
                portal.parties().upsert(moiMeme())
                portal.documents().publish(invoice())
                assertEquals(1uL, portal.dispatch().failed)
                val n = portal.notifications().history(NotificationFilter()).items.single()
                assertEquals(NotificationState.FAILED, n.state)
                assertTrue(n.nextAttemptAt > SEED_NOW)
                clock.advance(Duration.ofMinutes(1))
                assertEquals(1uL, portal.dispatch().attempted)
            }
        }
    }
}
