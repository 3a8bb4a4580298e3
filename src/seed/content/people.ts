/**
 * The demo tenant's people besides its administrator: an instructor who teaches the demo courses
 * and learners at different stages (their plans are in enrolments.ts). Their sign-ins are
 * printed by `serve` and kept in DATA_DIR/dev-credentials.json.
 */
import type { DemoPerson } from '../accounts.ts'

export const DEMO_INSTRUCTOR_EMAIL = 'elena@demo.localhost'

export const DEMO_MEMBERS: readonly DemoPerson[] = [
  {
    email: DEMO_INSTRUCTOR_EMAIL,
    displayName: 'Elena Marsh',
    roles: ['instructor', 'learner'],
    about: 'instructor of the three demo courses; one assignment waits in her grading queue',
  },
  {
    email: 'maya@demo.localhost',
    displayName: 'Maya Lindqvist',
    roles: ['learner'],
    about: 'half way through Python; pandas assignment awaiting a grade; photography not started',
  },
  {
    email: 'tomas@demo.localhost',
    displayName: 'Tomás Ferreira',
    roles: ['learner'],
    about: 'completed Data Analysis with pandas, certificate issued; Python not started',
  },
  {
    email: 'amara@demo.localhost',
    displayName: 'Amara Okafor',
    roles: ['learner'],
    about: 'Python up to the drip-locked modules; photography half way',
  },
]
