// The script every worker thread of a worker pool starts with (worker-pool.ts). The thread is a
// plain Node.js thread: it registers tsx's loader first, so the task module can be TypeScript
// like the rest of the sources (ADR 0001: no build step), then imports that module, whose
// default export handles one task. Each task announces its start to the pool, whose deadline
// counts from then (time spent queued is bounded by the queue, not by the deadline).
import { parentPort, workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { default: handle } = await import(workerData.taskModule)
if (typeof handle !== 'function') throw new Error(`${workerData.taskModule} has no default export to handle tasks`)

export default function runTask({ id, task }) {
  parentPort.postMessage({ [workerData.startedKey]: id })
  return handle(task)
}
