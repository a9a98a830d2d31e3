/**
 * The opposite event, where the trained pair model is weak: it reads "Carlos Alcaraz lost the Wimbledon final to
 * Jannik Sinner" as support (P(entailment) 0.74) for "Carlos Alcaraz won the Wimbledon final", and "Apple shares fell
 * 3% on Monday" as support for "Apple shares rose on Monday": the sentences share every word but one, and its
 * training pairs seldom turn on an antonym.
 *
 * A passage states the opposite of a claim when the claim has a word of one side of OPPOSITES ("won", "rose",
 * "profit", "acquitted") and a sentence of the passage has a word of the other side ("lost", "fell", "loss",
 * "convicted"), with:
 * - the same thing around it: every content word of the claim before its word is among the WINDOW words before the
 *   passage's, and every one after it among the WINDOW words after, with no clause break between ("Microsoft shares
 *   fell, while Apple shares rose" says nothing against "Apple shares rose");
 * - no word of the claim's side in that sentence ("won the semi-final but lost the final" is not read), no negation
 *   just before the passage's word ("did not lose") and none in the claim.
 * The sides are hand-written for the events markets ask about (a result, a price move, a rate decision, earnings, a
 * verdict, an opening, a strike): the WordNet antonyms the logistic judge reads as a feature are too loose for a
 * rule that overrides the models (they pair "abandon" with "inhabit").
 * judge-text.ts reads a hit as a refutation, like a denial or another number.
 */
import { crudeStem } from './crude-stem.ts'
import { tokenizeWords } from './tokenize-words.ts'

const WINDOW = 10
const MAX_TOKENS = 400

/** Past forms that a suffix strip does not bring to their verb. */
const IRREGULAR = new Map<string, string>([
  ['won', 'win'], ['wins', 'win'], ['winning', 'win'], ['lost', 'lose'], ['loses', 'lose'], ['losing', 'lose'], ['rose', 'rise'], ['risen', 'rise'], ['rising', 'rise'],
  ['fell', 'fall'], ['fallen', 'fall'], ['falling', 'fall'], ['sank', 'sink'], ['sunk', 'sink'], ['shrank', 'shrink'], ['shrunk', 'shrink'], ['grew', 'grow'], ['grown', 'grow'],
  ['slid', 'slide'], ['beaten', 'beat'], ['beats', 'beat'], ['shut', 'shut'], ['slumped', 'slump'], ['jumped', 'jump'],
])

function key(lower: string): string {
  return crudeStem(IRREGULAR.get(lower) ?? lower)
}

/** [one side, the other side]: a word of one in the claim and of the other in the passage is the opposite event. */
const OPPOSITES: readonly (readonly [ReadonlySet<string>, ReadonlySet<string>])[] = [
  [['win', 'won'], ['lose', 'lost']],
  [['rise', 'gain', 'climb', 'jump', 'surge', 'rally', 'soar', 'increase', 'grow'], ['fall', 'drop', 'decline', 'slide', 'slump', 'tumble', 'plunge', 'sink', 'shrink', 'decrease']],
  [['raise', 'hike'], ['cut', 'lower']],
  [['profit', 'surplus'], ['loss', 'deficit']],
  [['acquit', 'acquitted'], ['convict', 'convicted']],
  [['innocent'], ['guilty']],
  [['open', 'reopen'], ['close', 'closed', 'shut']],
  [['end', 'ended'], ['continue', 'continued']],
  [['qualify', 'qualified'], ['eliminate', 'eliminated']],
].map(([a, b]) => [new Set(a!.map(key)), new Set(b!.map(key))] as const)

/**
 * Recorded in judge-model.json (`opposites`): a node with another rule signs another modelHash. The examples are
 * checked against the code by the test.
 */
