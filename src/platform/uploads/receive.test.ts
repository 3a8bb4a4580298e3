import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { receiveToFile, UploadRefusedError } from './index.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lyceum-receive-'))
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

describe('receiveToFile', () => {
  it('writes the stream and records its SHA-256 and size as it streams', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i))
    const target = path.join(dir, 'ok.bin')
    const received = await receiveToFile(Readable.from(chunks), target, { maxBytes: 1_000_000 })
    const whole = Buffer.concat(chunks)
    expect(received).toEqual({ sha256: createHash('sha256').update(whole).digest('hex'), size: whole.length })
    expect((await readFile(target)).equals(whole)).toBe(true)
  })

  it('stops at the byte limit with too_large and leaves nothing behind', async () => {
    const target = path.join(dir, 'big.bin')
    const endless = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1))
      },
    })
    const error = await receiveToFile(endless, target, { maxBytes: 1024 * 1024 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UploadRefusedError)
    expect((error as UploadRefusedError).reason).toBe('too_large')
    expect(existsSync(target)).toBe(false)
  })

  it('never overwrites an existing file', async () => {
    const target = path.join(dir, 'once.bin')
    await receiveToFile(Readable.from([Buffer.from('first')]), target, { maxBytes: 100 })
    await expect(receiveToFile(Readable.from([Buffer.from('second')]), target, { maxBytes: 100 })).rejects.toThrow(
      /EEXIST/,
    )
    expect(await readFile(target, 'utf8')).toBe('first')
  })
})
