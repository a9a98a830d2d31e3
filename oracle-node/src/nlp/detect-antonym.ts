/**
 * The opposite event, where the trained pair model is weak: it reads "Carlos Alcaraz lost the Wimbledon final to
 * Jannik Sinner" as support (P(entailment) 0.74) for "Carlos Alcaraz won the Wimbledon final", and "Apple shares fell
 * 3% on Monday" as support for "Apple shares rose on Monday": the sentences share every word but one, and its
 * training pairs seldom turn on an antonym.
 *
 * A passage states the opposite of a claim when the claim has a word of one side of OPPOSITES ("won", "rose",
 * "profit", "acquitted") and a sentence of the passage has a word of the other side ("lost", "fell", "loss",
 * "convicted"), said of the same subject and object:
 * - the subject: the claim's words before its event word are the passage's words right before the opposite one, in
 *   order, with only auxiliaries, determiners and a few adverbs between, and no other content word before them
 *   ("Carlos Alcaraz lost"; not "Samsung shares fell", "the incumbent's challenger won", "an early drop", "Chinese
 *   stocks fell" for "stocks rose");
 * - the object: the claim's words after its event word start the words after the passage's, in order, with only
 *   prepositions, determiners, amounts and -ly adverbs between, none a possessive and no noun after the last
 *   (objectAfter: "lost the Wimbledon final to Sinner"; not "lost his temper in the Wimbledon final");
 * - a statement of the event itself: no negation anywhere before it in its clause ("did not lose", "nobody
 *   expects ... to cut"), no "if", "whether", "that" ("reports that Apple lost ...") before the subject, not a
 *   subordinate clause ("a year after Alcaraz lost"), no year the claim lacks, "ago", "last year" or pluperfect
 *   "had", no reversal or part of the day after it in the sentence ("but", "before rebounding", "early",
 *   "premarket", "after-hours", "the opener of a doubleheader"), not of a part ("a loss ... at its streaming unit"),
 *   no question, and no word of the claim's own side anywhere in the passage ("won the semi-final but lost the
 *   final", "rose on Friday; on Thursday, fell", "not guilty of murder ... convicted of possession").
 * The sides are hand-written for the events markets ask about (a result, a price move, a rate decision, earnings, a
 * verdict; not a state that lasts, such as open / closed or continuing / ended, which a passage may report of an
 * earlier stretch): the WordNet antonyms the logistic judge reads as a feature are too loose for a
 * rule that overrides the models (they pair "abandon" with "inhabit").
 * judge-text.ts reads a hit as a refutation, like a denial or another number.
 */
import { crudeStem } from './crude-stem.ts'
import { tokenizeWords } from './tokenize-words.ts'

const MAX_TOKENS = 400

/** Past forms that a suffix strip does not bring to their verb. */
const IRREGULAR = new Map<string, string>([
  ['won', 'win'], ['wins', 'win'], ['winning', 'win'], ['lost', 'lose'], ['loses', 'lose'], ['losing', 'lose'], ['rose', 'rise'], ['risen', 'rise'], ['rising', 'rise'],
  ['fell', 'fall'], ['fallen', 'fall'], ['falling', 'fall'], ['sank', 'sink'], ['sunk', 'sink'], ['shrank', 'shrink'], ['shrunk', 'shrink'], ['grew', 'grow'], ['grown', 'grow'],
  ['slid', 'slide'], ['beaten', 'beat'], ['beats', 'beat'], ['shut', 'shut'], ['slumped', 'slump'], ['jumped', 'jump'],
])

/** Words whose suffix strip would meet another word's: "loss" is not "lose". */
const FIXED = new Map<string, string>([['loss', 'loss#'], ['losses', 'loss#']])

function key(lower: string): string {
  return FIXED.get(lower) ?? crudeStem(IRREGULAR.get(lower) ?? lower)
}

