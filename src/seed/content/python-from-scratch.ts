/**
 * A beginner's course in English with a drip schedule: the third and fourth modules open one and
 * two weeks after enrolment, so a new learner sees locked lessons with the day they open.
 */
import type { CourseSpec } from '../learning/spec.ts'

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
  modules: [
    {
      title: 'Getting started',
      lessons: [
        {
          kind: 'text',
          title: 'What a program is',
          durationMinutes: 8,
          preview: true,
          body: `# What a program is

A **program** is a list of instructions that a computer follows exactly, one after another. The
computer does not guess what you meant: it does what you wrote. That sounds strict, but it is also
what makes programs reliable — the same program, given the same input, does the same thing every time.

Python programs are plain text. Here is a complete one:

\`\`\`python
print("Hello, world!")
\`\`\`

\`print\` is a **function** that shows a value on the screen, and \`"Hello, world!"\` is a **string**,
a piece of text between quotes.

## The interpreter

Python is an *interpreted* language: a program called the **interpreter** reads your code and
carries it out line by line. You will install it in the next lesson.

## Try it

Before installing anything, read this program and predict what it shows:

\`\`\`python
print("Two plus three is")
print(2 + 3)
\`\`\`

Notice that \`2 + 3\` has no quotes: Python computes it and prints \`5\`.`,
        },
        {
          kind: 'text',
          title: 'Running your first Python code',
          durationMinutes: 10,
          body: `# Running your first Python code

## Install Python

Download Python 3 from [python.org/downloads](https://www.python.org/downloads/) and run the
installer. On Windows, tick **Add python.exe to PATH**. On macOS and Linux Python 3 is often already
installed: open a terminal and type \`python3 --version\`.

## The interactive prompt

Type \`python3\` (or \`py\` on Windows) in a terminal. The \`>>>\` prompt evaluates whatever you type:

\`\`\`text
>>> 7 * 6
42
>>> "la" * 3
'lalala'
\`\`\`

Leave it with \`exit()\`.

## Scripts

For anything longer than a line, write a **script**: save this as \`hello.py\`

\`\`\`python
name = input("What is your name? ")
print("Nice to meet you,", name)
\`\`\`

and run it with \`python3 hello.py\`. \`input\` waits for you to type a line and returns it as a string.

## When something goes wrong

Errors are normal. Python tells you the line and the kind of problem:

\`\`\`text
  File "hello.py", line 2
    print("Nice to meet you," name)
                               ^^^^
SyntaxError: invalid syntax. Perhaps you forgot a comma?
\`\`\`

Read the last line first: it usually says exactly what to fix.`,
        },
        {
          kind: 'text',
          title: 'Values, variables and types',
          durationMinutes: 15,
          body: `# Values, variables and types

Every value in Python has a **type**. The ones you will use most:

| type    | examples              | what it is            |
|---------|-----------------------|-----------------------|
| \`int\`   | \`0\`, \`42\`, \`-7\`         | whole numbers         |
| \`float\` | \`3.14\`, \`0.5\`, \`1e6\`    | numbers with decimals |
| \`str\`   | \`"hello"\`, \`'a'\`       | text                  |
| \`bool\`  | \`True\`, \`False\`         | yes or no             |

\`type(value)\` tells you which one you have.

## Variables

A **variable** is a name that refers to a value. The \`=\` sign *assigns*: it does not mean "equals"
as in mathematics.

\`\`\`python
price = 4.50
quantity = 3
total = price * quantity
print(total)        # 13.5
quantity = quantity + 1
\`\`\`

The last line reads the current value, adds one and stores the result under the same name.

## Converting between types

\`input\` always returns a string, so convert before doing arithmetic:

\`\`\`python
age = int(input("Age? "))
print("Next year you will be", age + 1)
\`\`\`

\`"3" + "4"\` is \`"34"\` (joined text), while \`3 + 4\` is \`7\`. Mixing them, as in \`"3" + 4\`,
raises a \`TypeError\`: Python refuses to guess which one you meant.

## Try it

Write a script that asks for a temperature in Celsius and prints it in Fahrenheit
(\`f = c * 9 / 5 + 32\`).`,
        },
      ],
    },
    {
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
    },
    {
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
    },
    {
      title: 'Project: a word counter',
      releaseOffsetDays: 14,
      lessons: [
        {
          kind: 'text',
          title: 'Building the word counter step by step',
          durationMinutes: 25,
          body: `# Building the word counter step by step

You will write \`wordcount.py\`, which reads a text file and prints its ten most frequent words.

## 1. Read the file

\`\`\`python
with open("book.txt", encoding="utf-8") as f:
    text = f.read()
\`\`\`

Any plain-text book works; Project Gutenberg has thousands.

## 2. Split it into words

\`\`\`python
def words_of(text):
    cleaned = ""
    for ch in text.lower():
        cleaned += ch if ch.isalpha() else " "
    return cleaned.split()
\`\`\`

## 3. Count

A **dictionary** maps each word to how often it appears:

\`\`\`python
def count(words):
    counts = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    return counts
\`\`\`

## 4. Report

\`\`\`python
counts = count(words_of(text))
top = sorted(counts.items(), key=lambda item: item[1], reverse=True)[:10]
for word, n in top:
    print(f"{word:>12} {n}")
\`\`\`

## Going further

- Ignore very common words ("the", "and") with a set of stop words.
- Take the file name from the command line with \`sys.argv\`.
- Compare two books: which words does one use far more than the other?`,
        },
      ],
    },
  ],
}
