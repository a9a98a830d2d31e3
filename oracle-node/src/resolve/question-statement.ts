/**
 * A yes/no question turned into the statement a passage would have to support: "Did the Port Alder City Council
 * approve the Millrace Bridge replacement?" → "the Port Alder City Council approved the Millrace Bridge
 * replacement". The NLI judge was trained on sentences; the bare question minus its auxiliary is no sentence
 * (for "the Kestrel Bay ferry strike end" the pair model read supporting reports at P(entailment) 0.17-0.65
 * where "... ended" gets 0.44-0.88).
 *
 * The auxiliary moves behind the subject, or, for do / did / will, the main verb takes its tense (a market
 * question is resolved after the event, when reports speak of it in the past). The main verb is found
 * without a parser: after the auxiliary come the subject's determiners and capitalised words, then a run of
 * lowercase words up to a function word or the end; a run cut by "of" still belongs to the subject.
 * The verb is that run's last word. The rule only rewrites what it can read: the word must be a plain lowercase
 * verb in its base form (compromise reads "to <word>" as an infinitive, and its past tense leads back to it),
 * and no other word may be a candidate: none of the run's earlier words could be a verb ("the rebels take
 * control", "Bitcoin hold support", and so also "the ferry strike end": nouns that are also verbs cannot be told
 * from a verb and its object without a parser), no base-form verb comes later ("the strike at Boeing end"), no
 * verb stands before the run, an adjective-verb ("lower", "average") is neither a complement nor before a name,
 * and what follows the verb is the end, a preposition or determiner, a name or a number.
 * A question with "not" / "never", "be", "been", or any other shape keeps the old statement (the question
 * minus its auxiliary). Verb forms come from compromise's conjugator (irregular verbs included).
 */
import nlp from 'compromise'

/**
 * Recorded in judge-model.json (`statements`): a node with another rule signs another modelHash. The examples
 * are checked against the code by the test, so a change of what the rule builds on them must change this
 * record, and with it the file's hash.
 */
export const STATEMENT_RULE = {
  rule: 'oracle-node/src/resolve/question-statement.ts',
  since: '2026-12-05',
  what: "a yes/no question becomes a sentence: the auxiliary moves behind the subject, or the main verb takes its tense (did/will: past; does: present); questions it cannot read keep the old statement (the question minus its auxiliary). Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
  examples: [
    ['Did the Kestrel Bay ferry strike end?', 'the Kestrel Bay ferry strike end'],
    ['Did the Gull Island Lighthouse Museum reopen to visitors in March 2025?', 'the Gull Island Lighthouse Museum reopened to visitors in March 2025'],
    ['Did the Chiefs win Super Bowl LVIII?', 'the Chiefs won Super Bowl LVIII'],
    ['Will the Fed cut rates in June?', 'the Fed cut rates in June'],
    ['Does Apple pay a dividend?', 'Apple pays a dividend'],
    ['Will Fed chair Jerome Powell resign before 2026?', 'Fed chair Jerome Powell resign before 2026'],
    ['Has the bridge opened?', 'the bridge has opened'],
    ['Will the rebels take control?', 'the rebels take control'],
    ['Will the defendant plead not-guilty?', 'the defendant plead not-guilty'],
    ['Did the company own the patent?', 'the company own the patent'],
  ],
} as const

export const AUXILIARY = /^(will|would|did|does|do|is|are|was|were|has|have|had|can|could|should|shall|may|might)\s+/i

/** Words that end the verb's run: the subject's or the object's function words, and pronouns. */
const FUNCTION_WORDS = new Set(
  (
    'the a an this that these those its his her their our my your any some no every each all both either neither ' +
    'before after by in on at to for with from over under than against during within without into onto about as ' +
    'and or but nor not never ever again yet already still also finally ultimately officially formally publicly ' +
    'until till since between among above below around across through per via up down out off of ' +
    'it him them us me you we they he she itself himself herself themselves'
  ).split(' '),
)
const DETERMINERS = new Set('the a an this that these those its his her their our my your any some no every each all both either neither'.split(' '))
/** What may follow the verb: the end, or one of these (a name or a number too, after did / will / does). */
const AFTER_VERB = new Set(
  (
    'the a an this that these those its his her their our my your any some every each ' +
    'before after by in on at to for with from over under during within into onto about as until since between ' +
    'among above below around across through against'
  ).split(' '),
)
/** Past participles, regular and the common irregular endings (begun, shown, gone, taken). */
const PARTICIPLE = /(ed|en|wn|ne|un)$/

