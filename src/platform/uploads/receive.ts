/**
 * Writes an incoming stream to a file while hashing it (SHA-256) and counting it: an upload over
 * its byte limit is stopped as soon as the limit is crossed, and the partial file removed, so
 * nothing of a refused upload is left behind.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { UploadRefusedError } from './upload-errors.ts'

export interface Received {
  sha256: string
  size: number
}

export async function receiveToFile(
  input: Readable,
  destination: string,
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<Received> {
  const hash = createHash('sha256')
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > options.maxBytes)
        return callback(new UploadRefusedError('too_large', `the file is larger than ${options.maxBytes} bytes`))
      hash.update(chunk)
      callback(null, chunk)
    },
  })
  // 'wx': never overwrite; and only a file this call created is removed on failure.
  const output = createWriteStream(destination, { flags: 'wx' })
  let created = false
  output.once('open', () => (created = true))
  try {
    await pipeline(input, meter, output, { ...(options.signal ? { signal: options.signal } : {}) })
  } catch (error) {
    if (created) await rm(destination, { force: true })
    throw error
  }
  return { sha256: hash.digest('hex'), size }
}
