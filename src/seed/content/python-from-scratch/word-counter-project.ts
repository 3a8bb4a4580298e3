/**
 * Module 4 of Python from Scratch (../python-from-scratch.ts): the word-counter project that
 * closes the course. Drip-released two weeks after enrolment.
 */
import type { ModuleSpec } from '../../learning/spec.ts'

export const WORD_COUNTER_PROJECT: ModuleSpec = {
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
}
