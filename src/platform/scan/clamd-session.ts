/**
 * One connection to clamd carrying one command. Commands use the `z` form (NUL-terminated
 * command and reply), so a reply is complete at its NUL without waiting for clamd to close.
 * Every way the connection can fail becomes a ScannerUnavailableError, except a cancellation by
 * the caller's own signal, which rejects with that signal's reason.
 */
import { connect, type Socket } from 'node:net'
import type { ClamdAddress } from './clamd-url.ts'
import { ScannerUnavailableError } from './scanner.ts'

export interface ClamdSession {
  /** Resolves once connected. */
  connected: Promise<void>
  /** clamd's reply without its terminating NUL. */
  reply: Promise<string>
  /** Writes and waits until the bytes are handed to the kernel (backpressure). */
  write(bytes: Buffer): Promise<void>
  /** Whether the reply arrived (clamd may answer before the request is complete: a size limit). */
  replied(): boolean
  close(): void
}

/** Replies are one short line; anything longer is not clamd. */
const MAX_REPLY_BYTES = 4096

export function openClamdSession(
  address: ClamdAddress,
  deadline: AbortSignal,
  callerSignal: AbortSignal | undefined,
): ClamdSession {
  const socket: Socket =
    address.kind === 'unix' ? connect({ path: address.path }) : connect({ host: address.host, port: address.port })
  let isConnected = false
  let done = false
  let received = Buffer.alloc(0)
  const abortReason = () =>
    callerSignal?.aborted
      ? callerSignal.reason
      : new ScannerUnavailableError('timeout', `no answer within the deadline${isConnected ? '' : ' (connecting)'}`)

  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      isConnected = true
      resolve()
    })
    // Kept for the socket's life: an error after connecting surfaces through 'close' and the reply.
    socket.on('error', (error) => {
      if (!isConnected) reject(new ScannerUnavailableError('connect', error.message))
    })
    socket.once('close', () => {
      if (!isConnected) reject(abortReason())
    })
  })
  const reply = new Promise<string>((resolve, reject) => {
    const finish = () => {
      if (done) return
      const end = received.indexOf(0)
      if (end >= 0) {
        done = true
        resolve(received.subarray(0, end).toString('utf8'))
      }
    }
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      finish()
      if (!done && received.length > MAX_REPLY_BYTES) {
        done = true
        reject(new ScannerUnavailableError('protocol', 'the reply is not a clamd reply (too long, no terminator)'))
        socket.destroy()
      }
    })
    socket.once('close', () => {
      if (done) return
      done = true
      if (deadline.aborted || callerSignal?.aborted) reject(abortReason())
      else if (received.length > 0) resolve(received.toString('utf8').trim())
      else
        reject(new ScannerUnavailableError(isConnected ? 'reset' : 'connect', 'the connection closed without a reply'))
    })
  })
  connected.catch(() => {})
  reply.catch(() => {})
  const onAbort = () => socket.destroy()
  deadline.addEventListener('abort', onAbort, { once: true })
  callerSignal?.addEventListener('abort', onAbort, { once: true })
  if (deadline.aborted || callerSignal?.aborted) socket.destroy()

  return {
    connected,
    reply,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        socket.write(bytes, (error) =>
          error ? reject(new ScannerUnavailableError('reset', `sending to clamd: ${error.message}`)) : resolve(),
        )
      }),
    replied: () => done,
    close() {
      deadline.removeEventListener('abort', onAbort)
      callerSignal?.removeEventListener('abort', onAbort)
      socket.destroy()
    },
  }
}
