/**
 * A task module for the worker pool's own tests: echoes which thread ran a task, or spins until
 * its thread is terminated (a task that never yields, like a runaway WebAssembly loop).
 */
import { threadId } from 'node:worker_threads'

export type TestingTask = { op: 'echo'; value: string } | { op: 'spin' }

export default function handle(task: TestingTask): { threadId: number; value: string } {
  if (task.op === 'spin') for (;;);
  return { threadId, value: task.value }
}