/** [one side, the other side]: a word of one in the claim and of the other in the passage is the opposite event. */
const OPPOSITES: readonly (readonly [ReadonlySet<string>, ReadonlySet<string>])[] = [
  [['win', 'won'], ['lose', 'lost']],
  [['rise', 'gain', 'climb', 'jump', 'surge', 'rally', 'soar', 'increase', 'grow'], ['fall', 'drop', 'decline', 'slide', 'slump', 'tumble', 'plunge', 'sink', 'shrink', 'decrease', 'lose']],
  [['raise', 'hike', 'increase'], ['cut', 'lower']],
  [['profit', 'surplus', 'earn', 'income'], ['loss', 'deficit']],
  // "not guilty" is read as one word, "innocent" (words()).
  [['acquit', 'acquitted', 'innocent'], ['convict', 'convicted', 'guilty']],
].map(([a, b]) => [new Set(a!.map(key)), new Set(b!.map(key))] as const)

/**
 * Recorded in judge-model.json (`opposites`): a node with another rule signs another modelHash. The examples are
 * checked against the code by the test.
 */
export const OPPOSITES_RULE = {
  rule: 'oracle-node/src/nlp/detect-antonym.ts',
  since: '2026-12-05',
  what: "the opposite event about the same thing is a refutation: a claim word of one side of a hand-written pair (win/lose, rise/fall, raise/cut, profit/loss, acquit/convict with not guilty/guilty) and a passage word of the other, the claim's subject words right before it, its object words starting the words after it (not of a part: 'at its unit'), stated as an event (no negation, report, question, condition, subordinate clause, other year, earlier time, reversal, part of the day or game of a doubleheader), no word of the claim's side anywhere in the passage. Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
  examples: [
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz lost the Wimbledon final to Jannik Sinner in four sets.', true],
    ['Apple shares rose on Monday', 'Apple shares fell 3% on Monday after the company cut its forecast.', true],
    ['the company reported a profit in the third quarter', 'The company reported a loss of 40 million dollars in the third quarter.', true],
    ['Apple shares rose on Monday', 'Microsoft shares fell on Monday, while Apple shares rose 2%.', false],
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz won the semi-final but lost the Wimbledon final.', false],
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz did not lose the Wimbledon final.', false],
  ],
} as const

const NEGATORS = new Set(['not', 'never', 'no', "n't", 'nt', 'without', 'cannot', 'nobody', 'none', 'nor', 'neither', 'unlikely', 'avoided', 'avoid', 'avoids', 'ruled'])
const CLAUSE_BREAKS = new Set([',', ';', ':', '.', '!', '?', 'while', 'but', 'whereas', 'although', 'though', 'yet', 'unlike', 'as', 'after', 'before', 'when', 'since', 'because'])
/** May stand between the subject and the event word. */
const GLUE = new Set(['the', 'a', 'an', 'has', 'have', 'was', 'were', 'is', 'are', 'be', 'been', 'did', 'does', 'do', 'also', 'reportedly', 'officially', 'finally', 'remained', 'remains', 'stayed', 'stays', 'still'])
const SUBORDINATORS = new Set(['after', 'before', 'since', 'when', 'as', 'because', 'while', 'although', 'though', 'whereas', 'unlike'])
/** Before the subject, these make what follows a report, a question or a condition. */
const HEARSAY = new Set(['if', 'whether', 'unless', 'that', 'should'])
/** In the sentence, these put the opposite event at another time than the claim's. */
const ANOTHER_TIME = new Set(['ago', 'had', 'avenged', 'overturned', 'previous', 'previously', 'earlier'])
const YEAR = /^(?:1[89]|20)\d\d$/
const STOP = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'at', 'for', 'and', 'or', 'by', 'with', 'from', 'its', 'it', 'his', 'her', 'their', 'this', 'that', 'be', 'is', 'are', 'was', 'were', 'been', 'has', 'have', 'had', 'will', 'would', 'did', 'does', 'do', 'as', 'than', 'about', 'after', 'before', 'over', 'under', 'more', 'less', 'some', 'any'])

const isContent = (w: string) => w.length > 1 && /\p{L}|\p{Nd}/u.test(w) && !STOP.has(w)

