/**
 * The SMTP side of the mailer: one pooled nodemailer transport per process, created from
 * SMTP_URL (smtp://user:pass@host:587, smtps:// for implicit TLS).
 */
import type { NodemailerError } from 'nodemailer'
import type { MailRow } from './mail.repository.ts'

export interface SmtpTransport {
  /** Hands the message to the SMTP server; resolves with the Message-ID it accepted. */
  send(message: MailRow): Promise<{ providerMessageId: string }>
  verify(): Promise<void>
  close(): void
}

/** Domain for Message-IDs, taken from the sender so the ids are ours and globally unique. */
export function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)
  return match?.[1]?.toLowerCase() ?? 'lyceum.localhost'
}

export function createSmtpTransport(url: string): SmtpTransport {
  // nodemailer loads only in processes configured to send (SMTP_URL); the others keep its ~20 MB.
  const transporter = import('nodemailer').then(({ default: nodemailer }) =>
    nodemailer.createTransport({
      url,
      pool: true,
      maxConnections: 5,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    }),
  )
  return {
    async send(message) {
      const info = await (
        await transporter
      ).sendMail({
        from: message.fromAddress,
        to: message.toAddress,
        subject: message.subject,
        text: message.textBody,
        ...(message.htmlBody === null ? {} : { html: message.htmlBody }),
        ...(message.headers ? { headers: message.headers } : {}),
        // Stable across retries: if the server accepted an attempt whose reply we lost, the
        // recipient's server can still recognise the second copy as the same message.
        messageId: `<${message.id}@${senderDomain(message.fromAddress)}>`,
      })
      return { providerMessageId: info.messageId }
    },
    async verify() {
      await (await transporter).verify()
    },
    close() {
      void transporter.then((t) => t.close())
    },
  }
}

export interface SmtpFailure {
  /** The server refused this message for good (5xx): retrying would be refused again. */
  permanent: boolean
  /** What operators see in last_error: the server's reply or the connection problem. */
  description: string
  /** Safe to log: codes only, never addresses or content. */
  logFields: { code?: string; responseCode?: number; command?: string; enhancedCode?: string }
}

/** The RFC 3463 enhanced status of a server reply ("550 5.1.1 <...>: unknown"), if it has one. */
function enhancedStatus(response: unknown): { enhancedCode?: string } {
  if (typeof response !== 'string') return {}
  const match = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)
  return match ? { enhancedCode: match[1]! } : {}
}

export function describeSmtpFailure(error: unknown): SmtpFailure {
  const e = (error ?? {}) as NodemailerError
  const logFields = {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
    ...(typeof e.command === 'string' ? { command: e.command } : {}),
    ...enhancedStatus(e.response),
  }
  const message = error instanceof Error ? error.message : String(error)
  return { permanent: e.permanent === true, description: message.slice(0, 1000), logFields }
}
