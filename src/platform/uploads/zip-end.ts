/**
 * The end-of-central-directory record of a zip, found the way zip readers find it: scanning back
 * from the end of the file. Used both ways round: a zip-based upload must end exactly with it,
 * and any other upload must not contain one (a zip appended to an image or PDF is a polyglot).
 */
export interface ZipEnd {
  /** Offset of the record in the file. */
  offset: number
  entries: number
  directoryOffset: number
  directorySize: number
  commentLength: number
}

const SIGNATURE = 0x06054b50
const RECORD_BYTES = 22
/** The record plus the longest comment it can carry: what must be read from the end. */
export const ZIP_END_SEARCH_BYTES = RECORD_BYTES + 0xffff

/**
 * The last plausible record in `tail` (the file's last bytes, `tail` starting at `tailOffset`):
 * its comment fits in the file, and a central-directory header starts at the stored directory
 * offset or right before the record (when either lies inside `tail`).
 */
export function findZipEnd(tail: Buffer, tailOffset: number, fileSize: number): ZipEnd | undefined {
  for (let at = tail.length - RECORD_BYTES; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== SIGNATURE) continue
    const end: ZipEnd = {
      offset: tailOffset + at,
      entries: tail.readUInt16LE(at + 10),
      directorySize: tail.readUInt32LE(at + 12),
      directoryOffset: tail.readUInt32LE(at + 16),
      commentLength: tail.readUInt16LE(at + 20),
    }
    if (end.offset + RECORD_BYTES + end.commentLength > fileSize) continue
    if (end.directoryOffset === 0xffffffff) return end // zip64: plausible enough to count as a zip
    if (end.directorySize > end.offset) continue
    // Zip readers also find a directory that sits right before the record when its stored offset
    // is off by what was put in front of the archive (a zip appended to another file).
    const candidates = [end.directoryOffset, end.offset - end.directorySize].map((position) => position - tailOffset)
    const inTail = candidates.filter((position) => position >= 0 && position + 4 <= tail.length)
    if (end.entries > 0 && inTail.length > 0 && !inTail.some((position) => tail.readUInt32LE(position) === 0x02014b50))
      continue
    return end
  }
  return undefined
}