export const OPPOSITES_RULE = {
  rule: 'oracle-node/src/nlp/detect-antonym.ts',
  since: '2026-12-05',
  what: "the opposite event about the same thing is a refutation: a claim word of one side of a hand-written pair (win/lose, rise/fall, raise/cut, profit/loss, acquit/convict, innocent/guilty, open/close, end/continue, qualify/eliminate) and a passage word of the other, with the claim's other words around it in the same clause, no word of the claim's side in that sentence, no negation. Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
  examples: [
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz lost the Wimbledon final to Jannik Sinner in four sets.', true],
    ['Apple shares rose on Monday', 'Apple shares fell 3% on Monday after the company cut its forecast.', true],
    ['the museum reopened to visitors', 'The museum remained closed to visitors all spring.', true],
    ['Apple shares rose on Monday', 'Microsoft shares fell on Monday, while Apple shares rose 2%.', false],
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz won the semi-final but lost the Wimbledon final.', false],
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz did not lose the Wimbledon final.', false],
  ],
} as const

const NEGATORS = new Set(['not', 'never', 'no', "n't", 'nt', 'without', 'cannot'])
const CLAUSE_BREAKS = new Set([',', ';', ':', '.', '!', '?', 'while', 'but', 'whereas', 'although', 'though', 'yet', 'unlike'])
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'by', 'with', 'from', 'its', 'it', 'his', 'her', 'their', 'this', 'that', 'be', 'is', 'are', 'was', 'were', 'been', 'has', 'have', 'had', 'will', 'would', 'did', 'does', 'do', 'as', 'than', 'about', 'after', 'before', 'over', 'under', 'more', 'less', 'some', 'any'])

const isContent = (w: string) => w.length > 1 && /\p{L}|\p{Nd}/u.test(w) && !STOP.has(w)

/** The words of `tokens` from `from` stepping by `step`, up to WINDOW of them, stopping at a clause break. */
function clause(tokens: readonly string[], from: number, step: 1 | -1): Set<string> {
  const out = new Set<string>()
  for (let k = from, n = 0; k >= 0 && k < tokens.length && n < WINDOW; k += step, n++) {
    if (CLAUSE_BREAKS.has(tokens[k]!)) break
    out.add(key(tokens[k]!))
  }
  return out
}

/** True when a sentence of the passage states the opposite of the claim's event about the same thing. */
export function detectAntonym(claim: string, passage: string): boolean {
  const c = tokenizeWords(claim.replace(/n't\b/g, ' not'), 64)
  if (c.some((w) => NEGATORS.has(w))) return false
  const p = tokenizeWords(passage.replace(/n't\b/g, ' not'), MAX_TOKENS)
  for (let i = 0; i < c.length; i++) {
    const word = key(c[i]!)
    for (const [one, other] of OPPOSITES) {
      for (const [mine, theirs] of [[one, other], [other, one]] as const) {
        if (!mine.has(word)) continue
        const before = c.slice(0, i).filter(isContent).map(key)
        const after = c.slice(i + 1).filter(isContent).map(key)
        if (before.length + after.length === 0) continue
        for (let j = 0; j < p.length; j++) {
          if (!theirs.has(key(p[j]!))) continue
          if (p.slice(Math.max(0, j - 3), j).some((w) => NEGATORS.has(w))) continue
          const left = clause(p, j - 1, -1)
          const right = clause(p, j + 1, 1)
          if (!before.every((w) => left.has(w)) || !after.every((w) => right.has(w))) continue
          // The claim's own side anywhere in the sentence: the passage says both, and this rule does not choose.
          if (sentenceOf(p, j).some((w) => mine.has(key(w)))) continue
          return true
        }
      }
    }
  }
  return false
}

function sentenceOf(tokens: readonly string[], j: number): string[] {
  let start = j
  while (start > 0 && !/^[.!?;]$/.test(tokens[start - 1]!)) start--
  let end = j
  while (end < tokens.length && !/^[.!?;]$/.test(tokens[end]!)) end++
  return tokens.slice(start, end)
}
