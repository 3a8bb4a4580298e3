#!/usr/bin/env -S node --max-semi-space-size=16
// Runs the TypeScript sources directly through tsx's loader (ADR 0001): no build step between
// a clone and a running platform.
//
// The V8 setting above (the same as V8_FLAGS below) caps the young generation at 16 MB per
// semi-space: V8 otherwise grows it to 64 MB on this kind of machine and keeps it, about 100 MB
// of resident memory that an idle API process never gives back (docs/benchmarks.md, memory).
// It applies when this file runs as a program (npm start, npx lyceum, ./bin/lyceum.js);
// `node bin/lyceum.js` gets it only on the embedded database, which re-executes with its flags.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const SUPPORTED_NODE_MAJOR = 24
const V8_FLAGS = ['--max-semi-space-size=16']
/**
 * Without DATABASE_URL Lyceum runs on embedded PGlite, PostgreSQL compiled to WASM. V8 compiles
 * WASM twice by default: Liftoff (baseline) at once, then TurboFan for hot functions, keeping both;
 * for PGlite that is ~110 MB more resident memory than Liftoff alone (docs/benchmarks.md, Memory),
 * for no measurable query speed on the embedded database's workloads. WASM flags cannot change
 * once V8 runs, so an embedded run replaces this process (same pid, same stdio) with one that has
 * the flag. With DATABASE_URL nothing changes: re2-wasm's pattern matching keeps TurboFan (it is
 * ~2x slower on Liftoff alone).
 */
const EMBEDDED_V8_FLAGS = ['--liftoff-only']

const embedded = () => !process.env.DATABASE_URL

/** The V8 flags this run needs that the running process lacks. */
function missingFlags() {
  const wanted = [...V8_FLAGS, ...(embedded() ? EMBEDDED_V8_FLAGS : [])]
  return wanted.filter((flag) => !process.execArgv.includes(flag))
}

/**
 * npm scripts and npx run this file on the project's own Node (the `node` npm package, first on
 * their PATH). A plain `node bin/lyceum.js` from a shell whose node is older hands over to it, so
 * every way in runs on the supported runtime. Returns whether it handed over.
 */
function handOverToProjectNode() {
  if (Number(process.versions.node.split('.')[0]) >= SUPPORTED_NODE_MAJOR) return false
  let projectNode
  try {
    projectNode = createRequire(import.meta.url).resolve('node/bin/node')
  } catch {
    process.stderr.write(
      `Lyceum needs Node.js ${SUPPORTED_NODE_MAJOR}+ and this is ${process.version}; run "npm ci" to install the project's runtime.\n`,
    )
    process.exit(1)
  }
  const args = [...missingFlags(), ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]
  const child = spawn(projectNode, args, {
    stdio: 'inherit',
  })
  // The child drains and exits on these itself; this process only waits for it.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
  return true
}

/** Runs again with the embedded database's WASM flag, in place (process.execve), when it is missing. */
function reExecWithEmbeddedFlags() {
  if (!embedded() || typeof process.execve !== 'function') return
  const missing = missingFlags()
  if (missing.length === 0) return
  const args = [...missing, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]
  process.execve(process.execPath, [process.execPath, ...args], process.env)
}

if (!handOverToProjectNode()) {
  reExecWithEmbeddedFlags()
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/main.ts')
}
