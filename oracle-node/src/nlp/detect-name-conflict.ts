/**
 * Another name in the claim's place, where the trained pair model is weak: it reads "John Carter won the
 * Springfield mayoral election" as support (P(entailment) 0.73) for "Maria Lopez won the Springfield mayoral
 * election", and "The Philadelphia Eagles won Super Bowl LIX, beating the Kansas City Chiefs" as support for "the
 * Kansas City Chiefs won Super Bowl LIX": the sentences share every word but the name, and its training pairs
 * seldom turn on one.
 *
 * A passage's sentence puts another name N' in the place of a claim's name N when:
 * - the slot: N' stands right before the verb that follows N in the claim, with the same kind of auxiliaries ("<N>
 *   won", "<N> was appointed"; a passive "Wiz was acquired" is not "Google acquired"; a forecast "will win" is not
 *   "won"), and the verb's object starts with the same word ("won the first set of" is not "won the US Open
 *   final"); or N' stands right after the verb and the prepositions that precede N ("acquired by <N>", "signed with
 *   <N>"; never after a preposition of place or time: "born in Los Angeles" does not contradict "born in
 *   California");
 * - another name: N' shares no word with N, and neither is a shortening or the initials of the other ("Fed" and
 *   "Federal Reserve", "DOJ" and "Department of Justice", "Man Utd" and "Manchester United" are one name);
 *   accents, hyphens and apostrophes do not count ("Erdogan", "Ocasio Cortez");
 * - the same thing: every other content word of the claim, and every word of its other names, is in that sentence
 *   within WINDOW words of N' ("John Carter won the Iowa caucus" is not about the Springfield election);
 * - a statement: the sentence is not a question or a condition ("If Carter wins ...", "Will Carter win ...?").
 *
 * What the passage then says:
 * - "refute" where the role is one only one name can hold (a winner of a definite thing, a buyer) and the sentence
 *   names N as the one who lost that very event (saysLost: the claim's object word for word, then "beating", "over"
 *   or "against" N; or "Arsenal beat Chelsea 2-1" for "Chelsea beat Arsenal", with the claim's words after its
 *   loser; no other year, month or earlier time), and the passage nowhere puts N in that role itself ("The Chiefs beat the Bills,
 *   a month after the Bills beat the Chiefs"). Nothing weaker: a nickname ("OKC", "the Tories"), a parent company,
 *   a co-winner named in the next sentence, a loser of the opener or of an earlier edition would otherwise read as
 *   a refutation.
 * - "unsupported" where N is named nowhere in the passage: it is about another name and does not support the
 *   claim ("John Carter won the Springfield mayoral election" for Maria Lopez, "the House passed the bill" for the
 *   Senate); it does not refute it either. Not for a direct object (an event or a trophy goes by many names: "won
 *   Roland Garros"), nor where one name is a place and the other a name of another kind (placeKind: a city for its
 *   team, "Washington" for the United States, a player for his country); two countries are two holders.
 * judge-text.ts reads "refute" as the denial and number rules' refutation, and "unsupported" by moving the pair's
 * entailment into neutral, so the node abstains on such a passage rather than answer YES.
 */
import nlp from 'compromise'
import { crudeStem } from './crude-stem.ts'

/** Words of the claim (other than N) that must be this close to N' in the passage. */
const WINDOW = 12
const MAX_TOKENS = 400
/** A claim's words read; a longer claim is cut (a question is at most 1,000 characters). */
const MAX_CLAIM_TOKENS = 64

