/**
 * The task module of the pattern worker threads (platform/workers): checks a pattern against
 * RE2 when a question is saved, and matches learners' answers when an attempt is graded. Both
 * compile, which is why they run here and not on the event loop; answer-patterns.ts keeps each
 * thread's compiled programs for the next task.
 */
import { matchesWholeAnswer, patternSyntaxProblem, warmUp } from './answer-patterns.ts'

// Before the thread takes its first task (piscina loads this module first), so no task's deadline pays for it.
warmUp()

export interface PatternQuery {
  pattern: string
  ignoreCase: boolean
  text: string
}

export type PatternTask =
  { kind: 'check'; pattern: string; ignoreCase: boolean } | { kind: 'match'; queries: PatternQuery[] }

/** check: the reason RE2 refuses the pattern, or null; match: whether each answer matches, in order. */
export type PatternTaskResult = { problem: string | null } | { matches: boolean[] }

export default function handlePatternTask(task: PatternTask): PatternTaskResult {
  if (task.kind === 'check') return { problem: patternSyntaxProblem(task.pattern, task.ignoreCase) }
  return { matches: task.queries.map((q) => matchesWholeAnswer(q.pattern, q.text, q.ignoreCase)) }
}