type Token = { text: string; lower: string }

export function questionToStatement(question: string): string {
  let q = question.trim()
  while (q.endsWith('?')) q = q.slice(0, -1).trimEnd()
  const aux = AUXILIARY.exec(q)?.[1]?.toLowerCase()
  const rest = q.replace(AUXILIARY, '')
  if (aux === undefined) return q
  return rebuild(aux, rest) ?? rest
}

function rebuild(aux: string, rest: string): string | undefined {
  const tokens: Token[] = rest.split(/\s+/).filter((t) => t !== '').map((text) => ({ text, lower: text.toLowerCase() }))
  if (tokens.some((t) => /^(not|never|be|been|being)$/.test(t.lower))) return undefined
  const run = findVerbRun(tokens)
  if (run === undefined) return undefined
  const verbAt = run.end
  const verb = tokens[verbAt]!
  const after = tokens[verbAt + 1]
  const subject = tokens.slice(0, verbAt).map((t) => t.text).join(' ')
  const tail = tokens.slice(verbAt + 1).map((t) => t.text)
  const join = (...parts: string[]) => [subject, ...parts, ...tail].filter((p) => p !== '').join(' ')
  const before = tokens.slice(run.start, verbAt)
  const hasVerb = verbReader(tokens)
  // A later word that could be the main verb ("the strike at Boeing end", "Fed chair Jerome Powell resign",
  // "the plan to cut taxes pass"): which one is cannot be told without a parser.
  if (tokens.slice(verbAt + 1).some((t) => couldBeBaseVerb(t))) return undefined
  // A verb before the run ("Apple spend part of its cash"), a capitalised one before a determiner ("Trump Visit
  // the border"), or a preposition right before it ("Hit $100k in price"): the run is an object.
  if (hasVerb(0, run.start)) return undefined
  for (let i = 1; i < run.start; i++) if (DETERMINERS.has(tokens[i]!.lower) && !FUNCTION_WORDS.has(tokens[i - 1]!.lower)) return undefined
  const beforeRun = tokens[run.start - 1]?.lower
  if (beforeRun !== undefined && beforeRun !== 'of' && FUNCTION_WORDS.has(beforeRun) && !DETERMINERS.has(beforeRun)) return undefined
  if (aux === 'did' || aux === 'will' || aux === 'does' || aux === 'do') {
    if (after !== undefined && !AFTER_VERB.has(after.lower) && !/^[A-Z0-9$€£]/.test(after.text)) return undefined
    if (!isPlainVerb(verb.lower)) return undefined
    // An earlier word of the run that could be a verb ("take control", "hold support", "serve prison time",
    // "surge past $100k", but also "the ferry strike end") leaves two candidates: the rule does not guess.
    if (before.some((t) => canBeVerb(t.lower)) || hasVerb(run.start, verbAt)) return undefined
    // An adjective-verb is a complement after a verb-like word ("close lower") and a modifier before a name
    // ("the average US gas price"): only at the end or before a preposition is it read as the verb.
    if (nlp(verb.lower).has('#Adjective') && ((before.length > 0 && canBeVerb(before[before.length - 1]!.lower)) || (after !== undefined && !AFTER_VERB.has(after.lower)))) return undefined
    if (aux === 'do') return join(verb.lower)
    const forms = conjugate(verb.lower)
    const form = aux === 'does' ? forms?.PresentTense : forms?.PastTense
    return form === undefined ? undefined : join(form)
  }
  if (/^(has|have|had|is|are|was|were)$/.test(aux)) {
    // A participle after the subject ("Has the bridge opened", "Was the plan approved"): the auxiliary goes
    // before it. Anything else ("Is the price above 100", "Has the lockdown in Shanghai ended") keeps the old statement.
    if (after !== undefined && !AFTER_VERB.has(after.lower)) return undefined
    return isParticiple(verb.lower) ? join(aux, verb.text) : undefined
  }
  return undefined
}

