/**
 * Module 1 of Python from Scratch (../python-from-scratch.ts), open on enrolment: what a
 * program is, running Python, values, variables and types.
 */
import type { ModuleSpec } from '../../learning/spec.ts'

export const GETTING_STARTED: ModuleSpec = {
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
}