/** Skipped between the passage's word and the claim's object: prepositions, determiners, amounts. */
const OBJECT_SKIP = new Set(['the', 'a', 'an', 'in', 'on', 'at', 'of', 'for', 'to', 'by', 'from', 'with', '%', '$', '€', '£', 'percent', 'million', 'billion', 'thousand', 'trillion', 'dollars', 'euros', 'pounds', 'cents', 'points', 'per', 'cent'])

/**
 * The claim's object words start the words after the passage's word at `j`, in order, with only OBJECT_SKIP words,
 * numbers and -ly adverbs between; none is a possessive ("Smith's driver"), and no content word follows the last
 * one ("the Senate seat"). "lost the Wimbledon final to Sinner", "fell 3% on Monday", "a loss of 40 million dollars
 * in the third quarter" match; "lost just one set at Wimbledon", "lost the coin toss in the AFC Championship" do not.
 */
function objectAfter(tokens: readonly string[], j: number, object: readonly string[]): boolean {
  let k = j + 1
  const skippable = (w: string) => OBJECT_SKIP.has(w) || /^\p{Nd}/u.test(w) || /ly$/.test(w)
  for (const word of object) {
    while (k < tokens.length && skippable(tokens[k]!) && key(tokens[k]!) !== word) k++
    if (k >= tokens.length || key(tokens[k]!) !== word || POSSESSIVE_MARKS.has(tokens[k + 1] ?? '')) return false
    // "on Mondays" is a habit, not the claim's Monday.
    if (DAYS.has(word) && tokens[k] !== word) return false
    k++
  }
  // "a loss in the second quarter at its streaming unit": a part of the subject, not the subject.
  const rest = tokens.slice(k, k + 5)
  const end = rest.findIndex((w) => CLAUSE_BREAKS.has(w))
  if ((end < 0 ? rest : rest.slice(0, end)).some((w) => w === 'its' || w === 'their')) return false
  const next = tokens[k]
  return object.length === 0 || next === undefined || !isContent(next) || OBJECT_SKIP.has(next) || CLAUSE_BREAKS.has(next) || FUNCTION_AFTER.has(next)
}

const DAYS = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])
/** "Smith's driver", "Monday's record": the tokenizer splits the mark off. */
const POSSESSIVE_MARKS = new Set(["'", "'s", '’'])

/** May follow the claim's object in the passage: prepositions and conjunctions, not another noun. */
const FUNCTION_AFTER = new Set(['to', 'in', 'on', 'at', 'by', 'after', 'before', 'with', 'from', 'for', 'and', 'or', 'than', 'over', 'amid', 'despite', 'during', 'since', 'following', 'all', 'this', 'that', 'again', 'now', 'so', 'today', 'yesterday', 'tomorrow', 'last', 'next', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])

/** True when a sentence of the passage states the opposite of the claim's event about the same thing. */
export function detectAntonym(claim: string, passage: string): boolean {
  const c = words(claim, 64)
  if (c.some((w) => NEGATORS.has(w))) return false
  const p = words(passage, MAX_TOKENS)
  for (let i = 0; i < c.length; i++) {
    const word = key(c[i]!)
    for (const [one, other] of OPPOSITES) {
      for (const [mine, theirs] of [[one, other], [other, one]] as const) {
        if (!mine.has(word)) continue
        const subject = c.slice(0, i).filter((w) => isContent(w) && !GLUE.has(w)).map(key)
        // Every word after the event word but function words and punctuation ("q" and "3" of "Q3" too).
        const object = c.slice(i + 1).filter((w) => /\p{L}|\p{Nd}/u.test(w) && !STOP.has(w)).map(key)
        if (subject.length === 0) continue
        for (let j = 0; j < p.length; j++) {
          if (!theirs.has(key(p[j]!))) continue
          const start = subjectBefore(p, j, subject)
          if (start < 0) continue
          if (!objectAfter(p, j, object)) continue
          if (!statesTheEvent(p, start, j, c)) continue
          // The claim's own side anywhere in the passage ("rose 1.2% on Friday; on Thursday, fell"): it says both, and
          // this rule does not choose. Nor does it read a question ("Fact check: the Chiefs lost Super Bowl LIX?").
          if (p.some((w) => mine.has(key(w)))) continue
          if (endsInQuestion(p, j)) continue
          return true
        }
      }
    }
  }
  return false
}