/**
 * The first run of lowercase words not followed by "of" (which continues the subject): its start and its last
 * word's index. Undefined when there is none or it starts the sentence (no subject before it).
 */
function findVerbRun(tokens: readonly Token[]): { start: number; end: number } | undefined {
  let i = 0
  while (i < tokens.length) {
    while (i < tokens.length && !isRunWord(tokens[i]!)) i++
    if (i >= tokens.length) return undefined
    const start = i
    while (i < tokens.length && isRunWord(tokens[i]!)) i++
    if (tokens[i]?.lower === 'of') continue
    return i - 1 === 0 ? undefined : { start, end: i - 1 }
  }
  return undefined
}

function isRunWord(t: Token): boolean {
  return /^[a-z][a-z-]*$/.test(t.text) && !FUNCTION_WORDS.has(t.lower)
}

/** A lowercase verb in its base form whose past tense leads back to it ("own" → "owed" → "owe" is refused). */
function isPlainVerb(word: string): boolean {
  if (!/^[a-z]+$/.test(word) || looksInflected(word)) return false
  if (!canBeVerb(word)) return false
  const past = conjugate(word)?.PastTense
  if (past === undefined) return false
  return conjugate(past, 'PastTense')?.Infinitive === word
}

/** A lowercase word in a verb's base form ("end", "resign", "apply", "exceed"). */
function couldBeBaseVerb(t: Token): boolean {
  if (!/^[a-z]+$/.test(t.text) || FUNCTION_WORDS.has(t.lower)) return false
  return !looksInflected(t.lower) && canBeVerb(t.lower)
}

/** A plural or third person (-s, not -ss), a past (-ed, not -eed: "exceed"), a gerund (-ing). */
function looksInflected(word: string): boolean {
  return (/s$/.test(word) && !/ss$/.test(word)) || (/ed$/.test(word) && !/eed$/.test(word)) || /ing$/.test(word)
}

/** A verb's past tense or participle ("opened", "begun", "taken"), not a noun with such an ending ("lockdown"). */
function isParticiple(word: string): boolean {
  if (!/^[a-z]+$/.test(word) || !PARTICIPLE.test(word)) return false
  const forms = conjugate(word, 'PastTense')
  const infinitive = forms?.Infinitive
  if (infinitive === undefined || infinitive === word || !canBeVerb(infinitive)) return false
  return forms?.PastTense === word || forms?.Participle === word
}

function canBeVerb(word: string): boolean {
  return nlp(`to ${word}`).has('#Infinitive')
}

/**
 * Whether compromise reads a word of tokens[from, to) as a verb in the question's own context (the question is
 * parsed once, on the first call; tokens it splits otherwise count as a verb).
 */
function verbReader(tokens: readonly Token[]): (from: number, to: number) => boolean {
  let flags: boolean[] | undefined
  let parsed = false
  return (from, to) => {
    if (from >= to) return false
    if (!parsed) {
      parsed = true
      const terms = nlp(tokens.map((t) => t.text).join(' ')).json()[0]?.terms as { tags: string[] }[] | undefined
      if (terms !== undefined && terms.length === tokens.length) flags = terms.map((term) => term.tags.includes('Verb'))
    }
    return flags === undefined || flags.slice(from, to).some(Boolean)
  }
}

type Conjugation = { PastTense?: string; PresentTense?: string; Infinitive?: string; Participle?: string }

function conjugate(word: string, tag: 'Verb' | 'PastTense' = 'Verb'): Conjugation | undefined {
  const doc = nlp(word)
  doc.tag(tag)
  return doc.verbs().conjugate()[0] as Conjugation | undefined
}

// compromise builds its lexicon and tagger on first use (40-60 ms here). Pay that when the module loads, at a
// node's start-up, and not inside its first question, where it would hold the event loop.
questionToStatement('Did the Kestrel Bay ferry strike end?')
questionToStatement('Has the bridge opened?')