/** May stand between a subject name and its verb: auxiliaries and a few adverbs. */
const AUXILIARIES = new Set(['has', 'have', 'had', 'was', 'were', 'is', 'are', 'will', 'would', 'be', 'been', 'being', 'did', 'does', 'do', 'also', 'officially', 'formally', 'finally', 'reportedly'])
/** After these a verb's base form follows. */
const MODALS = new Set(['will', 'would', 'did', 'does', 'do'])
/** A name ending in one of these describes a holder ("the Tesla CEO", "Kremlin spokesman"), it is not another one. */
const ROLES = new Set(['ceo', 'cfo', 'founder', 'cofounder', 'chief', 'chairman', 'chairwoman', 'chair', 'president', 'spokesman', 'spokeswoman', 'spokesperson', 'minister', 'secretary', 'coach', 'manager', 'owner', 'boss', 'leader', 'head', 'director', 'governor', 'senator', 'mayor'])
/** Forms of be: a passive or a copula. */
const BE = new Set(['was', 'were', 'is', 'are', 'be', 'been', 'being'])
/** A forecast, not an event. */
const FUTURE = new Set(['will', 'would'])
/** A sentence opening with one of these, or ending in "?", states nothing. */
const CONDITIONS = new Set(['if', 'unless', 'should', 'whether', 'will', 'would', 'can', 'could', 'did', 'does', 'do', 'whoever', 'when', 'once'])
/** May stand between a verb and its object name, with the auxiliaries and prepositions. */
const DETERMINERS = new Set(['the', 'a', 'an'])
/** Before a capitalised word, make it a modifier inside a noun phrase ("its North American premiere"), not a holder. */
const POSSESSIVES = new Set(['its', 'his', 'her', 'their', 'our', 'my', 'your', "'s"])
const GLUE = new Set([...AUXILIARIES, ...DETERMINERS])
const PREPOSITIONS = new Set(['in', 'at', 'by', 'as', 'to', 'for', 'from', 'of', 'on', 'with', 'against', 'over'])
const FUNCTION_WORDS = new Set([
  ...GLUE, ...PREPOSITIONS,
  'and', 'or', 'but', 'nor', 'not', 'no', 'never', 'its', 'his', 'her', 'their', 'our', 'this', 'that', 'these', 'those', 'it', 'he', 'she', 'they', 'we', 'who', 'which', 'than', 'into', 'onto', 'about', 'after', 'before', 'since', 'until', 'during', 'while', 'when', 'where', 'there', 'here', 'what', 'whose', 'any', 'some', 'each', 'every', 'all', 'both', 'either', 'neither', "'s", 'more', 'most', 'less', 'least', 'very', 'only', 'just', 'so', 'too', 'can', 'could', 'should', 'shall', 'may', 'might', 'must',
])
/** Words inside a name between capitalised words ("Bank of England", "Earth, Wind & Fire"). */
const NAME_JOINERS = new Set(['of', 'de', 'del', 'da', 'la', 'le', 'van', 'von', 'der', 'du', '&', '-'])
/** Months and days: a date is the number rule's business, not a name. */
const CALENDAR = new Set(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])
/** Capitalised at the start of a sentence, never names. */
const NOT_NAMES = new Set(['The', 'A', 'An', 'Will', 'Would', 'Should', 'Can', 'Could', 'Did', 'Does', 'Do', 'Whether', 'Whoever', 'Unless', 'Once', 'In', 'On', 'At', 'By', 'For', 'From', 'With', 'After', 'Before', 'During', 'When', 'While', 'But', 'And', 'Or', 'If', 'As', 'It', 'He', 'She', 'They', 'We', 'I', 'You', 'This', 'That', 'These', 'Those', 'There', 'Here', 'His', 'Her', 'Their', 'Its', 'Our', 'Some', 'Many', 'Most', 'All', 'No', 'Not', 'According', 'Despite', 'Although', 'However', 'Meanwhile', 'Also', 'Yet', 'Still', 'Last', 'Next', 'Earlier', 'Later', 'Today', 'Yesterday', 'Tomorrow', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'])

/** Past forms that a suffix strip does not bring to their verb. */
const IRREGULAR = new Map<string, string>([
  ['won', 'win'], ['wins', 'win'], ['winning', 'win'], ['beaten', 'beat'], ['beats', 'beat'], ['held', 'hold'], ['holds', 'hold'], ['bought', 'buy'], ['buys', 'buy'],
  ['sold', 'sell'], ['sells', 'sell'], ['led', 'lead'], ['leads', 'lead'], ['chose', 'choose'], ['chosen', 'choose'], ['took', 'take'], ['taken', 'take'], ['ran', 'run'],
  ['became', 'become'], ['left', 'leave'], ['met', 'meet'], ['paid', 'pay'], ['fought', 'fight'], ['gave', 'give'], ['given', 'give'], ['made', 'make'],
  ['lost', 'lose'], ['loses', 'lose'], ['died', 'die'], ['dies', 'die'],
])

/**
 * A slot's word after the name (the name is its subject) whose role only one name can hold, when its object is
 * definite ("won the election", "acquired Perplexity"; not "won a seat", "bought bitcoin").
 */
const EXCLUSIVE_SUBJECT = new Set(['win', 'beat', 'defeat', 'acquire', 'clinch', 'capture', 'host'].map(wordKey))
/**
 * Prepositions of place and time: "published in London" does not contradict "published in England", nor "born in
 * Los Angeles" "born in California", so a name after these is never compared.
 */
const PLACE_OR_TIME = new Set(['in', 'at', 'on', 'to', 'from', 'near', 'into', 'onto', 'since', 'until', 'during', 'before', 'after', 'over', 'of', 'for'])

/** The verbs whose past forms IRREGULAR lists, in their base form ("beat" is both). */
const IRREGULAR_BASES = new Set(IRREGULAR.values())

export type NameConflict = 'refute' | 'unsupported'

/**
 * Recorded in judge-model.json (`nameConflicts`): a node with another rule signs another modelHash. The examples
 * are checked against the code by the test, so a change of what the rule says of them must change this record,
 * and with it the file's hash.
 */
export const NAME_CONFLICT_RULE = {
  rule: 'oracle-node/src/nlp/detect-name-conflict.ts',
  since: '2026-12-05',
  what: "another name in the claim's place about the same thing, in a sentence that states it (same verb, same kind of auxiliaries, same object): a refutation where only one name can hold the role (a winner, a buyer) and the passage names the claim's one as the loser of that very event (the claim's object word for word, then 'beating'/'over'/'against' it; no other year); no support where the passage never names the claim's one (not for a direct object, nor where one name is a place and the other a name of another kind: a city for its team, an official for a country); places, times, passives, forecasts, shortenings, initials and accents are not compared. Recorded so that this file's hash, and so every observation's modelHash, changes with the rule.",
  examples: [
    ['the Kansas City Chiefs won Super Bowl LIX', 'The Philadelphia Eagles won Super Bowl LIX, beating the Kansas City Chiefs 40-22.', 'refute'],
    ['Maria Lopez won the Springfield mayoral election', 'John Carter won the Springfield mayoral election on Tuesday.', 'unsupported'],
    ['the Senate passed the GENIUS Act', 'The House passed the GENIUS Act on Thursday.', 'unsupported'],
    ['the Fed cut rates', 'The Federal Reserve cut rates by a quarter point.', 'none'],
    ['Google acquired Wiz', 'Wiz was acquired for 32 billion dollars in March.', 'none'],
    ['It was first published in England', 'It was first published in London in 1843.', 'none'],
  ],
} as const

type Token = { text: string; lower: string; key: string; capital: boolean; sentenceStart: boolean; sentence: number }
/** words: without joiners; all: with them ("department of justice", for the initials "doj"). */
type Name = { start: number; end: number; words: string[]; all: string[] }

const TOKEN = /[\p{L}\p{Nd}]+(?:['.&][\p{L}\p{Nd}]+)*|[^\s\p{L}\p{Nd}]/gu

function tokenize(text: string): Token[] {
  const out: Token[] = []
  let sentenceStart = true
  let sentence = 0
  // Accents, curly apostrophes and hyphens do not make another name: "Erdoğan" is "Erdogan", "Ocasio-Cortez" "Ocasio Cortez".
  const plain = text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[’‘]/g, "'")
  for (const m of plain.matchAll(TOKEN)) {
    let word = m[0]
    // The period of an initial or a title ("J. D. Salinger", "Dr. Lee") ends no sentence.
    if (word === '.' && out.length > 0 && /^(?:\p{Lu}|Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Gov|Sen|Rep|Lt|Col|Capt|Prof|Inc|Co|Corp|Ltd|vs)$/u.test(out[out.length - 1]!.text)) continue
    const possessive = /^(.+)'s$/u.exec(word)
    if (possessive) word = possessive[1]!
    // "J.D" is the initials J and D, as "J. D." is.
    const parts = /^\p{Lu}(?:\.\p{Lu})+$/u.test(word) ? word.split('.') : [word]
    for (const w of possessive ? [...parts, "'s"] : parts) {
      const lower = w.toLowerCase()
      out.push({ text: w, lower, key: wordKey(lower), capital: /^\p{Lu}/u.test(w), sentenceStart, sentence })
      sentenceStart = /^[.!?;:"“”]$/.test(w)
      if (/^[.!?;]$/.test(w)) sentence++
      if (out.length >= MAX_TOKENS) return out
    }
  }
  return out
}

function wordKey(lower: string): string {
  return crudeStem(IRREGULAR.get(lower) ?? lower)
}

const lexicon = (nlp.world() as unknown as { model: { one: { lexicon: Record<string, string | string[] | undefined> } } }).model.one.lexicon
const PROPER_TAGS = /^(?:ProperNoun|Person|FirstName|MaleName|FemaleName|LastName|Organization|Place|Country|City|Region|SportsTeam|Company)$/

/**
 * Names: runs of capitalised words (joined by "of", "de", "&"). A capitalised word alone at the start of a sentence
 * counts when the word is capitalised elsewhere in the text too, is a word of one of the claim's names
 * (`claimWords`), is written in mixed case ("MicroStrategy"), is known to the lexicon as a name ("Samsung"), or is
 * unknown to it and not a plural ("Tesla"): "Officials", "Investors", "Shares" are not names.
 */
function findNames(tokens: readonly Token[], claimWords?: ReadonlySet<string>): Name[] {
  const names: Name[] = []
  const capitalisedInside = new Set(tokens.filter((t) => t.capital && !t.sentenceStart).map((t) => t.lower))
  for (let i = 0; i < tokens.length; i++) {
    if (!isNameWord(tokens[i]!)) continue
    let end = i + 1
    while (end < tokens.length) {
      if (isNameWord(tokens[end]!) && !tokens[end]!.sentenceStart) end++
      else if (NAME_JOINERS.has(tokens[end]!.lower) && end + 1 < tokens.length && isNameWord(tokens[end + 1]!) && !tokens[end + 1]!.sentenceStart) end += 2
      else break
    }
    const first = tokens[i]!
    const alone = first.sentenceStart && end - i === 1
    const ownName = claimWords?.has(first.lower) || capitalisedInside.has(first.lower) || /\p{Ll}\p{Lu}/u.test(first.text)
    if (alone && !ownName && !nameToLexicon(first.lower, claimWords === undefined)) {
      i = end - 1
      continue
    }
    const all = tokens.slice(i, end).map((t) => t.lower).filter((w) => w !== '-' && w !== '&')
    names.push({ start: i, end, words: all.filter((w) => !NAME_JOINERS.has(w)), all })
    i = end - 1
  }
  return names
}

function isNameWord(t: Token): boolean {
  return t.capital && !(t.sentenceStart && NOT_NAMES.has(t.text)) && !CALENDAR.has(t.lower) && /\p{L}/u.test(t.text)
}

/**
 * A word the lexicon knows as a name, or does not know: in a claim any unknown word ("Socrates"), in a passage an
 * unknown word that is not a plural ("Tesla", not "Regulators").
 */
function nameToLexicon(lower: string, inClaim: boolean): boolean {
  const tags = lexiconTags(lower)
  if (tags === undefined) return inClaim || !/(?:s|men)$/.test(lower)
  return tags.some((tag) => PROPER_TAGS.test(tag))
}

/** The lexicon's tags for a word or a phrase, or undefined when it does not know it. */
function lexiconTags(lower: string): string[] | undefined {
  const entry = lexicon[lower]
  return entry === undefined ? undefined : Array.isArray(entry) ? entry : [entry]
}

/** One name, for this rule: a shared word, a shortening ("Fed", "Man Utd") or initials ("ECB", "DOJ"). */
function sameName(a: Name, b: Name): boolean {
  return a.words.some((w) => b.words.includes(w)) || oneName(a, b)
}

/**
 * One name by a stricter test, for a refutation: one's words all in the other ("Chiefs", "Kansas City Chiefs"), a
 * shortening or initials; a shared word alone ("Real Madrid", "Atletico Madrid") is not enough.
 */
function oneName(a: Name, b: Name): boolean {
  if (a.words.every((w) => b.words.includes(w)) || b.words.every((w) => a.words.includes(w))) return true
  const joined = (n: Name) => n.words.join('')
  if (joined(a) === joined(b)) return true
  // "U.S." is the letters u and s: the initials of "United States" ("U.K.", "E.U.", "L.A." of "Los Angeles Dodgers").
  const letters = (x: Name, y: Name) => x.words.length >= 2 && x.words.every((w) => w.length === 1) && y.words.length >= 2 && [initials(y.words), initials(y.all)].some((i) => i.startsWith(joined(x)))
  if (letters(a, b) || letters(b, a)) return true
  // "Man U" of "Manchester United": a one-letter word is an initial, beside a longer shortening.
  const shortens = (x: readonly string[], y: readonly string[]) =>
    x.length <= y.length && x.some((w) => w.length >= 2) && x.every((w, k) => y.slice(k).some((v) => abbreviates(w, v) || (w.length === 1 && v[0] === w)))
  const acronym = (x: Name, y: Name) =>
    x.words.length === 1 && x.words[0]!.length >= 2 && y.words.length >= 2 && [initials(y.words), initials(y.all)].some((i) => i === x.words[0] || (i.length >= 3 && x.words[0]!.startsWith(i)))
  return shortens(a.words, b.words) || shortens(b.words, a.words) || acronym(a, b) || acronym(b, a)
}

const initials = (x: readonly string[]) => x.map((w) => w[0]).join('')

/**
 * What kind of place a name is: "country" ("France", "Argentina"), "city" ("Philadelphia", "Washington", or, with
 * `byInitials`, two or three capitals such as "KC", "LA"), or undefined for any other name.
 */
function placeKind(name: Name, tokens: readonly Token[], byInitials = true): 'country' | 'city' | undefined {
  const text = tokens.slice(name.start, name.end).map((t) => t.text).join('')
  // The whole name, or its one word: "Oklahoma City Thunder" is a team, not the place its first words name.
  const tags = lexiconTags(name.words.join(' ')) ?? []
  if (tags.includes('Country')) return 'country'
  if (tags.some((tag) => /^(?:Place|City|Region)$/.test(tag)) || (name.words.length > 1 && name.words[name.words.length - 1] === 'city')) return 'city'
  if (byInitials && (/^\p{Lu}{2,3}$/u.test(text) || name.words.every((w) => w.length === 1))) return 'city'
  return undefined
}

/** "fed" of "federal", "utd" of "united": the same first letter, then the word's letters in order. */
function abbreviates(w: string, v: string): boolean {
  if (w.length < 2 || v[0] !== w[0]) return false
  let at = 0
  for (const ch of w) {
    at = v.indexOf(ch, at)
    if (at < 0) return false
    at++
  }
  return true
}

const isContent = (t: Token) => /\p{L}|\p{Nd}/u.test(t.text) && !FUNCTION_WORDS.has(t.lower) && t.lower.length > 1

/**
 * after: N is the verb's subject; `auxiliaries` says whether a form of be / will stands between, `object` is the
 * first word after the verb past the determiners. before: N is the verb's object, after `prepositions`.
 */
type Slot =
  | { side: 'after'; word: string; verb: number; be: boolean; future: boolean; object: string | undefined; definite: boolean }
  | { side: 'before'; word: string; prepositions: string[] }

/**
 * Skips from `k` in direction `step`: after a name (step 1) its auxiliaries only; before it (step -1) auxiliaries
 * and determiners, and prepositions too, collected, when asked.
 */
function skipGlue(tokens: readonly Token[], k: number, step: 1 | -1, prepositions?: string[]): number {
  const skip = step === 1 ? AUXILIARIES : GLUE
  while (k >= 0 && k < tokens.length && (skip.has(tokens[k]!.lower) || (prepositions !== undefined && PREPOSITIONS.has(tokens[k]!.lower)))) {
    if (prepositions !== undefined && PREPOSITIONS.has(tokens[k]!.lower)) prepositions.unshift(tokens[k]!.lower)
    k += step
  }
  return k
}

/**
 * The claim's slots for a name: the content word after it (across glue: "<N> was appointed"), and the one before it
 * (across glue and prepositions: "acquired by <N>"), unless a preposition of place or time stands between.
 */
function slotsOf(tokens: readonly Token[], name: Name): Slot[] {
  const slots: Slot[] = []
  let k = skipGlue(tokens, name.end, 1)
  if (k < tokens.length && isContent(tokens[k]!) && !tokens[k]!.capital && verbAfter(tokens, name.end, k)) {
    const next = tokens[k + 1]
    slots.push({ side: 'after', word: tokens[k]!.key, verb: k, ...auxiliariesOf(tokens, name.end, k), object: objectOf(tokens, k), definite: next !== undefined && (next.lower === 'the' || next.capital) })
  }
  const prepositions: string[] = []
  k = skipGlue(tokens, name.start - 1, -1, prepositions)
  if (k >= 0 && isContent(tokens[k]!) && !tokens[k]!.capital && !prepositions.some((w) => PLACE_OR_TIME.has(w)) && (prepositions.length > 0 || pastForm(tokens[k]!.lower))) {
    slots.push({ side: 'before', word: tokens[k]!.key, prepositions })
  }
  return slots
}

function auxiliariesOf(tokens: readonly Token[], from: number, to: number): { be: boolean; future: boolean } {
  const words = tokens.slice(from, to).map((t) => t.lower)
  return { be: words.some((w) => BE.has(w)), future: words.some((w) => FUTURE.has(w)) }
}

/** The first word after the verb at `k`, past determiners. */
function objectOf(tokens: readonly Token[], k: number): string | undefined {
  let j = k + 1
  while (j < tokens.length && DETERMINERS.has(tokens[j]!.lower)) j++
  const t = tokens[j]
  if (t === undefined || !/\p{L}|\p{Nd}/u.test(t.text)) return undefined
  return t.key
}

/** "won", "acquired", "beaten", "beat": a past form, so a verb rather than a noun ("film", "television"). */
function pastForm(lower: string): boolean {
  return /[^e]ed$|[^e]en$/.test(lower) || IRREGULAR.has(lower) || IRREGULAR_BASES.has(lower)
}

/**
 * Whether the word at `k` after a name (auxiliaries between `from` and `k`) is its verb: after will / would / did /
 * does / do any word; after a form of be or have a participle ("was appointed", not "is home"); with no auxiliary a
 * past form ("won", not "US television").
 */
function verbAfter(tokens: readonly Token[], from: number, k: number): boolean {
  const auxiliaries = tokens.slice(from, k).map((t) => t.lower)
  if (auxiliaries.some((w) => MODALS.has(w))) return true
  return pastForm(tokens[k]!.lower)
}

/** The names the passage puts in a slot (not a modifier after a possessive: "its North American premiere"). */
function fillers(tokens: readonly Token[], names: readonly Name[], slot: Slot, sameObject = true): Name[] {
  return names.filter((n) => {
    if (n.start > 0 && POSSESSIVES.has(tokens[n.start - 1]!.lower)) return false
    if (ROLES.has(n.words[n.words.length - 1]!)) return false
    if (slot.side === 'after') {
      const k = skipGlue(tokens, n.end, 1)
      if (!(k < tokens.length && tokens[k]!.key === slot.word && verbAfter(tokens, n.end, k))) return false
      const aux = auxiliariesOf(tokens, n.end, k)
      return aux.be === slot.be && aux.future === slot.future && (!sameObject || objectOf(tokens, k) === slot.object)
    }
    const prepositions: string[] = []
    const k = skipGlue(tokens, n.start - 1, -1, prepositions)
    return k >= 0 && tokens[k]!.key === slot.word && prepositions.join(' ') === slot.prepositions.join(' ')
  })
}

/** A question or a condition: "Will Carter win ...?", "If Carter wins ...". */
function statesNothing(tokens: readonly Token[], sentence: number): boolean {
  const words = tokens.filter((t) => t.sentence === sentence)
  return words.some((t) => t.text === '?') || (words[0] !== undefined && CONDITIONS.has(words[0].lower))
}

function exclusive(slot: Slot): slot is Extract<Slot, { side: 'after' }> {
  return slot.side === 'after' && slot.definite && EXCLUSIVE_SUBJECT.has(slot.word)
}

/** Between the end of the rival's object and the loss cue: a day or a place word, nothing that changes the event. */
const GAP_WORDS = new Set([',', 'on', 'in', 'at', 'night', 'evening', 'morning', 'afternoon', ...CALENDAR])
/** Right before the loser: "..., beating the Kansas City Chiefs", "... over Maria Lopez". */
const LOSER_LEADS = new Set(['beating', 'defeating', 'edging', 'topping', 'downing', 'routing', 'over', 'against'])
const YEAR = /^(?:1[89]|20)\d\d$/
const MONTHS = new Set(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec'])
const SUBORDINATE = new Set(['after', 'before', 'when', 'where', 'since', 'while', 'as', 'until', 'because'])

/**
 * True when the rival's sentence says the claim's name lost this very event, in one of two shapes only:
 * - "<rival> <verb> <the claim's object, word for word>[, on Sunday], beating/defeating/over/against <N>"
 *   ("The Philadelphia Eagles won Super Bowl LIX, beating the Kansas City Chiefs"), N then not a modifier
 *   ("against Meta critics");
 * - for beat / defeat, "<rival> beat <N>" where the claim has "<N> beat <rival>".
 * Not when the sentence has a year or a month the claim lacks, or "ago", "previous", "earlier", "prior", "last year"
 * (an earlier edition or meeting), nor when the rival opens a subordinate clause ("two days after the Knicks beat the
 * Celtics").
 */
function saysLost(tokens: readonly Token[], names: readonly Name[], rival: Name, name: Name, claim: readonly Token[], claimNames: readonly Name[], slot: Extract<Slot, { side: 'after' }>): boolean {
  const sentence = tokens.filter((t) => t.sentence === tokens[rival.start]!.sentence)
  const claimWords = new Set(claim.map((t) => t.lower))
  const otherTime = (t: Token, i: number) =>
    ((YEAR.test(t.text) || MONTHS.has(t.lower)) && !claimWords.has(t.lower)) ||
    ['ago', 'previous', 'previously', 'earlier', 'prior'].includes(t.lower) ||
    (t.lower === 'last' && /^(?:year|season|time|month|week)$/.test(sentence[i + 1]?.lower ?? ''))
  if (sentence.some(otherTime)) return false
  // The rival in a subordinate clause: "two days after the Knicks beat the Celtics", "where Biden won".
  const lead = skipGlue(tokens, rival.start - 1, -1)
  if (lead >= 0 && SUBORDINATE.has(tokens[lead]!.lower)) return false
  const verb = skipGlue(tokens, rival.end, 1)
  const nameAt = (k: number) => names.find((n) => n.start === k)
  const skipDeterminers = (list: readonly Token[], k: number) => {
    while (k < list.length && DETERMINERS.has(list[k]!.lower)) k++
    return k
  }
  const claimObject = skipDeterminers(claim, slot.verb + 1)
  let k = skipDeterminers(tokens, verb + 1)
  if (slot.word === wordKey('beat') || slot.word === wordKey('defeat')) {
    const loser = nameAt(k)
    const claimLoser = claimNames.find((n) => n.start === claimObject)
    // Teams meet more than once: the claim's words after its loser ("in Game 7") must follow the passage's, word for
    // word; with none, the passage may have only a score or a day after its loser ("Arsenal beat Chelsea 2-1").
    if (loser !== undefined && oneName(loser, name) && claimLoser !== undefined && oneName(claimLoser, rival)) {
      const rest = (list: readonly Token[], from: number) => {
        const out: string[] = []
        for (let j = from; j < list.length && !/^[.!?;]$/.test(list[j]!.text); j++) out.push(list[j]!.key)
        return out
      }
      const claimRest = rest(claim, claimLoser.end).filter((w) => /\p{L}|\p{Nd}/u.test(w))
      const passageRest = rest(tokens, loser.end).filter((w) => /\p{L}|\p{Nd}/u.test(w))
      if (claimRest.length > 0) return claimRest.every((w, i) => passageRest[i] === w)
      return passageRest.every((w) => /^\p{Nd}/u.test(w) || w === 'on' || CALENDAR.has(w))
    }
  }
  const object = claim.slice(claimObject).filter((t) => !DETERMINERS.has(t.lower) && /\p{L}|\p{Nd}/u.test(t.text))
  if (object.length === 0) return false
  for (const word of object) {
    k = skipDeterminers(tokens, k)
    if (tokens[k]?.key !== word.key) return false
    k++
  }
  for (let gap = 0; gap < 4 && k < tokens.length && GAP_WORDS.has(tokens[k]!.lower); gap++) k++
  if (!LOSER_LEADS.has(tokens[k]?.lower ?? '')) return false
  k = skipDeterminers(tokens, k + 1)
  const loser = nameAt(k)
  if (loser === undefined || !oneName(loser, name)) return false
  const after = tokens[loser.end]
  return !(after !== undefined && !after.capital && isContent(after) && !/^\p{Nd}/u.test(after.text))
}

type ParsedClaim = { tokens: Token[]; names: Name[]; owner: (number | undefined)[] }
let lastClaim: { text: string; parsed: ParsedClaim } | undefined

/** The claim's tokens, names and which name each token belongs to; the last claim is kept (one per passage). */
function parseClaim(claim: string): ParsedClaim {
  if (lastClaim?.text === claim) return lastClaim.parsed
  const tokens = tokenize(claim).slice(0, MAX_CLAIM_TOKENS)
  const names = findNames(tokens)
  const owner: (number | undefined)[] = tokens.map(() => undefined)
  names.forEach((n, index) => {
    for (let i = n.start; i < n.end; i++) owner[i] = index
  })
  const parsed = { tokens, names, owner }
  lastClaim = { text: claim, parsed }
  return parsed
}

/**
 * "refute" when a sentence of the passage puts another name in an exclusive role of one of the claim's names and
 * names that one as the loser; "unsupported" when one puts another name in its place and the passage never names
 * it; else undefined.
 */
export function detectNameConflict(claim: string, passage: string): NameConflict | undefined {
  const { tokens: c, names: claimNames, owner } = parseClaim(claim)
  if (claimNames.length === 0) return undefined
  const p = tokenize(passage)
  const passageNames = findNames(p, new Set(claimNames.flatMap((n) => n.words)))
  if (passageNames.length === 0) return undefined
  const passageWords = new Set(p.map((t) => t.lower))
  let unsupported = false
  for (const [index, name] of claimNames.entries()) {
    // The claim's other words, each wanted in the rival's sentence near it, and every word of its other names.
    const others = c.filter((t, i) => owner[i] === undefined && isContent(t)).map((t) => t.key)
    const otherNames = claimNames.filter((_, j) => j !== index)
    if (others.length + otherNames.length === 0) continue
    const named = name.words.some((w) => passageWords.has(w)) || passageNames.some((n) => sameName(n, name))
    for (const slot of slotsOf(c, name)) {
      // The passage also puts the claim's name in that role ("The Chiefs beat the Bills on Sunday, a month after the
      // Bills beat the Chiefs"): it says both, and this rule does not choose.
      const anyFiller = fillers(p, passageNames, slot, false)
      if (exclusive(slot) && !anyFiller.some((n) => sameName(n, name))) {
        const rivals = anyFiller.filter((n) => !statesNothing(p, p[n.start]!.sentence))
        if (rivals.some((n) => saysLost(p, passageNames, n, name, c, claimNames, slot))) return 'refute'
      }
      const filled = fillers(p, passageNames, slot)
      if (filled.some((n) => sameName(n, name))) continue
      const rival = filled.find((n) => {
        const sentence = p[n.start]!.sentence
        if (statesNothing(p, sentence)) return false
        const window = p.slice(Math.max(0, n.start - WINDOW), n.end + WINDOW).filter((t) => t.sentence === sentence)
        const near = new Set(window.map((t) => t.key))
        const nearWords = new Set(window.map((t) => t.lower))
        return others.every((w) => near.has(w)) && otherNames.every((o) => o.words.every((w) => nearWords.has(w)))
      })
      if (rival === undefined) continue
      // No support taken away for a direct object ("won Roland Garros" for "won the French Open", "won the Lombardi
      // Trophy"): events and trophies go by many names. Nor where one of the two names is a place and the other is
      // not, or another kind of place: a team or a government goes by its city ("Philadelphia won" for the Eagles,
      // "KC won", "Washington imposed" for the United States), a country by its people and officials ("Lionel Messi
      // won the 2022 World Cup" for Argentina). Two countries ("France won" for Argentina), two cities or two other
      // names are two holders.
      const objectSlot = slot.side === 'before' && slot.prepositions.length === 0
      if (!named && !objectSlot && placeKind(rival, p) === placeKind(name, c, false)) unsupported = true
    }
  }
  return unsupported ? 'unsupported' : undefined
}
