package dev.portail

import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import org.junit.jupiter.api.Test

/** Login, lockout, change password, forgotten password, invitations, suspension. */
class AccessTest {
    private val tokenPattern = Regex("token=([0-9a-f]{64})")

    private fun active(portal: Portal, password: String = "motdepasse-4"): Account {
        portal.parties().upsert(moiMeme())
        val a = portal.accounts().generate(generateRequest(Audience.CLIENT, "4").copy(password = password, notifyByEmail = false))
        assertEquals(1uL, portal.sync().activated)
        return a
    }

    @Test
    fun `five failures lock the account for fifteen minutes`() = withPortal { portal, _, clock ->
        val account = active(portal)
        repeat(4) { assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", "wrong") } }
        assertEquals(4, portal.accounts().lockout(Audience.CLIENT, "4").failures)
        assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", "wrong") }
        val lock = portal.accounts().lockout(Audience.CLIENT, "4")
        assertEquals(SEED_NOW.plus(Duration.ofMinutes(15)), lock.lockedUntil)
        assertFailsWith<PortailException.LockedOut> { portal.login(Audience.CLIENT, "4", "motdepasse-4") }

        clock.advance(Duration.ofMinutes(14))
        assertFailsWith<PortailException.LockedOut> { portal.login(Audience.CLIENT, "4", "motdepasse-4") }
        clock.advance(Duration.ofMinutes(1))
        val me = portal.login(Audience.CLIENT, "4", "motdepasse-4")
        assertEquals(account.id, me.accountId)
        val after = portal.accounts().get(account.id)
        val cleared = portal.accounts().lockout(Audience.CLIENT, "4")
        assertEquals(0, cleared.failures)
        assertNull(cleared.lockedUntil)
        assertEquals(clock.now(), after.lastLoginAt)
    }

    @Test
    fun `an invitation is accepted with a chosen password`() = withPortal { portal, mailer, _ ->
        portal.parties().upsert(moiMeme())
        val invited = portal.accounts().use {
            it.invite(Invite(Audience.CLIENT, "4", IdentifierChoice.Email))
        }
        assertEquals("keylian.ace@gmail.com", invited.identifier)
        assertEquals(AccountStatus.DRAFT, invited.status)
        assertEquals(InvitationStatus.PENDING, portal.accounts().invitationStatus(invited.id))
        portal.sync()
        val token = assertNotNull(tokenPattern.find(mailer.messages().single().body)).groupValues[1]
        val me = portal.acceptInvitation(Audience.CLIENT, token, "mon-mot-de-passe")
        assertEquals(invited.id, me.accountId)
        assertEquals(InvitationStatus.ACCEPTED, portal.accounts().invitationStatus(invited.id))
        assertEquals(me, portal.login(Audience.CLIENT, "keylian.ace@gmail.com", "mon-mot-de-passe"))
    }

    @Test
    fun `suspend, resume, revoke, regenerate`() = withPortal { portal, mailer, _ ->
        val account = active(portal)
        portal.accounts().use { accounts ->
            accounts.setAuthorized(account.id, false)
            assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", "motdepasse-4") }
            accounts.setAuthorized(account.id, true)
            portal.login(Audience.CLIENT, "4", "motdepasse-4")

            val fresh = accounts.regenerate(account.id)
            assertEquals(AccountStatus.REVOKED, accounts.get(account.id).status)
            assertEquals(AccountStatus.DRAFT, fresh.status)
            assertEquals("4", fresh.identifier)
            val password = accounts.draftPassword(fresh.id)
            assertEquals(1uL, portal.sync().credentialsQueued)
            assertEquals(1, mailer.messages().count { password in it.body })
            portal.login(Audience.CLIENT, "4", password)

            accounts.revoke(fresh.id)
            assertFailsWith<PortailException.InvalidCredentials> { portal.login(Audience.CLIENT, "4", password) }
            assertNull(accounts.liveAccountOf(Audience.CLIENT, "4"))
            val all = accounts.list(AccountFilter(partyCode = "4"))
            assertEquals(2L, all.total)
        }
    }
}
