/** The demo tenant's learning content: its courses, learners' plans and learning path. */
import type { CourseSpec, LearnerSpec, PathSpec } from '../learning/spec.ts'
import { DATA_ANALYSIS_WITH_PANDAS } from './data-analysis-with-pandas.ts'
import { DEMO_LEARNERS } from './enrolments.ts'
import { DEMO_INSTRUCTOR_EMAIL } from './people.ts'
import { PHOTOGRAPHIE_LUMIERE } from './photographie-lumiere.ts'
import { PYTHON_FROM_SCRATCH } from './python-from-scratch.ts'

export interface LearningContent {
  /** The demo account that authors every course and grades the submissions. */
  instructor: string
  courses: readonly CourseSpec[]
  learners: readonly LearnerSpec[]
  paths: readonly PathSpec[]
}

export const DEMO_LEARNING: LearningContent = {
  instructor: DEMO_INSTRUCTOR_EMAIL,
  courses: [PYTHON_FROM_SCRATCH, DATA_ANALYSIS_WITH_PANDAS, PHOTOGRAPHIE_LUMIERE],
  learners: DEMO_LEARNERS,
  paths: [
    {
      slug: 'python-for-data-analysis',
      title: 'Python for Data Analysis',
      summary:
        'From your first line of Python to a data report a manager can act on: learn the language, then put it to work on real tables with pandas.',
      courses: [
        { slug: PYTHON_FROM_SCRATCH.slug, prerequisites: [] },
        { slug: DATA_ANALYSIS_WITH_PANDAS.slug, prerequisites: [PYTHON_FROM_SCRATCH.slug] },
      ],
    },
  ],
}
