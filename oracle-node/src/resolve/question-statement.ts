/**
 * A yes/no question turned into the statement a passage would have to support: "Did the Kestrel Bay ferry
 * strike end?" → "the Kestrel Bay ferry strike ended". The NLI judge was trained on sentences; the bare
 * question minus its auxiliary ("the Kestrel Bay ferry strike end") is no sentence, and the pair model read
 * plainly supporting reports of it at P(entailment) 0.2-0.6 where the grammatical statement gets 0.8-0.9.
 *
 * The auxiliary moves behind the subject, or, for do / did / will, the main verb takes its tense (a market
 * question is resolved after the event, when reports speak of it in the past). The main verb is found
 * without a parser: after the auxiliary come the subject's determiners and capitalised words, then a run of
 * lowercase words up to a function word or the end; a run cut by "of" still belongs to the subject.
 * The verb is that run's last word (the words before it are the subject's nouns: "ferry strike"), or its "be". When the
 * word does not look like a verb's base form (a plural, an -ing or -ly word) or the question has another
 * shape, the question is kept as it was, minus its auxiliary, as before: a statement this cannot build is
 * never worse than the old one. Verb forms come from compromise's conjugator (irregular verbs included).
 */
import nlp from 'compromise'

/** Recorded in judge-model.json (`statements`): a node with another rule signs another modelHash. */
export const STATEMENT_RULE = {
  rule: 'oracle-node/src/resolve/question-statement.ts',
  since: '2026-12-05',
  what: "a yes/no question becomes a sentence: the auxiliary moves behind the subject, or the main verb takes its tense (did/will: past; does: present). Recorded here so that this file's hash, and so every observation's modelHash, changes with the rule.",
} as const

export const AUXILIARY = /^(will|would|did|does|do|is|are|was|were|has|have|had|can|could|should|shall|may|might)\s+/i

/** Words that end the verb's run: the subject's or the object's function words. */
const FUNCTION_WORDS = new Set(
  (
    'the a an this that these those its his her their our my your any some no every each all both either neither ' +
    'before after by in on at to for with from over under than against during within without into onto about as ' +
    'and or but nor not never ever again yet already still also finally ultimately officially formally publicly ' +
    'until till since between among above below around across through per via up down out off of'
  ).split(' '),
)
const SUBJECT_CONTINUES = new Set(['of'])
/** Past participles, regular and the common irregular endings (begun, shown, gone, taken). */
const PARTICIPLE = /(ed|en|wn|ne|un)$/

type Token = { text: string; lower: string }

export function questionToStatement(question: string): string {
  const q = question.trim().replace(/\?+\s*$/, '').trim()
  const aux = AUXILIARY.exec(q)?.[1]?.toLowerCase()
  const rest = q.replace(AUXILIARY, '')
  if (aux === undefined) return q
  return rebuild(aux, rest) ?? rest
}

function rebuild(aux: string, rest: string): string | undefined {
  const tokens: Token[] = rest.split(/\s+/).filter((t) => t !== '').map((text) => ({ text, lower: text.toLowerCase() }))
  const verbAt = findMainVerb(tokens)
  if (verbAt === undefined) return undefined
  const verb = tokens[verbAt]!
  const subject = tokens.slice(0, verbAt).map((t) => t.text).join(' ')
  const tail = tokens.slice(verbAt + 1).map((t) => t.text)
  const join = (...parts: string[]) => [subject, ...parts, ...tail].filter((p) => p !== '').join(' ')
  switch (aux) {
    case 'did':
    case 'will': {
      if (!isBaseForm(verb.lower)) return undefined
      const past = conjugate(verb.lower)?.PastTense
      if (past === undefined) return undefined
      return join(verb.lower === 'be' ? (looksPlural(tokens[verbAt - 1]) ? 'were' : 'was') : past)
    }
    case 'does':
    case 'do': {
      if (!isBaseForm(verb.lower)) return undefined
      const present = aux === 'does' ? conjugate(verb.lower)?.PresentTense : verb.lower
      return present === undefined ? undefined : join(present)
    }
    case 'has':
    case 'have':
    case 'had':
    case 'is':
    case 'are':
    case 'was':
    case 'were':
      // A participle after the subject ("Has the bridge opened", "Was the plan approved"): the auxiliary goes
      // before it. Anything else ("Is the price above 100") is left as it was.
      return PARTICIPLE.test(verb.lower) ? join(aux, verb.text) : undefined
    default:
      return undefined
  }
}

/**
 * The index of the main verb: the last word of the first run of lowercase words that is not cut by "of" (which
 * continues the subject). Undefined when there is no such run or it starts the sentence (no subject before it).
 */
function findMainVerb(tokens: readonly Token[]): number | undefined {
  let i = 0
  while (i < tokens.length) {
    // The subject's determiners, names, numbers and bracketed asides.
    while (i < tokens.length && !isRunWord(tokens[i]!)) i++
    if (i >= tokens.length) return undefined
    const start = i
    while (i < tokens.length && isRunWord(tokens[i]!)) i++
    const next = tokens[i]
    if (next !== undefined && SUBJECT_CONTINUES.has(next.lower)) continue
    // "be" is the verb wherever it stands ("the election be won"): what follows it is its complement.
    const be = tokens.slice(start, i).findIndex((t) => t.lower === 'be')
    const at = be >= 0 ? start + be : i - 1
    return at === 0 ? undefined : at
  }
  return undefined
}

function isRunWord(t: Token): boolean {
  return /^[a-z][a-z-]*$/.test(t.text) && !FUNCTION_WORDS.has(t.lower)
}

function isBaseForm(word: string): boolean {
  return /ss$/.test(word) || !/(s|ed|ing|ly)$/.test(word)
}

function looksPlural(t: Token | undefined): boolean {
  return t !== undefined && /^[a-z]+s$/.test(t.text) && !/ss$/.test(t.text)
}

type Conjugation = { PastTense?: string; PresentTense?: string }

function conjugate(word: string): Conjugation | undefined {
  const doc = nlp(word)
  doc.tag('Verb')
  return doc.verbs().conjugate()[0] as Conjugation | undefined
}