/** Lower-case words, curly apostrophes straightened and "n't" split off. */
function words(text: string, max: number): string[] {
  return tokenizeWords(text.replace(/[’‘]/g, "'").replace(/\bnot guilty\b/gi, 'innocent').replace(/n't\b/g, ' not'), max)
}

/**
 * Where the claim's subject words stand right before the passage's word at `j` (only GLUE between, and between
 * them determiners and possessives), or −1.
 */
function subjectBefore(tokens: readonly string[], j: number, subject: readonly string[]): number {
  let k = j - 1
  while (k >= 0 && GLUE.has(tokens[k]!)) k--
  for (let s = subject.length - 1; s >= 0; s--) {
    while (s < subject.length - 1 && k >= 0 && (tokens[k] === 'the' || tokens[k] === "'s" || tokens[k] === "'")) k--
    if (k < 0 || key(tokens[k]!) !== subject[s]) return -1
    k--
  }
  // "Chinese stocks fell", "Brent oil prices fell": a longer subject is another one.
  if (k >= 0 && isContent(tokens[k]!) && !CLAUSE_BREAKS.has(tokens[k]!) && !SUBORDINATORS.has(tokens[k]!) && !HEARSAY.has(tokens[k]!)) return -1
  return k + 1
}

/** No negation in the clause before it, no report or condition before the subject, no other time in the sentence. */
function statesTheEvent(tokens: readonly string[], start: number, j: number, claim: readonly string[]): boolean {
  let k = j - 1
  while (k >= 0 && !CLAUSE_BREAKS.has(tokens[k]!)) {
    if (NEGATORS.has(tokens[k]!) || (k < start && HEARSAY.has(tokens[k]!))) return false
    k--
  }
  // A subordinate clause ("a year after Alcaraz lost the final", "as Samsung shares fell") states no event of its own.
  if (k >= 0 && SUBORDINATORS.has(tokens[k]!)) return false
  const sentence = sentenceOf(tokens, j)
  const claimWords = new Set(claim)
  if (sentence.some((w, n) => ANOTHER_TIME.has(w) || (YEAR.test(w) && !claimWords.has(w)) || (w === 'last' && /^(?:year|season|month|week|time)$/.test(sentence[n + 1] ?? '')))) return false
  const after = tokens.slice(j + 1)
  const end = after.findIndex((w) => /^[.!?;]$/.test(w))
  return !(end < 0 ? after : after.slice(0, end)).some((w) => REVERSALS.has(w))
}

/**
 * After the event word in its sentence, these turn it around or make it a part of the day: "fell 4% early Monday
 * before rebounding", "lost some momentum, still ending up 1%", "fell in premarket trading".
 */
const REVERSALS = new Set(['but', 'before', 'then', 'first', 'only', 'hours', 'postmarket', 'opener', 'nightcap', 'doubleheader', 'yet', 'still', 'later', 'rebounded', 'rebounding', 'recovered', 'recovering', 'rallied', 'rallying', 'premarket', 'extended', 'after-hours', 'intraday', 'early', 'open', 'opening'])

function endsInQuestion(tokens: readonly string[], j: number): boolean {
  let end = j
  while (end < tokens.length && !/^[.!?;]$/.test(tokens[end]!)) end++
  return tokens[end] === '?'
}

function sentenceOf(tokens: readonly string[], j: number): string[] {
  let start = j
  while (start > 0 && !/^[.!?;]$/.test(tokens[start - 1]!)) start--
  let end = j
  while (end < tokens.length && !/^[.!?;]$/.test(tokens[end]!)) end++
  return tokens.slice(start, end)
}
