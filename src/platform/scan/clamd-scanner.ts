/**
 * The clamd adapter of the Scanner port: INSTREAM over clamd's unix socket or TCP. The content
 * goes as chunks, each prefixed with its length (4 bytes, big-endian), then a zero-length chunk;
 * clamd answers `stream: OK`, `stream: <signature> FOUND`, or an error such as
 * `INSTREAM size limit exceeded. ERROR` (its StreamMaxLength). The stream is bounded here as
 * well (streamMaxBytes, at most clamd's StreamMaxLength): that refusal is deterministic, while
 * clamd's own closes the socket under our writes, so its reply is read only when it arrives
 * before the broken pipe does (otherwise the scan is "unavailable"; never a verdict).
 * The npm `clamscan` package was not used: it shells out to binaries and has no per-call
 * deadline or cancellation, which is most of what this file is about.
 */
import { open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { openClamdSession, type ClamdSession } from './clamd-session.ts'
import { describeClamd, type ClamdAddress } from './clamd-url.ts'
import {
  ScannerUnavailableError,
  ScanTooLargeError,
  type ScanOptions,
  type Scanner,
  type ScanVerdict,
} from './scanner.ts'

export interface ClamdScannerOptions {
  address: ClamdAddress
  /** Deadline of one scan or version call, connection to verdict. */
  timeoutMs: number
  /** Content above this is refused with ScanTooLargeError (keep it at or below clamd's StreamMaxLength). */
  streamMaxBytes: number
}

/** clamd reads chunks of any size up to StreamMaxLength; 64 KiB keeps memory flat. */
const CHUNK_BYTES = 64 * 1024

/** Turns a clamd INSTREAM reply into a verdict, or the error it means. */
export function parseScanReply(reply: string): ScanVerdict {
  const line = reply.trim()
  if (line === 'stream: OK') return { verdict: 'clean' }
  const found = /^stream: (.+) FOUND$/.exec(line)
  if (found?.[1]) return { verdict: 'infected', signature: found[1] }
  if (/size limit exceeded/i.test(line)) throw new ScanTooLargeError(undefined)
  throw new ScannerUnavailableError('protocol', `clamd answered ${JSON.stringify(line.slice(0, 200))}`)
}

async function sendChunks(session: ClamdSession, input: Readable, maxBytes: number): Promise<void> {
  let total = 0
  for await (const data of input) {
    const chunk = typeof data === 'string' ? Buffer.from(data) : (data as Buffer)
    total += chunk.length
    if (total > maxBytes) throw new ScanTooLargeError(maxBytes)
    for (let offset = 0; offset < chunk.length && !session.replied(); offset += CHUNK_BYTES) {
      const part = chunk.subarray(offset, offset + CHUNK_BYTES)
      const header = Buffer.alloc(4)
      header.writeUInt32BE(part.length)
      await session.write(Buffer.concat([header, part]))
      // Let the event loop poll the socket between chunks: clamd answers a size-limit breach and
      // closes at once, and its reply must be read before the next write meets the closed socket.
      await new Promise((resolve) => setImmediate(resolve))
    }
    // clamd answered early (its own size limit): the rest of the stream is not needed.
    if (session.replied()) return
  }
  await session.write(Buffer.alloc(4))
}

export function createClamdScanner(options: ClamdScannerOptions): Scanner {
  const { address, timeoutMs, streamMaxBytes } = options

  async function withSession<T>(
    scanOptions: ScanOptions,
    deadline: AbortSignal,
    run: (session: ClamdSession) => Promise<T>,
  ): Promise<T> {
    scanOptions.signal?.throwIfAborted()
    const session = openClamdSession(address, deadline, scanOptions.signal)
    try {
      await session.connected
      return await run(session)
    } finally {
      session.close()
    }
  }

  return {
    describe: describeClamd(address),

    async version(scanOptions = {}) {
      return withSession(scanOptions, AbortSignal.timeout(timeoutMs), async (session) => {
        await session.write(Buffer.from('zVERSION\0'))
        const reply = await session.reply
        if (!/^ClamAV /.test(reply))
          throw new ScannerUnavailableError('protocol', `VERSION answered ${JSON.stringify(reply.slice(0, 200))}`)
        return reply
      })
    },

    async scan(input, scanOptions = {}) {
      // A file is opened before connecting: a missing file rejects here, at once, instead of
      // erupting as an unhandled stream error while the connection is still being made.
      const stream = typeof input === 'string' ? (await open(input)).createReadStream() : input
      const stopReading = () => stream.destroy()
      const deadline = AbortSignal.timeout(timeoutMs)
      try {
        return await withSession(scanOptions, deadline, async (session) => {
          // A stalled input stream must not outlive the deadline.
          deadline.addEventListener('abort', stopReading, { once: true })
          scanOptions.signal?.addEventListener('abort', stopReading, { once: true })
          await session.write(Buffer.from('zINSTREAM\0'))
          const sending = sendChunks(session, stream, streamMaxBytes)
          sending.catch(() => {})
          try {
            await Promise.race([session.reply, sending])
          } catch (error) {
            // Over our bound, or the input's own failure (a missing file): no point waiting for clamd.
            if (!(error instanceof ScannerUnavailableError)) throw error
            // A write that failed because clamd answered and closed (its size limit) is not the
            // story: the reply is, if it was read before the socket broke.
            const reply = await session.reply.catch(() => undefined)
            if (reply === undefined) throw error
            return parseScanReply(reply)
          }
          return parseScanReply(await session.reply)
        })
      } catch (error) {
        if (scanOptions.signal?.aborted) throw scanOptions.signal.reason
        if (deadline.aborted && !(error instanceof ScanTooLargeError))
          throw new ScannerUnavailableError('timeout', `no verdict within ${timeoutMs} ms`)
        // Otherwise a scanner error, or the input's own failure (a missing file, a broken upload): the caller's.
        throw error
      } finally {
        scanOptions.signal?.removeEventListener('abort', stopReading)
        if (typeof input === 'string') stream.destroy()
      }
    },
  }
}
