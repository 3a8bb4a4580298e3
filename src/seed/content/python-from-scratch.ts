/**
 * A beginner's course in English with a drip schedule: the third and fourth modules open one and
 * two weeks after enrolment, so a new learner sees locked lessons with the day they open. Each
 * module's lessons are in python-from-scratch/, one file per module, in course order below.
 */
import type { CourseSpec } from '../learning/spec.ts'
import { DECISIONS_AND_LOOPS } from './python-from-scratch/decisions-and-loops.ts'
import { FUNCTIONS } from './python-from-scratch/functions.ts'
import { GETTING_STARTED } from './python-from-scratch/getting-started.ts'
import { WORD_COUNTER_PROJECT } from './python-from-scratch/word-counter-project.ts'

export const PYTHON_FROM_SCRATCH: CourseSpec = {
  slug: 'python-from-scratch',
  title: 'Python from Scratch',
  summary:
    'Write your first programs in Python: values and variables, decisions, loops and functions, ending with a small project you build yourself.',
  description: `Python is a friendly first language: it reads almost like English, runs everywhere and is used
for everything from automating spreadsheets to training machine-learning models.

This course assumes **no programming experience**. Each lesson is short, shows runnable code and ends with
something to try yourself.

## What you will learn

- how a program runs, and how to run Python on your own computer
- values, variables and the built-in types you will use every day
- making decisions with \`if\` and repeating work with \`for\` and \`while\`
- writing your own functions
- putting it together in a small word-counting project

## How the course is paced

The first two modules are open as soon as you enrol. **Functions** opens a week later and the
**project** a week after that, so there is time to practise before moving on.`,
  level: 'beginner',
  language: 'en',
  category: 'programming',
  tags: ['python', 'programming', 'beginners'],
  modules: [GETTING_STARTED, DECISIONS_AND_LOOPS, FUNCTIONS, WORD_COUNTER_PROJECT],
}
