/**
 * Every benchmarked endpoint. A module adds its scenario file beside this one and lists it here;
 * BENCH_SCENARIOS=name,name runs a subset.
 */
import type { BenchFlow, BenchScenario } from '../scenario.ts'
import { auditEventsScenario } from './audit-events.ts'
import { communityFeedScenario, homeFeedScenario } from './community-feed.ts'
import { catalogueDetailScenario } from './catalogue-detail.ts'
import { catalogueListScenario } from './catalogue-list.ts'
import { catalogueListTokenScenario } from './catalogue-list-token.ts'
import { catalogueSearch100kScenario } from './catalogue-search-100k.ts'
import { learnerDashboardScenario } from './learner-dashboard.ts'
import { learnerJourneyFlow } from './learner-journey.ts'
import { lessonReadScenario } from './lesson-read.ts'
import { quizGradingFlow } from './quiz-grading.ts'
import { meFlow } from './me.ts'
import { loginMixFlow } from './login-mix.ts'
import { overloadFlow } from './overload.ts'
import { realtimeFlow } from './realtime.ts'

export const scenarios: BenchScenario[] = [
  auditEventsScenario,
  catalogueListScenario,
  catalogueListTokenScenario,
  catalogueDetailScenario,
  learnerDashboardScenario,
  lessonReadScenario,
  communityFeedScenario,
  homeFeedScenario,
  // Last: it grows the target tenant to 100,000 courses after the others seeded theirs.
  catalogueSearch100kScenario,
]

/** Benchmarks of request flows (scenario.ts, BenchFlow), selected by the same BENCH_SCENARIOS names. */
export const flows: BenchFlow[] = [
  quizGradingFlow,
  learnerJourneyFlow,
  meFlow,
  loginMixFlow,
  overloadFlow,
  realtimeFlow,
]
