// Hand-written Kotlin over the generated binding: naming helpers only, never rules.
package dev.portail

/*
 * The binding contract's records are generated from the core (`portail::ffi`, feature
 * `uniffi`) into the package `dev.portail.contract`; these aliases name them in `dev.portail`
 * too, so one import serves.
 */

/** A failure of one item of a batch: the same fields as a thrown [PortailException]. */
typealias ErrorInfo = dev.portail.contract.ErrorInfo

/** Password hashing, lockout, link lifetimes and password lengths (`PortalBuilder.security`). */
typealias SecurityOptions = dev.portail.contract.SecurityOptions

/** Retries of transient mail failures. */
typealias RetryOptions = dev.portail.contract.RetryOptions

/** One of the two portals of a tenant ("portail Clients" / "portail Salariés"). */
typealias Audience = dev.portail.contract.Audience

/** Language of the shipped default templates. */
typealias Language = dev.portail.contract.Language

/** What an unpaid document becomes on the portal ("Gestion des impayés"). */
typealias UnpaidPolicy = dev.portail.contract.UnpaidPolicy

/** Which of a party's addresses to use ("Email fiche / devis / facturation / relance"). */
typealias EmailRole = dev.portail.contract.EmailRole

/** E-invoicing consent ("Dématérialisation"). */
typealias EInvoicingConsent = dev.portail.contract.EInvoicingConsent

/** What a document is. */
typealias DocumentKind = dev.portail.contract.DocumentKind

/** Whether a document is paid. */
typealias PaymentStatus = dev.portail.contract.PaymentStatus

/** Where a signing folder's signature goes. */
typealias SignaturePlacement = dev.portail.contract.SignaturePlacement

/** "Lien vers": where a notification's link leads. */
typealias LinkTarget = dev.portail.contract.LinkTarget

/** The state of a notification in the outbox. */
typealias NotificationState = dev.portail.contract.NotificationState

/** Why a notification was quarantined. */
typealias QuarantineReason = dev.portail.contract.QuarantineReason

/** The life of a portal account: draft, active, revoked. */
typealias AccountStatus = dev.portail.contract.AccountStatus

/** Where an invitation stands. */
typealias InvitationStatus = dev.portail.contract.InvitationStatus

/** What a notification template is for. */
typealias TemplatePurpose = dev.portail.contract.TemplatePurpose

/** A merge field of the templates (`#nom#`, `#lien#`, ...). */
typealias MergeField = dev.portail.contract.MergeField

/** The phases reported by progress listeners. */
typealias Phase = dev.portail.contract.Phase

/** The tenant's settings ("Paramètres internet"). */
typealias Settings = dev.portail.contract.Settings

/** The settings of one audience's portal. */
typealias AudienceSettings = dev.portail.contract.AudienceSettings

/** A document folder of an audience's tree and its portal flags. */
typealias Folder = dev.portail.contract.Folder

/** A notification template: subject and body with merge fields. */
typealias Template = dev.portail.contract.Template

/** Progress of a long operation, for a progress bar. */
typealias Progress = dev.portail.contract.Progress

/** What one dispatch did. */
typealias DispatchReport = dev.portail.contract.DispatchReport

/** What a sync ("Synchroniser") did. */
typealias SyncReport = dev.portail.contract.SyncReport

/** A logged-in portal user: who may see what. */
typealias Principal = dev.portail.contract.Principal

/** One download of a document from the portal ("historique d'accès"). */
typealias AccessEvent = dev.portail.contract.AccessEvent

/** The audit trail of a portal signature. */
typealias SignatureRecord = dev.portail.contract.SignatureRecord

/** A visible e-signature block for [pdfStampSignature]. */
typealias SignatureStamp = dev.portail.contract.SignatureStamp

/** How a stamped PDF is written (`AUTO`, `INCREMENTAL`, `REWRITE`). */
typealias StampMethod = dev.portail.contract.Method

/** A portal login as hosts see it ("Droits d'accès"): `hasDraftPassword`, never the password or a hash. */
typealias AccountView = dev.portail.contract.AccountView

/** The name the Kotlin API has always used for [AccountView]. */
typealias Account = dev.portail.contract.AccountView

/** An invitation's dates, as hosts see them. */
typealias InvitationView = dev.portail.contract.InvitationView

/** Where a new account's identifier comes from when none is given (see [identifierChoice]). */
typealias IdentifierSource = dev.portail.contract.IdentifierSource

/** A document on a party's folder, as hosts see it (the contract's `DocumentView`). */
typealias Document = dev.portail.contract.DocumentView

/** What publishing decided, flat: `decision`, `notificationId`, `reason`, `role`. */
typealias NotificationDecision = dev.portail.contract.NotificationDecisionView

/** Queued or skipped. */
typealias Decision = dev.portail.contract.Decision

/** Why publishing queued no notification. */
typealias SkipCause = dev.portail.contract.SkipCause

/** What a batch publish did, input by input. */
typealias PublishReport = dev.portail.contract.PublishReportView

/** One input's outcome in a batch publish: its document, or its error. */
typealias PublishOutcome = dev.portail.contract.PublishOutcomeView

/** The failed-login counter of an identifier ("verrouillage"). */
typealias Lockout = dev.portail.contract.LockoutView

/** What a batch generation did, party by party in input order. */
typealias BatchReport = dev.portail.contract.BatchReportView

/** One line of a batch generation. */
typealias BatchRow = dev.portail.contract.BatchRowView

/** What happened to one party of a batch generation. */
typealias BatchOutcomeKind = dev.portail.contract.BatchOutcomeKind

/** A downloaded document: its bytes and whether they are the watermarked copy. */
typealias Download = dev.portail.contract.DownloadView
