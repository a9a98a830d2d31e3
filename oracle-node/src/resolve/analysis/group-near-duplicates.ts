/**
 * Groups syndicated and copied stories: a wire story that twenty sites run with a new headline, a local
 * sentence or a trimmed paragraph is one group, so that it counts once when sources are weighed.
 *
 * Method: MinHash over word shingles. Each text is normalised (NFKC, lower case, letters and digits only),
 * cut into overlapping `shingleWords`-word shingles, and summarised by the minimum of `numHashes` seeded
 * hash functions over its shingles; the share of equal minima estimates the Jaccard similarity of two
 * shingle sets. Candidate pairs come from locality-sensitive banding (`bands` bands of numHashes / bands
 * rows): texts that agree on a whole band share a bucket. A candidate pair whose estimated Jaccard reaches
 * `threshold` is merged (union-find), so copies of copies join the same group.
 *
 * Why this bounds the cost on hostile input: every text is read up to `maxWordsPerText` words, each bucket
 * compares its members with at most `MAX_ANCHORS_PER_BUCKET` anchors (10,000 identical copies cost 10,000
 * comparisons per band, not 50 million), and the work is linear in the number of texts otherwise. Empty
 * texts have no shingles and stay alone: nothing can be said about their similarity.
 *
 * Deterministic: the hash functions are drawn from `seed`, and groups are listed by their first member.
 */
import { BaseError } from '@sibyl/protocol/errors'
import { runSliced, runToCompletion, type Slicer } from '@sibyl/service-kit/time/slice-work'
import { createSeededRandom, hashText32 } from './create-seeded-random.ts'

export type GroupNearDuplicatesParameters = {
  texts: readonly string[]
  /** Estimated Jaccard similarity of shingle sets at which two texts are copies (default 0.5). */
  threshold?: number
  /** Words per shingle (default 5): short enough for edits to leave most shingles, long enough that independent reports on the same event share few. */
  shingleWords?: number
  /**
   * MinHash functions (default 64) and bands (default 32, of 2 rows; must divide numHashes): a pair at
   * Jaccard 0.5 shares a band with probability 1 − 0.75³² > 0.9999, and every candidate is then checked on
   * the whole signature.
   */
  numHashes?: number
  bands?: number
  /** Words read per text (default 3,000): a 5 MB page costs no more than a long article. */
  maxWordsPerText?: number
  seed?: string
}

export type GroupNearDuplicatesReturnType = {
  /** Indices into `texts`, each group ascending, groups ordered by their first index; every index in exactly one group. */
  groups: number[][]
  /** For each text, the index of its group in `groups`. */
  groupOf: number[]
}

export const DEFAULT_DUPLICATE_THRESHOLD = 0.5
const MAX_ANCHORS_PER_BUCKET = 8
/** Characters normalised per text before splitting into words (words are capped too; this bounds the regex work). */
const MAX_CHARS_PER_TEXT = 200_000

export function groupNearDuplicates(parameters: GroupNearDuplicatesParameters): GroupNearDuplicatesReturnType {
  return runToCompletion(groupSteps(parameters))
}

/** The same groups, computed in slices on the node's event loop (one text's signature, one band's text per step). */
export function groupNearDuplicatesSliced(parameters: GroupNearDuplicatesParameters, slicer: Slicer): Promise<GroupNearDuplicatesReturnType> {
  return runSliced(groupSteps(parameters), slicer)
}

