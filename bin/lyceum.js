#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader (ADR 0001): no build step between
// a clone and a running platform.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const SUPPORTED_NODE_MAJOR = 24

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
  const child = spawn(projectNode, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  // The child drains and exits on these itself; this process only waits for it.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
  return true
}

if (!handOverToProjectNode()) {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/main.ts')
}
