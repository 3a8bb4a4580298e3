/**
 * An intermediate course in English that ends in a certificate: a quiz with every automatically
 * graded question kind (one short-answer question checked by an RE2 pattern, well within the
 * compile budget) and an assignment graded against a rubric, which opens once the quiz is passed.
 */
import type { CourseSpec } from '../learning/spec.ts'

export const PANDAS_QUIZ = 'Quiz: pandas essentials'
export const PANDAS_ASSIGNMENT = 'Assignment: a regional sales report'

export const DATA_ANALYSIS_WITH_PANDAS: CourseSpec = {
  slug: 'data-analysis-with-pandas',
  title: 'Data Analysis with pandas',
  summary:
    'Load, clean, reshape and summarise tabular data with pandas, and turn a raw CSV file into a short report that answers a business question.',
  description: `Spreadsheets stop scaling long before your questions do. **pandas** gives Python a fast, expressive
table type — the DataFrame — and the tools to load, clean, combine and summarise data in a few
readable lines.

You should be comfortable with basic Python (variables, loops, functions); the *Python from
Scratch* course covers all of it.

## What you will do

1. Load CSV files and inspect what is really in them
2. Select the rows and columns you need with \`loc\`, \`iloc\` and boolean masks
3. Clean missing values and wrong types
4. Group, aggregate and sort to answer questions
5. Write a short report on a real-looking sales dataset, graded by your instructor against a
   published rubric

Complete every lesson, pass the quiz and have your report accepted to earn a **verifiable
certificate**.`,
  level: 'intermediate',
  language: 'en',
  category: 'data-science',
  tags: ['python', 'pandas', 'data'],
  modules: [
    {
      title: 'DataFrames and Series',
      lessons: [
        {
          kind: 'text',
          title: 'Why pandas',
          durationMinutes: 8,
          preview: true,
          body: `# Why pandas

Suppose you have a year of orders in a CSV file and want revenue per region per month. In plain
Python that is a loop, a dictionary of dictionaries and careful bookkeeping. In pandas:

\`\`\`python
import pandas as pd

orders = pd.read_csv("orders.csv", parse_dates=["date"])
orders["revenue"] = orders["quantity"] * orders["unit_price"]
orders.groupby([orders["date"].dt.to_period("M"), "region"])["revenue"].sum()
\`\`\`

## Two core types

- A **Series** is a single column: values plus an **index** that labels them.
- A **DataFrame** is a table: several Series sharing one index.

\`\`\`python
s = pd.Series([3, 5, 2], index=["north", "south", "east"])
df = pd.DataFrame({"region": ["north", "south"], "revenue": [1200, 950]})
\`\`\`

Operations apply to whole columns at once (*vectorised*), which is both shorter to write and much
faster than looping over rows.

Install it with \`pip install pandas\`, and use a Jupyter notebook if you can: seeing each table as you
go makes data work far easier.`,
        },
        {
          kind: 'text',
          title: 'Loading and inspecting data',
          durationMinutes: 12,
          body: `# Loading and inspecting data

\`\`\`python
sales = pd.read_csv("sales.csv")
\`\`\`

Before analysing anything, look at what you loaded:

| call | tells you |
|------|-----------|
| \`sales.head()\` | the first five rows |
| \`sales.shape\` | (rows, columns) |
| \`sales.info()\` | each column's type and how many values are missing |
| \`sales.describe()\` | count, mean, spread and quartiles of numeric columns |
| \`sales["region"].value_counts()\` | how often each value occurs |

## Read it right the first time

\`read_csv\` takes options that save cleaning later:

\`\`\`python
sales = pd.read_csv(
    "sales.csv",
    parse_dates=["date"],          # real dates, not strings
    dtype={"store_id": "string"},  # identifiers are labels, not numbers
    na_values=["n/a", "-"],        # what counts as missing in this file
)
\`\`\`

A column that \`info()\` reports as \`object\` when you expected numbers usually hides a stray text value
such as \`"1,200"\` or \`"unknown"\`. Find it with
\`sales.loc[pd.to_numeric(sales["amount"], errors="coerce").isna(), "amount"]\`.`,
        },
        {
          kind: 'text',
          title: 'Selecting rows and columns',
          durationMinutes: 15,
          body: `# Selecting rows and columns

## Columns

\`\`\`python
sales["amount"]               # one column: a Series
sales[["date", "amount"]]     # several columns: a DataFrame
\`\`\`

## loc and iloc

- \`loc\` selects by **label**: \`sales.loc[10, "amount"]\`, \`sales.loc[:, "date":"region"]\`
- \`iloc\` selects by **integer position**: \`sales.iloc[0]\`, \`sales.iloc[:5, :2]\`

With the default index (0, 1, 2, …) labels and positions look alike, which hides the difference
until you sort or filter. After \`sales.sort_values("amount")\`, \`loc[0]\` is still the row labelled
0, wherever it now is; \`iloc[0]\` is the first row of the sorted table.

## Boolean masks

A comparison on a column gives a Series of \`True\`/\`False\` that selects rows:

\`\`\`python
big = sales[sales["amount"] > 1000]
north_2024 = sales[(sales["region"] == "north") & (sales["date"].dt.year == 2024)]
\`\`\`

Use \`&\`, \`|\` and \`~\` (not \`and\`, \`or\`, \`not\`) and put each condition in parentheses.

## Setting values

Select and assign in **one** \`loc\` call:

\`\`\`python
sales.loc[sales["amount"] < 0, "amount"] = 0
\`\`\`

Chained indexing such as \`sales[sales["amount"] < 0]["amount"] = 0\` may modify a temporary copy
and leave \`sales\` unchanged.`,
        },
      ],
    },
    {
      title: 'Transforming data',
      lessons: [
        {
          kind: 'text',
          title: 'Cleaning: missing values and types',
          durationMinutes: 15,
          body: `# Cleaning: missing values and types

## Finding gaps

\`sales.isna().sum()\` counts missing values per column. Decide per column what a gap means:

- **Drop** rows that cannot be used: \`sales.dropna(subset=["amount"])\`
- **Fill** with a neutral value: \`sales["discount"].fillna(0)\`
- **Keep** and report them, when missing is itself information

These methods return a **new** DataFrame; assign the result (\`sales = sales.dropna(...)\`).

## Fixing types

\`\`\`python
sales["amount"] = pd.to_numeric(sales["amount"].str.replace(",", ""), errors="coerce")
sales["date"] = pd.to_datetime(sales["date"], format="%Y-%m-%d")
sales["region"] = sales["region"].str.strip().str.lower().astype("category")
\`\`\`

\`errors="coerce"\` turns unparseable values into \`NaN\` instead of failing, so check how many you
created.

## Duplicates

\`sales.duplicated(subset=["order_id"]).sum()\` finds repeated orders;
\`sales.drop_duplicates(subset=["order_id"], keep="first")\` removes them.

Write every cleaning step in code, never by hand in the file: when next month's export arrives,
you run the same script.`,
        },
        {
          kind: 'text',
          title: 'Grouping and aggregating',
          durationMinutes: 18,
          body: `# Grouping and aggregating

\`groupby\` splits the rows into groups, applies a function to each and combines the results
(*split–apply–combine*):

\`\`\`python
sales.groupby("region")["amount"].sum()
\`\`\`

## Several statistics at once

\`\`\`python
summary = sales.groupby("region").agg(
    orders=("order_id", "count"),
    revenue=("amount", "sum"),
    average_order=("amount", "mean"),
).sort_values("revenue", ascending=False)
\`\`\`

Named aggregations give readable column names in the result.

## By time

\`\`\`python
monthly = sales.groupby(sales["date"].dt.to_period("M"))["amount"].sum()
\`\`\`

## Pivot tables

\`pivot_table\` puts one grouping in the rows and another in the columns:

\`\`\`python
sales.pivot_table(index="region", columns=sales["date"].dt.quarter,
                  values="amount", aggfunc="sum", fill_value=0)
\`\`\`

## Mean or median?

A few very large orders pull the **mean** up; the **median** is the middle value and ignores them.
For 2, 4, 4 and 10 the mean is 5 and the median 4. Report both when they differ much, and say why.`,
        },
        {
          kind: 'quiz',
          title: PANDAS_QUIZ,
          durationMinutes: 10,
          body: 'Five questions on selecting, cleaning and grouping. Pass with 70%; you have three attempts.',
          quiz: {
            passingPercent: 70,
            attemptLimit: 3,
            questions: [
              {
                question: {
                  kind: 'single_choice',
                  prompt: 'Which pandas type represents a single labelled column of values?',
                  options: [
                    { id: 'series', text: 'Series' },
                    { id: 'dataframe', text: 'DataFrame' },
                    { id: 'index', text: 'Index' },
                    { id: 'ndarray', text: 'ndarray' },
                  ],
                  answerKey: { optionIds: ['series'] },
                  explanation:
                    'A Series is one column with its index; a DataFrame is a table of Series sharing an index.',
                },
                answer: 'series',
              },
              {
                question: {
                  kind: 'multiple_choice',
                  prompt: 'Which of these return a new DataFrame and leave sales unchanged? Select all that apply.',
                  options: [
                    { id: 'dropna', text: 'sales.dropna()' },
                    { id: 'sort', text: 'sales.sort_values("amount")' },
                    { id: 'fillna', text: 'sales.fillna(0)' },
                    { id: 'inplace', text: 'sales.drop(columns="notes", inplace=True)' },
                  ],
                  answerKey: { optionIds: ['dropna', 'sort', 'fillna'] },
                  explanation: 'With inplace=True the method changes sales itself and returns None.',
                },
                answer: ['dropna', 'sort', 'fillna'],
              },
              {
                question: {
                  kind: 'true_false',
                  prompt: 'df.loc selects by label and df.iloc by integer position.',
                  answerKey: { value: true },
                  explanation: 'loc uses index labels and column names; iloc uses positions counted from 0.',
                },
                answer: true,
              },
              {
                question: {
                  kind: 'numeric',
                  prompt: 'A column holds 2, 4, 4 and 10. What does .median() return?',
                  answerKey: { value: 4, tolerance: 0 },
                  points: 2,
                  explanation: 'Sorted, the middle values are 4 and 4, so the median is 4 (the mean would be 5).',
                },
                answer: 4,
              },
              {
                question: {
                  kind: 'short_answer',
                  prompt:
                    'Which DataFrame method splits rows into groups by the values of a column, before aggregating them? Give the method name.',
                  // RE2, compared without case: "groupby", "df.groupby" or "groupby()"; 32 units of the 2,000-unit budget (pattern-cost.ts).
                  answerKey: { pattern: '\\s*(df\\.|\\.)?group_?by(\\(\\))?\\s*' },
                  points: 2,
                  explanation:
                    'groupby splits the rows, applies an aggregation to each group and combines the results.',
                },
                answer: 'groupby',
              },
            ],
          },
        },
        {
          kind: 'assignment',
          title: PANDAS_ASSIGNMENT,
          durationMinutes: 90,
          prerequisites: [PANDAS_QUIZ],
          body: 'Put the whole course to work on a small but messy dataset and write up what you find.',
          assignment: {
            instructions: `A retailer sends you \`sales_2024.csv\` with the columns \`order_id\`, \`date\`, \`region\`,
\`product\`, \`quantity\` and \`unit_price\`. The export is messy: some prices contain thousands
separators, a few regions have trailing spaces and mixed case, and a handful of orders appear twice.

1. Load and clean the data, explaining each step in a sentence.
2. Compute revenue (\`quantity × unit_price\`) per region and per quarter.
3. Name the region that grew fastest from Q1 to Q4, with the figures.
4. Recommend one thing the retailer should look into, based on the data.

Submit your code and a short written report (at most one page) in the text box. Your instructor
grades it against the rubric below; 12 of 20 points pass.`,
            rubric: [
              {
                id: 'cleaning',
                title: 'Data cleaning',
                levels: [
                  {
                    points: 0,
                    description: 'The data is used as loaded; duplicates and bad values distort the results.',
                  },
                  { points: 3, description: 'Some problems are fixed, but at least one remains or is fixed by hand.' },
                  { points: 6, description: 'Every problem is found and fixed in code, each step explained.' },
                ],
              },
              {
                id: 'analysis',
                title: 'Correct analysis',
                levels: [
                  { points: 0, description: 'The revenue figures are wrong or missing.' },
                  {
                    points: 4,
                    description: 'Revenue per region and quarter is right; the growth comparison is incomplete.',
                  },
                  {
                    points: 8,
                    description: 'All figures are right and the fastest-growing region is identified with evidence.',
                  },
                ],
              },
              {
                id: 'communication',
                title: 'Report and recommendation',
                levels: [
                  { points: 0, description: 'No written conclusions.' },
                  { points: 3, description: 'Conclusions are stated but not tied to the figures.' },
                  { points: 6, description: 'A clear, concise report whose recommendation follows from the data.' },
                ],
              },
            ],
            passingPoints: 12,
            dueOffsetDays: 30,
            latePolicy: 'penalty',
            latePenaltyPercent: 10,
            allowResubmission: true,
          },
        },
      ],
    },
  ],
}
