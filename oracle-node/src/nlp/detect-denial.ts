/**
 * Explicit negation, where the trained pair model is weak: it reads "the board will not raise fares" as
 * support for "the board raised fares" (a word-overlap habit learned from training pairs where a negation
 * seldom flips the label). A passage denies a claim when a negator ("not", "never", "no", "n't") or a verb of
 * refusal ("rejected", "refused", "denied", "cancelled", ...) is followed closely by one of the claim's own
 * content words, and the claim itself is not negated. judge-text.ts then reads the pair's entailment as
 * contradiction. Another number or year is detect-number-conflict.ts's job.
 */
import { crudeStem as stem } from './crude-stem.ts'
import { tokenizeWords } from './tokenize-words.ts'

/**
 * Recorded in judge-model.json (`denials`): a node with another rule signs another modelHash. The examples are
 * checked against the code by the test.
 */
export const DENIAL_RULE = {
  rule: 'oracle-node/src/nlp/detect-denial.ts',
  since: '2026-12-05',
  what: "a negator (not, never, no, n't, ...) within 3 words, or a verb of refusal (rejected, cancelled, failed, scrubbed, ...) within 6, before one of the claim's content words, in a claim with no negation and no stated lack, unless the word comes back affirmed later in the sentence; 'without' negates only the noun after it; not 'not only', an interjection 'No,', a double negative ('never failed to'), a question, or a refusal the claim itself states. Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
  examples: [
    ['the Gull Island Lighthouse Museum reopened to visitors in March 2025', 'The Gull Island Lighthouse Museum did not reopen to visitors in March as planned.', true],
    ['SpaceX launched Starship on Thursday', 'SpaceX scrubbed the Starship launch on Thursday because of high winds.', true],
    ['the museum reopened in 2025', 'Despite fears it would never reopen, the museum reopened in 2025.', false],
  ],
} as const

const NEGATORS = new Set(['not', 'never', 'no', 'nor', 'neither', 'without', 'cannot', "n't", 'nt'])
const REFUSALS = new Set(['rejected', 'rejects', 'refused', 'refuses', 'denied', 'denies', 'declined', 'declines', 'cancelled', 'canceled', 'scrapped', 'abandoned', 'postponed', 'halted', 'failed', 'fails', 'vetoed', 'blocked', 'scrubbed', 'aborted'])
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'by', 'with', 'from', 'its', 'it', 'his', 'her', 'their', 'this', 'that', 'be', 'is', 'are', 'was', 'were', 'been', 'has', 'have', 'had', 'will', 'would', 'did', 'does', 'do', 'any', 'as', 'than'])
const NEGATOR_WINDOW = 3
const REFUSAL_WINDOW = 6


/** Negates the noun right after it ("a man without a shirt walking"), not what follows that noun. */
const NOUN_NEGATORS = new Set(['without'])
/** Verbs that a negation turns into an affirmation: "never failed to", "don't forget to", "did not hesitate to". */
const DOUBLE_NEGATIVES = new Set(['fail', 'failed', 'fails', 'forget', 'forgot', 'hesitate', 'hesitated', 'cease', 'ceased'])
/** A claim with one of these states a non-event itself ("a lack of mutual attraction"): not the rule's to deny. */
const NEGATIVE_CLAIM = new Set(['lack', 'lacks', 'lacked', 'lacking', 'absence', 'unknown', 'unable', 'nobody', 'none', 'nothing'])

/** True when the passage denies something the (un-negated) claim asserts. */
export function detectDenial(claim: string, passage: string): boolean {
  const claimTokens = tokenizeWords(claim.replace(/[’‘]/g, "'").replace(/n't\b/g, ' not'), 64)
  if (claimTokens.some((t) => NEGATORS.has(t) || NEGATIVE_CLAIM.has(t))) return false
  const content = new Set(claimTokens.filter((t) => t.length > 2 && !STOP.has(t) && /\p{L}/u.test(t)).map(stem))
  if (content.size === 0) return false
  const tokens = tokenizeWords(passage.replace(/[’‘]/g, "'").replace(/n't\b/g, ' not'), 400)
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    // A refusal the claim itself states ("Bin Laden declined") denies nothing of it.
    // Nor does a negated refusal ("never failed to", "was not rejected").
    const refusal = REFUSALS.has(t) && !content.has(stem(t)) && !tokens.slice(Math.max(0, i - 2), i).some((w) => NEGATORS.has(w))
    let window = NEGATORS.has(t) ? NEGATOR_WINDOW : refusal ? REFUSAL_WINDOW : 0
    if (window === 0 || !statesADenial(tokens, i)) continue
    if (NOUN_NEGATORS.has(t)) window = firstContent(tokens, i) - i
    for (let k = i + 1; k <= i + window && k < tokens.length; k++) {
      if (/^[.;!?]$/.test(tokens[k]!)) break
      if (content.has(stem(tokens[k]!)) && !affirmedLater(tokens, k)) return true
    }
  }
  return false
}

/**
 * Whether the negator or refusal at `i` denies: not "not only", not an interjection ("No, you must ..."), not a
 * double negative ("never failed to"), not in a question ("Won't you join us ...?").
 */
function statesADenial(tokens: readonly string[], i: number): boolean {
  const next = tokens[i + 1] ?? ''
  if (next === 'only' || (tokens[i] === 'no' && next === ',') || DOUBLE_NEGATIVES.has(next)) return false
  let end = i
  while (end < tokens.length && !/^[.;!?]$/.test(tokens[end]!)) end++
  return tokens[end] !== '?'
}

/** The index of the first content word after `i` (past "a", "the", ...), or `i` + NEGATOR_WINDOW. */
function firstContent(tokens: readonly string[], i: number): number {
  for (let k = i + 1; k <= i + NEGATOR_WINDOW && k < tokens.length; k++) if (!STOP.has(tokens[k]!)) return k
  return i + NEGATOR_WINDOW
}

/**
 * True when the word at `k` comes back later in the same sentence with no negator or refusal just before it:
 * "Despite fears it would never reopen, the museum reopened in 2025" affirms what it first seemed to deny.
 */
function affirmedLater(tokens: readonly string[], k: number): boolean {
  const word = stem(tokens[k]!)
  for (let j = k + 1; j < tokens.length; j++) {
    if (/^[.;!?]$/.test(tokens[j]!)) return false
    if (stem(tokens[j]!) !== word) continue
    const before = tokens.slice(Math.max(0, j - NEGATOR_WINDOW), j)
    if (!before.some((t) => NEGATORS.has(t) || REFUSALS.has(t))) return true
  }
  return false
}
