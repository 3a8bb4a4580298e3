/**
 * CLAMD_URL: `unix:///run/clamav/clamd.ctl` (clamd's LocalSocket) or `tcp://host:3310`
 * (TCPSocket/TCPAddr). clamd has no authentication: a TCP clamd must only listen where nothing
 * untrusted can reach it (docs/operations.md).
 */
export type ClamdAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number }

export const CLAMD_URL_PATTERN = '^(unix://(/[^\\u0000]+)|tcp://[^/?#]+:[0-9]{1,5}/?)$'

/** Parses a CLAMD_URL; throws with a message naming the accepted forms. */
export function parseClamdUrl(value: string): ClamdAddress {
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length)
    if (!socketPath.startsWith('/')) throw new Error(`CLAMD_URL ${value}: a unix socket needs an absolute path`)
    return { kind: 'unix', path: socketPath }
  }
  if (value.startsWith('tcp://')) {
    const url = new URL(value)
    const port = Number(url.port)
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`CLAMD_URL ${value}: expected tcp://host:port`)
    return { kind: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port }
  }
  throw new Error(`CLAMD_URL ${value}: expected unix:///path/to/clamd.ctl or tcp://host:port`)
}

export const describeClamd = (address: ClamdAddress) =>
  address.kind === 'unix' ? `clamd at unix://${address.path}` : `clamd at tcp://${address.host}:${address.port}`
