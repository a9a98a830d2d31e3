/**
 * Splits extracted text blocks (paragraphs, headings, table rows) into passages for ranking: one to three
 * sentences, at most ~maxPassageChars, never across a paragraph boundary (a passage should be one thought
 * from one place on the page). A short block such as a heading is carried into the next passage, so it
 * keeps its context; a sentence longer than the cap is cut at word boundaries.
 */

export type SplitPassagesOptions = {
  maxPassageChars?: number
  maxSentencesPerPassage?: number
  /** Blocks shorter than this are joined to the following passage (headings, datelines). */
  minPassageChars?: number
  /** Bound on the output, whatever the input. */
  maxPassages?: number
}

export type SplitPassagesReturnType = string[]

// Abbreviations after which a period does not end a sentence (lowercased, without the period).
const abbreviations = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'gen', 'gov', 'sen', 'rep', 'lt', 'col', 'sgt', 'capt', 'rev',
  'inc', 'ltd', 'co', 'corp', 'vs', 'etc', 'no', 'nos', 'fig', 'al', 'approx', 'est', 'dept', 'univ',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'u.s', 'u.k', 'e.g', 'i.e',
])

/** Sentences of one block. A boundary is [.!?…] (plus closing quotes/brackets) then space then a capital, digit or quote. */
function splitSentences(block: string): string[] {
  const sentences: string[] = []
  const boundary = /([.!?…]+["'”’)\]]*)\s+(?=["'“‘(\[]?[\p{Lu}\p{N}])/gu
  let start = 0
  for (const m of block.matchAll(boundary)) {
    const end = (m.index ?? 0) + m[1]!.length
    const before = block.slice(start, end)
    const lastWord = /([\p{L}.]+)\.$/u.exec(before)?.[1]?.toLowerCase()
    // "Mr. Smith", "U.S. officials", "J. R. R. Tolkien": not a boundary.
    if (m[1] === '.' && lastWord !== undefined && (abbreviations.has(lastWord) || /^\p{L}$/u.test(lastWord))) continue
    sentences.push(before.trim())
    start = (m.index ?? 0) + m[0].length
  }
  const rest = block.slice(start).trim()
  if (rest) sentences.push(rest)
  return sentences.filter((s) => s.length > 0)
}

/** Cuts text longer than maxChars at the last space before the cap (or hard, for a space-less run). */
function cutLong(text: string, maxChars: number): string[] {
  const parts: string[] = []
  let rest = text
  while (rest.length > maxChars) {
    let cut = rest.lastIndexOf(' ', maxChars)
    if (cut < maxChars / 2) cut = maxChars
    parts.push(rest.slice(0, cut).trim())
    rest = rest.slice(cut).trim()
  }
  if (rest) parts.push(rest)
  return parts
}

export function splitPassages(blocks: readonly string[], options: SplitPassagesOptions = {}): SplitPassagesReturnType {
  const maxChars = options.maxPassageChars ?? 400
  const maxSentences = options.maxSentencesPerPassage ?? 3
  const minChars = options.minPassageChars ?? 40
  const maxPassages = options.maxPassages ?? 5000
  const passages: string[] = []
  let carry = '' // a short block waiting to prefix the next passage

  for (const raw of blocks) {
    if (passages.length >= maxPassages) break
    const block = raw.replace(/\s+/g, ' ').trim()
    if (!block) continue
    if (block.length < minChars && carry.length + block.length + 1 < maxChars / 2) {
      carry = carry ? `${carry} ${block}` : block
      continue
    }
    let current = carry
    let count = 0
    carry = ''
    const flush = () => {
      if (current && passages.length < maxPassages) passages.push(current)
      current = ''
      count = 0
    }
    for (const sentence of splitSentences(block)) {
      for (const piece of cutLong(sentence, maxChars)) {
        if (current && (count >= maxSentences || current.length + 1 + piece.length > maxChars)) flush()
        current = current ? `${current} ${piece}` : piece
        count++
      }
    }
    flush()
  }
  if (carry && passages.length < maxPassages) passages.push(carry)
  return passages
}
