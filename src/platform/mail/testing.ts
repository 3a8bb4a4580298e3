/**
 * Test support for mail: a real SMTP server on 127.0.0.1 (the `smtp-server` package) that keeps
 * what it receives, or refuses it when the test's policy says so for a recipient.
 * Imported by tests only (smtp-server is a dev dependency).
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** Where and how the server refuses a recipient: at RCPT TO or after the message data. */
export interface Refusal {
  at: 'rcpt' | 'data'
  /** SMTP reply code: 4xx transient, 5xx permanent. */
  code: number
  /** The reply's text, e.g. an enhanced status such as "5.7.1 Relaying denied" (default: a plain refusal). */
  text?: string
}

export interface TestSmtpServer {
  url: string
  /** Raw RFC 5322 messages the server accepted, in arrival order. */
  received: Buffer[]
  /** Transactions refused, per recipient address. */
  refusals: Map<string, number>
  close(): Promise<void>
}

const refused = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode })

export async function startTestSmtpServer(
  policy: (recipient: string) => Refusal | undefined = () => undefined,
): Promise<TestSmtpServer> {
  const received: Buffer[] = []
  const refusals = new Map<string, number>()
  const countRefusal = (recipient: string) => refusals.set(recipient, (refusals.get(recipient) ?? 0) + 1)
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: the built-in certificate would fail nodemailer's verification.
    hideSTARTTLS: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = policy(address.address)
      if (refusal?.at !== 'rcpt') return callback()
      countRefusal(address.address)
      callback(refused(refusal.text ?? 'Recipient refused by test server', refusal.code))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const recipient = session.envelope.rcptTo[0]?.address ?? ''
        const refusal = policy(recipient)
        if (refusal?.at === 'data') {
          countRefusal(recipient)
          return callback(refused(refusal.text ?? 'Message refused by test server', refusal.code))
        }
        received.push(Buffer.concat(chunks))
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refusals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
