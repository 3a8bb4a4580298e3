/**
 * Module 2 of Python from Scratch (../python-from-scratch.ts), open on enrolment: if/elif/else,
 * for and while loops, the course's one quiz and a further reading.
 */
import type { ModuleSpec } from '../../learning/spec.ts'

export const DECISIONS_AND_LOOPS: ModuleSpec = {
  title: 'Making decisions and repeating work',
  lessons: [
    {
      kind: 'text',
      title: 'Choosing with if, elif and else',
      durationMinutes: 12,
      body: `# Choosing with if, elif and else

Programs become useful when they react to their input. An \`if\` statement runs a block of code only
when a condition is true:

\`\`\`python
temperature = float(input("Temperature in °C? "))

if temperature < 0:
    print("Freezing: watch out for ice.")
elif temperature < 15:
    print("Cool: bring a jacket.")
else:
    print("Mild or warm.")
\`\`\`

- The indented lines belong to the branch above them. Python uses **indentation** (four spaces by
  convention) instead of braces.
- Conditions are checked top to bottom and only the **first** true branch runs.
- \`elif\` and \`else\` are optional.

## Comparisons and logic

\`==\` (equal), \`!=\` (not equal), \`<\`, \`<=\`, \`>\`, \`>=\` compare values and give a \`bool\`.
Combine conditions with \`and\`, \`or\` and \`not\`:

\`\`\`python
if age >= 18 and has_ticket:
    print("Welcome in.")
\`\`\`

A common slip is writing \`=\` (assignment) where you meant \`==\` (comparison): Python reports it as a
syntax error inside an \`if\`.

## Try it

Ask for a year and print whether it is a leap year: divisible by 4, except centuries, which must be
divisible by 400. (\`year % 4 == 0\` tests divisibility.)`,
    },
    {
      kind: 'text',
      title: 'Repeating with for and while',
      durationMinutes: 15,
      body: `# Repeating with for and while

## for: once per item

A \`for\` loop runs its block once for every item of a sequence:

\`\`\`python
for fruit in ["apple", "pear", "plum"]:
    print(fruit.upper())
\`\`\`

\`range(n)\` produces the numbers \`0\` to \`n - 1\`, which is handy for counting:

\`\`\`python
total = 0
for n in range(1, 11):
    total = total + n
print(total)   # 55
\`\`\`

## while: as long as a condition holds

\`\`\`python
guess = ""
while guess != "python":
    guess = input("Guess the language: ").lower()
print("Correct!")
\`\`\`

A \`while\` loop checks its condition before each round. If nothing in the loop can make the
condition false, it never stops — press **Ctrl+C** to interrupt it.

## break and continue

\`break\` leaves the loop at once; \`continue\` skips to the next round:

\`\`\`python
for line in lines:
    if line.startswith("#"):
        continue        # ignore comments
    if line == "END":
        break
    print(line)
\`\`\`

## Which one?

Use \`for\` when you know what you are iterating over, \`while\` when you repeat until something
happens.`,
    },
    {
      kind: 'quiz',
      title: 'Check your understanding: decisions and loops',
      durationMinutes: 5,
      body: 'Three quick questions on the last two lessons. You need 70% to pass and may try as often as you like.',
      quiz: {
        passingPercent: 70,
        attemptLimit: null,
        questions: [
          {
            question: {
              kind: 'true_false',
              prompt: 'In an if/elif/else chain, every branch whose condition is true runs.',
              answerKey: { value: false },
              explanation: 'Only the first branch whose condition is true runs; the rest are skipped.',
            },
            answer: false,
          },
          {
            question: {
              kind: 'single_choice',
              prompt: 'Which numbers does range(1, 5) produce?',
              options: [
                { id: 'a', text: '1, 2, 3, 4, 5' },
                { id: 'b', text: '1, 2, 3, 4' },
                { id: 'c', text: '0, 1, 2, 3, 4' },
              ],
              answerKey: { optionIds: ['b'] },
              explanation: 'range stops before its end value: range(1, 5) is 1, 2, 3 and 4.',
            },
            answer: 'b',
          },
          {
            question: {
              kind: 'numeric',
              prompt:
                'What does this program print?\n\ntotal = 0\nfor n in range(4):\n    total = total + n\nprint(total)',
              answerKey: { value: 6 },
              explanation: 'range(4) is 0, 1, 2, 3 and their sum is 6.',
            },
            answer: 6,
          },
        ],
      },
    },
    {
      kind: 'link',
      title: 'Further reading: the official Python tutorial',
      durationMinutes: 30,
      url: 'https://docs.python.org/3/tutorial/controlflow.html',
      body: 'Chapter 4 of the official tutorial, "More Control Flow Tools", covers everything in this module and a little more (match statements, loop else clauses).',
    },
  ],
}
