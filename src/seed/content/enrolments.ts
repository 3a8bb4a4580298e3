/**
 * Where each demo learner stands: enrolments at every stage a new user should see — not started,
 * half way (with drip-locked modules ahead and a lesson left half read), an assignment waiting
 * for its grade, and a course completed with its certificate.
 */
import type { LearnerSpec } from '../learning/spec.ts'
import { DATA_ANALYSIS_WITH_PANDAS as PANDAS, PANDAS_ASSIGNMENT, PANDAS_QUIZ } from './data-analysis-with-pandas.ts'
import { PHOTOGRAPHIE_LUMIERE as PHOTO } from './photographie-lumiere.ts'
import { PYTHON_FROM_SCRATCH as PYTHON } from './python-from-scratch.ts'

const titles = (course: typeof PYTHON, modules: number) =>
  course.modules.slice(0, modules).flatMap((m) => m.lessons.map((l) => l.title))

const PANDAS_READINGS = titles(PANDAS, 2).filter((t) => t !== PANDAS_QUIZ && t !== PANDAS_ASSIGNMENT)

const MAYA_REPORT = `## Cleaning
- Removed 14 duplicated order_id rows (kept the first).
- unit_price: stripped the thousands separators, then pd.to_numeric; no values were lost.
- region: .str.strip().str.lower(), which merged "North " and "north".

\`\`\`python
sales = pd.read_csv("sales_2024.csv", parse_dates=["date"])
sales = sales.drop_duplicates(subset="order_id")
sales["unit_price"] = pd.to_numeric(sales["unit_price"].str.replace(",", ""))
sales["region"] = sales["region"].str.strip().str.lower()
sales["revenue"] = sales["quantity"] * sales["unit_price"]
by_quarter = sales.pivot_table(index="region", columns=sales["date"].dt.quarter,
                               values="revenue", aggfunc="sum")
\`\`\`

## Findings
The east grew fastest: from 41,200 in Q1 to 63,900 in Q4 (+55%). The north is still the largest
region but flat (+3%).

## Recommendation
Look at what changed in the east in Q3 (a new store?) and whether it can be repeated in the north.`

const TOMAS_REPORT = `## Cleaning
1. Loaded with parse_dates=["date"] so quarters come straight from the dates.
2. 14 orders appeared twice (same order_id, same values): dropped with drop_duplicates.
3. unit_price had thousands separators in 37 rows ("1,250.00"): removed them and converted with
   pd.to_numeric(errors="coerce"); checked that no NaN was created.
4. region had trailing spaces and mixed case ("North ", "north"): normalised with str.strip().str.lower().

\`\`\`python
import pandas as pd

sales = pd.read_csv("sales_2024.csv", parse_dates=["date"])
sales = sales.drop_duplicates(subset="order_id", keep="first")
sales["unit_price"] = pd.to_numeric(sales["unit_price"].str.replace(",", "", regex=False), errors="coerce")
assert sales["unit_price"].notna().all()
sales["region"] = sales["region"].str.strip().str.lower()
sales["revenue"] = sales["quantity"] * sales["unit_price"]

quarterly = sales.pivot_table(index="region", columns=sales["date"].dt.quarter,
                              values="revenue", aggfunc="sum")
quarterly["growth"] = quarterly[4] / quarterly[1] - 1
print(quarterly.sort_values("growth", ascending=False).round(2))
\`\`\`

## Findings
| region | Q1 | Q4 | growth |
|--------|---:|---:|-------:|
| east   | 41,200 | 63,900 | +55% |
| south  | 52,800 | 61,100 | +16% |
| west   | 38,500 | 40,200 | +4% |
| north  | 88,300 | 90,900 | +3% |

The east grew fastest, almost entirely through more orders (average order value barely moved).

## Recommendation
The north is the largest region but nearly flat. Compare its product mix with the east's Q4
orders: the east sells far more accessories per order, which the north could try.`

export const DEMO_LEARNERS: readonly LearnerSpec[] = [
  {
    email: 'maya@demo.localhost',
    enrolments: [
      { course: PYTHON.slug, enrolledBy: 'self', complete: titles(PYTHON, 2).slice(0, 5) },
      {
        course: PANDAS.slug,
        enrolledBy: 'self',
        complete: [...PANDAS_READINGS, PANDAS_QUIZ, PANDAS_ASSIGNMENT],
        // One slip (she forgets that fillna returns a new DataFrame too): 6 of 7 points, still a pass.
        quizAnswers: {
          'Which of these return a new DataFrame and leave sales unchanged? Select all that apply.': ['dropna', 'sort'],
        },
        submission: MAYA_REPORT,
      },
      { course: PHOTO.slug, enrolledBy: 'admin', complete: [] },
    ],
  },
  {
    email: 'tomas@demo.localhost',
    enrolments: [
      {
        course: PANDAS.slug,
        enrolledBy: 'self',
        complete: [...PANDAS_READINGS, PANDAS_QUIZ, PANDAS_ASSIGNMENT],
        submission: TOMAS_REPORT,
        grade: {
          rubricScores: { cleaning: 6, analysis: 8, communication: 3 },
          feedback:
            'Thorough, well-documented cleaning and correct figures throughout — the assert after the price conversion is exactly the habit to keep. The recommendation is plausible but not yet shown by the data: back it with accessories per order by region and quarter.',
        },
      },
      { course: PYTHON.slug, enrolledBy: 'admin', complete: [] },
    ],
  },
  {
    email: 'amara@demo.localhost',
    enrolments: [
      // Modules one and two, quiz included; Functions and the project are still drip-locked.
      { course: PYTHON.slug, enrolledBy: 'self', complete: titles(PYTHON, 2) },
      // Her latest activity: the dashboard's "continue" brings her back to this lesson.
      {
        course: PHOTO.slug,
        enrolledBy: 'self',
        complete: titles(PHOTO, 1).slice(0, 3),
        resume: {
          title: 'La sensibilité ISO et le bruit',
          timeSpentSeconds: 240,
          position: { scrollPercent: 45 },
        },
      },
    ],
  },
]
