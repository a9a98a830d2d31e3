/**
 * Features of a (claim, evidence) pair for the text judge: how relevant the evidence is, and cues of whether
 * it supports or refutes the claim. There are no NLI weights on our machines (shared/models/README.md), so
 * the judge is a small logistic model over these cues, trained by judge-lab/src/train-judge.ts:
 * - sentence-embedding cosine (USE-lite) and lexical overlap (stems, bigrams, capitalised names, numbers);
 * - numbers and years in the claim that the evidence does not contain while it contains others
 *   ("born in 1968" vs "born 1948"; "the fifties" vs "1947");
 * - negation parity (a "not" on one side only), exclusive words ("only", "never", "exclusively");
 * - WordNet antonyms across the pair (win/lose, above/below), from the lexicon the training script builds;
 * - substitutions: a claim word missing from the evidence whose nearest evidence word (by word embedding)
 *   is a close sibling ("Canberra" where the evidence says "Darwin", "German" for "American").
 * Every feature is a pure function of the two texts, the lexicon and the word vectors given.
 */
import { stemmer } from 'stemmer'
import { dot } from '../nlp/dot.ts'

export const PAIR_FEATURE_NAMES = [
  'cosine',
  'contentOverlap',
  'bigramOverlap',
  'evidenceCoverage',
  'unmatchedContentLog',
  'unmatchedNameCount',
  'unmatchedNameWithOtherNames',
  'claimNumberUnmatched',
  'claimNumberMatched',
  'numberConflict',
  'negationClaim',
  'negationEvidence',
  'negationMismatch',
  'exclusiveClaim',
  'antonymAcross',
  'antonymClaimOnly',
  'substitutionMax',
  'substitutionNameOrNumber',
  'hedgeEvidence',
  'claimLengthLog',
  'evidenceLengthLog',
] as const

export type PairFeatureName = (typeof PAIR_FEATURE_NAMES)[number]

export type Lexicon = {
  /** stem -> stems of its WordNet antonyms (direct, and adjective satellites through their head). */
  antonyms: ReadonlyMap<string, ReadonlySet<string>>
}

export type ExtractPairFeaturesParameters = {
  claim: string
  evidence: string
  /** L2-normalised sentence vectors of claim and evidence. */
  claimVector: Float32Array
  evidenceVector: Float32Array
  lexicon: Lexicon
  /** L2-normalised vectors of single lower-case words (see `wordsToEmbed`); missing words are skipped. */
  wordVectors: ReadonlyMap<string, Float32Array>
}

export type ExtractPairFeaturesReturnType = number[]

type Token = { lower: string; stem: string; name: boolean; number: string | undefined; content: boolean }

const STOPWORDS = new Set(
  `a an the and or but if of at by for with about against between into through during before after above below to from up down in out on off over under
  again further then once here there when where why how all any both each few more most other some such own same so than too very can will just should now
  is are was were be been being have has had having do does did doing i me my we our you your he him his she her it its they them their what which who whom
  this that these those am as until while also would could may might must shall one s t d ll m o re ve y ain its it's 's`.split(/\s+/),
)
// Words that turn a statement around.
const NEGATIONS = new Set(['not', "n't", 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'without', 'cannot', 'zero', 'refused', 'refuses', 'refuse', 'failed', 'fails', 'fail', 'denied', 'denies', 'lacks', 'lack', 'lacked', 'absent', 'unable', 'nowhere', 'other'])
const EXCLUSIVE = new Set(['only', 'exclusively', 'solely', 'never', 'always', 'all', 'every', 'entirely', 'completely', 'none', 'sole', 'just', 'any', 'ever', 'first', 'last', 'most', 'least', 'largest', 'smallest', 'biggest', 'best', 'worst'])
const HEDGES = new Set(['may', 'might', 'could', 'reportedly', 'allegedly', 'rumored', 'rumoured', 'possibly', 'likely', 'unlikely', 'expected', 'plans', 'planned', 'would', 'if', 'whether', 'proposed', 'considering'])
const NUMBER_WORDS: Record<string, string> = {
  one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10', eleven: '11', twelve: '12',
  thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19', twenty: '20', thirty: '30',
  forty: '40', fifty: '50', sixty: '60', seventy: '70', eighty: '80', ninety: '90', hundred: '100', dozen: '12', single: '1', twice: '2', once: '1',
}
// Irregular forms the Porter stemmer leaves apart ("won" / "win"), so overlap and antonyms see one verb.
const IRREGULAR: Record<string, string> = {
  won: 'win', lost: 'lose', beat: 'beat', beaten: 'beat', fell: 'fall', fallen: 'fall', rose: 'rise', risen: 'rise', was: 'be', were: 'be',
  been: 'be', went: 'go', gone: 'go', gave: 'give', given: 'give', took: 'take', taken: 'take', made: 'make', came: 'come', became: 'become',
  began: 'begin', begun: 'begin', wrote: 'write', written: 'write', bought: 'buy', sold: 'sell', held: 'hold', left: 'leave', led: 'lead',
  met: 'meet', paid: 'pay', ran: 'run', said: 'say', saw: 'see', seen: 'see', sent: 'send', spent: 'spend', stood: 'stand', told: 'tell',
  thought: 'think', found: 'find', got: 'get', gotten: 'get', grew: 'grow', grown: 'grow', knew: 'know', known: 'know', drew: 'draw',
  drawn: 'draw', chose: 'choose', chosen: 'choose', born: 'bear', bore: 'bear', died: 'die', hit: 'hit', struck: 'strike', shot: 'shoot',
  fought: 'fight', caught: 'catch', brought: 'bring', built: 'build', kept: 'keep', sank: 'sink', sunk: 'sink', broke: 'break', broken: 'break',
  spoke: 'speak', spoken: 'speak', threw: 'throw', thrown: 'throw', flew: 'fly', flown: 'fly', drove: 'drive', driven: 'drive', ate: 'eat',
  eaten: 'eat', "won't": 'will', better: 'good', best: 'good', worse: 'bad', worst: 'bad', higher: 'high', lower: 'low',
}
const DECADE_WORDS: Record<string, string> = { twenties: '2', thirties: '3', forties: '4', fifties: '5', sixties: '6', seventies: '7', eighties: '8', nineties: '9' }