function* groupSteps(parameters: GroupNearDuplicatesParameters): Generator<void, GroupNearDuplicatesReturnType, undefined> {
  const { texts } = parameters
  const threshold = finiteOr(parameters.threshold, DEFAULT_DUPLICATE_THRESHOLD)
  const shingleWords = Math.max(1, Math.floor(finiteOr(parameters.shingleWords, 5)))
  const numHashes = Math.max(1, Math.floor(finiteOr(parameters.numHashes, 64)))
  const bands = Math.max(1, Math.floor(finiteOr(parameters.bands, 32)))
  if (numHashes % bands !== 0) throw new DuplicateBandingError(numHashes, bands)
  const rows = numHashes / bands
  const maxWords = Math.max(shingleWords, Math.floor(finiteOr(parameters.maxWordsPerText, 3000)))

  const random = createSeededRandom(`minhash:${parameters.seed ?? ''}`)
  const salts = Uint32Array.from({ length: numHashes }, () => Math.floor(random() * 4_294_967_296))
  const signatures: (Uint32Array | undefined)[] = []
  for (const t of texts) {
    signatures.push(minHashSignature(normalizeWords(t, maxWords), shingleWords, salts))
    yield
  }

  const parent = texts.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  const union = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }

  for (let band = 0; band < bands; band++) {
    const buckets = new Map<string, number[]>()
    for (let i = 0; i < signatures.length; i++) {
      const s = signatures[i]
      if (s === undefined) continue
      const key = Array.from(s.subarray(band * rows, (band + 1) * rows)).join(',')
      const bucket = buckets.get(key)
      if (bucket === undefined) {
        buckets.set(key, [i])
        continue
      }
      // Compare with the bucket's first few members only: bounded work however many copies share it.
      for (const anchor of bucket) {
        if (find(anchor) !== find(i) && estimateJaccard(signatures[anchor]!, s) >= threshold) union(anchor, i)
      }
      if (bucket.length < MAX_ANCHORS_PER_BUCKET) bucket.push(i)
      if (i % 256 === 255) yield
    }
    yield
  }

  const groups: number[][] = []
  const groupOf: number[] = new Array<number>(texts.length)
  const byRoot = new Map<number, number>()
  for (let i = 0; i < texts.length; i++) {
    const root = find(i)
    let g = byRoot.get(root)
    if (g === undefined) {
      g = groups.length
      byRoot.set(root, g)
      groups.push([])
    }
    groups[g]!.push(i)
    groupOf[i] = g
  }
  return { groups, groupOf }
}

/** A caller's bug: the LSH bands must split the signature evenly. */
export class DuplicateBandingError extends BaseError {
  override name = 'DuplicateBandingError' as const
  constructor(numHashes: number, bands: number) {
    super('the bands must divide the MinHash signature', { details: `bands ${bands}, numHashes ${numHashes}` })
  }
}

/** Lower-cased letter and digit runs of the first MAX_CHARS_PER_TEXT characters, at most maxWords of them. */
function normalizeWords(text: string, maxWords: number): string[] {
  const words: string[] = []
  const sample = typeof text === 'string' ? text.slice(0, MAX_CHARS_PER_TEXT).normalize('NFKC').toLowerCase() : ''
  for (const m of sample.matchAll(/[\p{L}\p{N}]+/gu)) {
    words.push(m[0])
    if (words.length >= maxWords) break
  }
  return words
}

/**
 * The MinHash signature of the text's shingles, or undefined for a text without words. A shingle's hash
 * combines its words' hashes (no string is built per shingle), then each salt gives one permutation.
 */
function minHashSignature(words: readonly string[], shingleWords: number, salts: Uint32Array): Uint32Array | undefined {
  if (words.length === 0) return undefined
  const wordHashes = Uint32Array.from(words, (w) => hashText32(w))
  const signature = new Uint32Array(salts.length).fill(0xffffffff)
  const count = Math.max(1, words.length - shingleWords + 1)
  for (let i = 0; i < count; i++) {
    let base = 0x9e3779b9
    for (let j = i; j < Math.min(words.length, i + shingleWords); j++) base = mix32(Math.imul(base ^ wordHashes[j]!, 0x01000193))
    for (let k = 0; k < salts.length; k++) {
      const h = mix32(base ^ salts[k]!)
      if (h < signature[k]!) signature[k] = h
    }
  }
  return signature
}

/** murmur3's finaliser: a well-mixed 32-bit permutation, one per salt. */
function mix32(x: number): number {
  x ^= x >>> 16
  x = Math.imul(x, 0x85ebca6b)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35)
  x ^= x >>> 16
  return x >>> 0
}

function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0
  for (let k = 0; k < a.length; k++) if (a[k] === b[k]) same++
  return same / a.length
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback
}
