/**
 * Module 3 of Python from Scratch (../python-from-scratch.ts): writing functions. Drip-released
 * a week after enrolment, so learners practise the basics first.
 */
import type { ModuleSpec } from '../../learning/spec.ts'

export const FUNCTIONS: ModuleSpec = {
  title: 'Functions',
  releaseOffsetDays: 7,
  lessons: [
    {
      kind: 'text',
      title: 'Defining your own functions',
      durationMinutes: 15,
      body: `# Defining your own functions

A **function** gives a name to a piece of code so you can use it again:

\`\`\`python
def greet(name):
    print("Hello,", name)

greet("Ada")
greet("Grace")
\`\`\`

\`def\` introduces the function, \`name\` is its **parameter**, and the indented block is its
**body**. Calling \`greet("Ada")\` runs the body with \`name\` set to \`"Ada"\`.

## Why bother?

- **No repetition.** Fix a bug once, not in every copy.
- **Names explain.** \`average(scores)\` says what it does; three lines of arithmetic do not.
- **Small pieces.** A long program becomes a set of short functions you can test one at a time.

## Return values

Most functions compute something and hand it back with \`return\`:

\`\`\`python
def average(numbers):
    return sum(numbers) / len(numbers)

print(average([4, 8, 6]))   # 6.0
\`\`\`

\`return\` ends the function immediately. A function without \`return\` gives back \`None\`.

## Try it

Write \`is_leap(year)\` that returns \`True\` or \`False\`, reusing your leap-year condition from
the previous module.`,
    },
    {
      kind: 'text',
      title: 'Parameters, return values and scope',
      durationMinutes: 15,
      body: `# Parameters, return values and scope

## Default and keyword arguments

Parameters can have defaults, and callers can name arguments:

\`\`\`python
def price_with_tax(amount, rate=0.2):
    return round(amount * (1 + rate), 2)

price_with_tax(10)            # 12.0
price_with_tax(10, rate=0.07) # 10.7
\`\`\`

## Returning several values

Return a **tuple** and unpack it:

\`\`\`python
def min_max(values):
    return min(values), max(values)

low, high = min_max([3, 9, 1])
\`\`\`

## Scope

Variables created inside a function are **local**: they exist only while it runs.

\`\`\`python
def double(x):
    result = x * 2
    return result

double(4)
print(result)   # NameError: name 'result' is not defined
\`\`\`

This is a feature: a function cannot accidentally overwrite a variable elsewhere in your program.
Pass values in as parameters and get results out with \`return\` instead of sharing variables.`,
    },
  ],
}