/** Undo FEVER/PTB tokenisation and odd quotes, so both datasets and web text read alike. */
export function cleanText(text: string): string {
  return text
    .replace(/-LRB-/g, '(')
    .replace(/-RRB-/g, ')')
    .replace(/-LSB-/g, '[')
    .replace(/-RSB-/g, ']')
    .replace(/``|''/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
}

const WORD = /[A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*(?:s\b)?|n't/g

export function tokenize(text: string): Token[] {
  const clean = cleanText(text)
  const tokens: Token[] = []
  for (const m of clean.matchAll(WORD)) {
    const raw = m[0]
    const lower = raw.toLowerCase()
    // A capital at the start of a sentence says nothing about a name.
    const sentenceStart = m.index === 0 || /[.!?:]["')\]]?\s+$/.test(clean.slice(Math.max(0, m.index - 4), m.index))
    const isDigit = /^\d/.test(raw)
    let number: string | undefined
    if (isDigit) number = raw.replace(/,(?=\d{3}\b)/g, '').replace(/s$/, '')
    else if (NUMBER_WORDS[lower]) number = NUMBER_WORDS[lower]
    else if (DECADE_WORDS[lower]) number = `19${DECADE_WORDS[lower]}0s`
    if (isDigit && /^\d{4}s$/.test(raw)) number = `${raw.slice(0, 3)}0s`
    const name = !isDigit && /^[A-Z]/.test(raw) && !sentenceStart && !STOPWORDS.has(lower)
    const stem = isDigit ? number! : stemWord(lower)
    tokens.push({ lower, stem, name, number, content: !STOPWORDS.has(lower) && !NEGATIONS.has(lower) && lower.length > 1 })
  }
  return tokens
}

/** The stem used for matching: irregular forms mapped to their base, then Porter. */
export function stemWord(lower: string): string {
  const base = lower.replace(/['’]s$/, '')
  return stemmer(IRREGULAR[base] ?? base)
}

/** Lower-case content words of the claim missing from the evidence, and evidence words not in the claim. */
export function wordsToEmbed(claim: string, evidence: string): string[] {
  const c = tokenize(claim)
  const e = tokenize(evidence)
  const eStems = new Set(e.map((t) => t.stem))
  const cStems = new Set(c.map((t) => t.stem))
  const words = new Set<string>()
  for (const t of c) if (t.content && !eStems.has(t.stem)) words.add(t.lower)
  if (words.size > 0) for (const t of e) if (t.content && !cStems.has(t.stem)) words.add(t.lower)
  return [...words]
}

/** The features of one pair, in PAIR_FEATURE_NAMES order. */
export function extractPairFeatures(parameters: ExtractPairFeaturesParameters): ExtractPairFeaturesReturnType {
  const { claim, evidence, claimVector, evidenceVector, lexicon, wordVectors } = parameters
  const c = tokenize(claim)
  const e = tokenize(evidence)
  const eStems = new Set(e.map((t) => t.stem))
  const cStems = new Set(c.map((t) => t.stem))
  const cContent = c.filter((t) => t.content)
  const eContent = e.filter((t) => t.content)
  const matched = cContent.filter((t) => eStems.has(t.stem))
  const unmatched = cContent.filter((t) => !eStems.has(t.stem))

  const bigrams = (ts: Token[]) => {
    const out = new Set<string>()
    for (let i = 0; i + 1 < ts.length; i++) out.add(`${ts[i]!.stem} ${ts[i + 1]!.stem}`)
    return out
  }
  const cBigrams = bigrams(cContent)
  const eBigrams = bigrams(eContent)
  const bigramHits = [...cBigrams].filter((b) => eBigrams.has(b)).length

  const cNames = c.filter((t) => t.name)
  const unmatchedNames = cNames.filter((t) => !eStems.has(t.stem))
  const eNamesNotInClaim = e.filter((t) => t.name && !cStems.has(t.stem))

  const eNumbers = e.flatMap((t) => (t.number ? [t.number] : []))
  const cNumbers = c.flatMap((t) => (t.number ? [t.number] : []))
  const numberFound = (n: string) => eNumbers.some((m) => numbersAgree(n, m))
  const cNumbersUnmatched = cNumbers.filter((n) => !numberFound(n))

  const negC = c.filter((t) => NEGATIONS.has(t.lower)).length
  const negE = e.filter((t) => NEGATIONS.has(t.lower)).length

  let antonymAcross = 0
  let antonymClaimOnly = 0
  for (const t of c) {
    const ants = lexicon.antonyms.get(t.stem)
    if (!ants) continue
    for (const u of e) {
      if (ants.has(u.stem)) {
        antonymAcross = 1
        if (!eStems.has(t.stem)) antonymClaimOnly = 1
      }
    }
  }

  // Substitutions: the claim says X where the evidence, in X's place, says a close sibling Y.
  let substitutionMax = 0
  let substitutionNameOrNumber = 0
  const eCandidates = eContent.filter((t) => !cStems.has(t.stem))
  for (const t of unmatched) {
    const v = wordVectors.get(t.lower)
    if (!v) continue
    for (const u of eCandidates) {
      const w = wordVectors.get(u.lower)
      if (!w) continue
      const sim = dot(v, w)
      if (sim > substitutionMax) substitutionMax = sim
      if ((t.name && u.name) || (t.number !== undefined && u.number !== undefined)) {
        if (sim > substitutionNameOrNumber) substitutionNameOrNumber = sim
      }
    }
  }

  return [
    dot(claimVector, evidenceVector),
    cContent.length === 0 ? 0 : matched.length / cContent.length,
    cBigrams.size === 0 ? 0 : bigramHits / cBigrams.size,
    eContent.length === 0 ? 0 : eContent.filter((t) => cStems.has(t.stem)).length / eContent.length,
    Math.log1p(unmatched.length),
    Math.min(3, unmatchedNames.length),
    unmatchedNames.length > 0 && eNamesNotInClaim.length > 0 ? 1 : 0,
    cNumbersUnmatched.length > 0 ? 1 : 0,
    cNumbers.length - cNumbersUnmatched.length > 0 ? 1 : 0,
    cNumbersUnmatched.length > 0 && eNumbers.length > 0 ? 1 : 0,
    Math.min(2, negC),
    Math.min(2, negE),
    negC % 2 !== negE % 2 ? 1 : 0,
    Math.min(2, c.filter((t) => EXCLUSIVE.has(t.lower)).length),
    antonymAcross,
    antonymClaimOnly,
    substitutionMax,
    substitutionNameOrNumber,
    e.some((t) => HEDGES.has(t.lower)) ? 1 : 0,
    Math.log1p(c.length),
    Math.log1p(e.length),
  ]
}

/** "1947" agrees with "1940s"; "3.5" with "3.50"; "1,000" with "1000". */
function numbersAgree(a: string, b: string): boolean {
  if (a === b) return true
  const decade = (d: string, y: string) => /^\d{3}0s$/.test(d) && /^\d{4}$/.test(y) && y.startsWith(d.slice(0, 3))
  if (decade(a, b) || decade(b, a)) return true
  const na = a.replace(/,/g, '')
  const nb = b.replace(/,/g, '')
  const trim = (n: string) => (n.includes('.') ? n.replace(/0+$/, '').replace(/\.$/, '') : n)
  return /^\d+(\.\d+)?$/.test(na) && /^\d+(\.\d+)?$/.test(nb) && trim(na) === trim(nb)
}
