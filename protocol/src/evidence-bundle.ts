/**
 * The evidence bundle: everything one node read and computed for one observation, in canonical bytes, so that
 * the `evidenceHash` it signs is the hash of exactly that, and anyone can fetch the bundle, check it against
 * the signed observation, and re-run the judgement.
 *
 * Layout (defined once, here; ABI encoding, so a contract can check a proof with `abi.encode` + keccak256):
 * - a header: what was asked (the exact on-chain spec string), by whom (signer, node name), when (the chain
 *   time the judge used), with what (model id and hash, each model's own hash, device, judge parameters) and
 *   what the judge itself concluded (answer, confidence, reason, per-outcome probabilities, the value);
 * - one record per source of the spec, in spec order: URL, final URL, fetch time, HTTP status, content type,
 *   charset, keccak256 and size of the raw body, the raw body itself when it is at most
 *   `evidenceLimits.maxRawBytesPerSource` (else only its hash: the extracted text stays), the extracted main
 *   text, the passages the judge scored (with cosine similarity and, per hypothesis, support / refute / neither
 *   and the log-odds it used), and for structured readers the values they extracted (per-source vote and
 *   detail) instead of passages. A failed source keeps its URL and failure reason.
 *
 * The hash is an RFC 6962 Merkle tree hash (keccak256, 0x00 before a leaf, 0x01 before an inner node) over the
 * leaves [header, source 0, source 1, …], each leaf the ABI encoding of its record, in which a source's raw page
 * and extracted text appear as their keccak256 and size. So the evidence hash is one bytes32, and one source can
 * be proven alone (its record plus log2(n) hashes, and its page or text to check against their hashes).
 *
 * Floats never enter the bytes: scores are integers scaled by 1e9 (`…E9`), probabilities basis points.
 * The stored object is the magic, the ABI-encoded records, then each source's raw page and text (see
 * encodeEvidenceBundle); a decoder re-encodes what it read and refuses bytes that are not exactly the canonical
 * encoding, so one bundle has one byte string and one hash.
 */
import { AbiCoder, concat, keccak256, ParamType, toUtf8Bytes, ZeroHash } from 'ethers'
import { BaseError } from './errors.ts'
import { evidenceBucket as evidenceBucketDefinition } from './subjects.ts'

export const EVIDENCE_BUNDLE_VERSION = 2

/** Bounds every producer keeps and every reader checks. */
export const evidenceLimits = {
  /** Raw bytes of one source kept in a bundle; a larger body is kept as its hash, size and extracted text. */
  maxRawBytesPerSource: 512 * 1024,
  /** A question or feed spec names at most 8 sources (question-spec.ts). */
  maxSources: 8,
  /** Articles a discovery question reads (question-spec.ts discoveryLimits.maxArticles): records after the spec's sources. */
  maxArticles: 200,
  /** Feeds and sitemaps a discovery header lists (the spec's and the operator's). */
  maxDiscoverySources: 48,
  /** Passages scored per source (the text judge scores its top 4; room for operators who configure more). */
  maxPassagesPerSource: 64,
  /** Scores per passage: one per hypothesis, at most one per outcome (32). */
  maxScoresPerPassage: 32,
  /** Structured values per source (one vote each). */
  maxValuesPerSource: 8,
  maxOutcomes: 32,
  /**
   * The ABI-encoded records (header and source records, without pages and texts). What the producer writes is
   * far smaller: the header is at most ~16 KiB (the on-chain spec is at most 8 KiB, ResolutionOracle.MAX_SPEC_BYTES)
   * and a source record with the text judge's 4 passages of ≤ 400 characters and ≤ 32 scores each is ~30 KiB, so 8
   * sources make ~250 KiB; 1 MiB leaves room for operators who score ~4× more passages. Checked before the records
   * are decoded, so a reader never hands more than this to the ABI decoder.
   */
  maxRecordsBytes: 1024 * 1024,
  /** The whole encoded bundle: also the per-object limit of the evidence bucket. */
  maxBundleBytes: 16 * 1024 * 1024,
} as const

/**
 * The JetStream Object Store where bundles live: one bucket per signer, named, bounded and kept as
 * `subjects.ts` defines it (so NATS permissions let a node write only its own bucket while everyone reads every
 * bucket); an object's name is the evidence hash it must hash to, and one object is at most a bundle's bound. The
 * node keeps objects at least the protocol's lifetime and longer when the deployment's dispute window plus voting
 * period ask for it (start-oracle-node.ts); a full bucket refuses new objects (JetStream discard-new) rather than
 * drop old evidence, and the node then keeps serving from its local copy.
 */
export const evidenceBucket = {
  ...evidenceBucketDefinition,
  maxObjectBytes: evidenceLimits.maxBundleBytes,
} as const

/** Where the bundle behind a signed observation is fetched from: its signer's bucket, under its hash. */
export function evidenceLocation(signer: string, evidenceHash: string): { bucket: string; object: string } {
  return { bucket: evidenceBucket.name(signer), object: evidenceHash.toLowerCase() }
}

export type EvidenceModel = { role: string; id: string; hash: string }

export type EvidenceHeader = {
  version: number
  kind: 'resolution' | 'feed'
  chainId: bigint
  contract: string
  requestId: string
  round: number
  signer: string
  /** The node's own name (self-declared, for people; the signer is what counts). */
  node: string
  /** The exact spec string the request carries on-chain (its keccak256 is the request's specHash). */
  spec: string
  /** text | sports.winner | numeric.threshold | feed | invalid */
  questionType: string
  /** The chain time the judge was given (too early vs unresolvable). */
  nowSec: number
  createdAtMs: number
  /** The signed model id and hash, and the hash of each model behind it. */
  modelId: string
  modelHash: string
  models: EvidenceModel[]
  /** cpu | cuda: the execution provider the sentence encoder ran on. */
  device: string
  minConfidenceBps: number
  topKPerSource: number
  /** The judge's own conclusion (what an honest node signs): outcome index, -1 unresolvable, -2 too early, or the value. */
  answer: bigint
  confidenceBps: number
  reason: string
  outcomeProbabilitiesBps: number[]
  /** numeric types: the value compared or reported, as a decimal string; else empty. */
  value: string
  /** [low, high] in bps around confidenceBps (low ≤ confidenceBps ≤ high); absent (encoded empty) when the judge gave none. */
  confidenceIntervalBps?: [number, number]
  /** Articles (or sources) that gave text to judge; absent when 0. */
  articlesRead?: number
  /** Discovery questions: every feed and sitemap looked at, the spec's and this node's own; absent when none. */
  discovery?: EvidenceDiscoverySource[]
}

export type EvidenceDiscoverySource = {
  url: string
  /** spec | operator: named by the question, or added by this node's operator. */
  origin: string
  /** feed | sitemap */
  kind: string
  /** Empty when read; else why not. */
  failure: string
  items: number
  inWindow: number
  note: string
}

export type EvidencePairScore = {
  /** The outcome whose hypothesis was judged (yes/no: the YES outcome). */
  outcomeIndex: number
  supportE9: number
  refuteE9: number
  neitherE9: number
  /** The polarity log-odds the combination used (after the winner cue), ×1e9. */
  logOddsE9: number
}

export type EvidencePassage = {
  /** Index in the judge's passage list of that source (from the extracted text). */
  passageIndex: number
  text: string
  /** Cosine similarity to the question, ×1e9. */
  similarityE9: number
  scores: EvidencePairScore[]
}

export type EvidenceValue = {
  /** This source's own vote (outcome index or reserved answer), or for a feed its value. */
  answer: bigint
  /** The value read, as a decimal string (empty when none). */
  value: string
  detail: string
}

export type EvidenceSource = {
  /** Index into the spec's sources. */
  index: number
  url: string
  finalUrl: string
  /** Empty when the source was read; else why not ("timeout: ..."). */
  failure: string
  fetchedAtMs: number
  /** HTTP status of the final response (0 when none). */
  status: number
  contentType: string
  charset: string
  /** keccak256 of the raw body (decompressed, as served); zero when nothing was read. */
  rawHash: string
  rawSize: number
  /** The raw body when at most maxRawBytesPerSource, else empty (rawHash and text remain). */
  raw: Uint8Array
  rawIncluded: boolean
  /** The extracted main text (or the JSON value as text): what the judge read. */
  text: string
  passages: EvidencePassage[]
  values: EvidenceValue[]
}

export type EvidenceBundle = { header: EvidenceHeader; sources: EvidenceSource[] }

export class EvidenceBundleError extends BaseError {
  override name = 'EvidenceBundleError' as const
}

// ABI layouts. Changing one changes every hash: bump EVIDENCE_BUNDLE_VERSION and the golden vector with it.
const MODEL = 'tuple(string role, string id, bytes32 hash)'
const DISCOVERY = 'tuple(string url, string origin, string kind, string failure, uint32 items, uint32 inWindow, string note)'
/** Version 2 added the interval, the articles read and the discovery sources at the end. */
export const EVIDENCE_HEADER_ABI =
  `tuple(uint16 version, string kind, uint256 chainId, address contract, bytes32 requestId, uint32 round, address signer, string node, string spec, string questionType, uint64 nowSec, uint64 createdAtMs, string modelId, bytes32 modelHash, ${MODEL}[] models, string device, uint16 minConfidenceBps, uint16 topKPerSource, int256 answer, uint16 confidenceBps, string reason, uint16[] outcomeProbabilitiesBps, string value, uint16[] confidenceIntervalBps, uint32 articlesRead, ${DISCOVERY}[] discovery)`
const SCORE = 'tuple(uint8 outcomeIndex, int64 supportE9, int64 refuteE9, int64 neitherE9, int64 logOddsE9)'
const PASSAGE = `tuple(uint32 passageIndex, string text, int64 similarityE9, ${SCORE}[] scores)`
const VALUE = 'tuple(int256 answer, string value, string detail)'
/**
 * A source's record without its bulk: the raw page and the extracted text are committed by their keccak256 and
 * size, and travel after the records in the stored object (see encodeEvidenceBundle). Hashing a bundle therefore
 * never re-encodes megabytes, and a source's leaf stays small enough to prove on-chain.
 */
export const EVIDENCE_SOURCE_ABI =
  `tuple(uint8 index, string url, string finalUrl, string failure, uint64 fetchedAtMs, uint16 status, string contentType, string charset, bytes32 rawHash, uint64 rawSize, bool rawIncluded, bytes32 textHash, uint64 textBytes, ${PASSAGE}[] passages, ${VALUE}[] values)`

/** The first bytes of a stored bundle: "SIBYLEV" and the version. */
export const EVIDENCE_MAGIC = new Uint8Array([0x53, 0x49, 0x42, 0x59, 0x4c, 0x45, 0x56, EVIDENCE_BUNDLE_VERSION])

const abi = AbiCoder.defaultAbiCoder()

function headerTuple(h: EvidenceHeader) {
  return [
    h.version, h.kind, h.chainId, h.contract, h.requestId, h.round, h.signer, h.node, h.spec, h.questionType, h.nowSec, h.createdAtMs,
    h.modelId, h.modelHash, h.models.map((m) => [m.role, m.id, m.hash]), h.device, h.minConfidenceBps, h.topKPerSource, h.answer,
    h.confidenceBps, h.reason, h.outcomeProbabilitiesBps, h.value, h.confidenceIntervalBps ?? [], h.articlesRead ?? 0,
    (h.discovery ?? []).map((d) => [d.url, d.origin, d.kind, d.failure, d.items, d.inWindow, d.note]),
  ]
}

const utf8 = (text: string) => Buffer.from(text, 'utf8')

function sourceTuple(s: EvidenceSource, text: Uint8Array = utf8(s.text)) {
  return [
    s.index, s.url, s.finalUrl, s.failure, s.fetchedAtMs, s.status, s.contentType, s.charset, s.rawHash, s.rawSize, s.rawIncluded, keccak256(text), text.length,
    s.passages.map((p) => [p.passageIndex, p.text, p.similarityE9, p.scores.map((c) => [c.outcomeIndex, c.supportE9, c.refuteE9, c.neitherE9, c.logOddsE9])]),
    s.values.map((v) => [v.answer, v.value, v.detail]),
  ]
}

/** Throws when a bundle breaks a bound or an invariant; producers call it before encoding, readers after decoding. */
export function checkEvidenceBundle(bundle: EvidenceBundle): void {
  const fail = (path: string, message: string): never => {
    throw new EvidenceBundleError(`Invalid evidence bundle: ${path}: ${message}`)
  }
  const { header: h, sources } = bundle
  if (h.version !== EVIDENCE_BUNDLE_VERSION) fail('header.version', `expected ${EVIDENCE_BUNDLE_VERSION}, got ${h.version}`)
  if (h.kind !== 'resolution' && h.kind !== 'feed') fail('header.kind', `unknown kind ${String(h.kind)}`)
  if (h.outcomeProbabilitiesBps.length > evidenceLimits.maxOutcomes) fail('header.outcomeProbabilitiesBps', 'too many outcomes')
  if (h.confidenceBps > 10_000) fail('header.confidenceBps', 'above 10000')
  if (sources.length > evidenceLimits.maxSources + evidenceLimits.maxArticles) fail('sources', `more than ${evidenceLimits.maxSources + evidenceLimits.maxArticles}`)
  const interval = h.confidenceIntervalBps
  if (interval !== undefined && !(interval.length === 2 && Number.isInteger(interval[0]) && Number.isInteger(interval[1]) && 0 <= interval[0] && interval[0] <= h.confidenceBps && h.confidenceBps <= interval[1] && interval[1] <= 10_000)) {
    fail('header.confidenceIntervalBps', 'expected [low, high] with 0 <= low <= confidenceBps <= high <= 10000')
  }
  if (h.articlesRead !== undefined && !(Number.isInteger(h.articlesRead) && h.articlesRead >= 0 && h.articlesRead <= 0xffffffff)) fail('header.articlesRead', 'not a uint32')
  if ((h.discovery?.length ?? 0) > evidenceLimits.maxDiscoverySources) fail('header.discovery', `more than ${evidenceLimits.maxDiscoverySources}`)
  sources.forEach((s, i) => {
    const at = `sources.${i}`
    if (!s.rawIncluded && s.raw.length > 0) fail(`${at}.raw`, 'raw bytes present but rawIncluded is false')
    if (s.raw.length > evidenceLimits.maxRawBytesPerSource) fail(`${at}.raw`, `over ${evidenceLimits.maxRawBytesPerSource} bytes`)
    if (s.rawIncluded && s.raw.length !== s.rawSize) fail(`${at}.rawSize`, `${s.rawSize} but raw has ${s.raw.length} bytes`)
    if (s.rawIncluded && keccak256(s.raw) !== s.rawHash) fail(`${at}.rawHash`, 'does not hash the raw bytes')
    if (s.passages.length > evidenceLimits.maxPassagesPerSource) fail(`${at}.passages`, `more than ${evidenceLimits.maxPassagesPerSource}`)
    if (s.values.length > evidenceLimits.maxValuesPerSource) fail(`${at}.values`, `more than ${evidenceLimits.maxValuesPerSource}`)
    s.passages.forEach((p, k) => {
      if (p.scores.length > evidenceLimits.maxScoresPerPassage) fail(`${at}.passages.${k}.scores`, `more than ${evidenceLimits.maxScoresPerPassage}`)
    })
  })
}

/**
 * The canonical bytes of a bundle: EVIDENCE_MAGIC ‖ uint32 (big-endian) length of the records ‖ the records,
 * `abi.encode(header, sources[])` (each source without its bulk) ‖ the bulk, source by source in order: the raw
 * page (when included, rawSize bytes) then the extracted text (textBytes of UTF-8). Every length is declared in
 * the records, so the bytes of a bundle are one and only one.
 */
export function encodeEvidenceBundle(bundle: EvidenceBundle): Uint8Array {
  checkEvidenceBundle(bundle)
  const texts = bundle.sources.map((s) => utf8(s.text))
  const records = Buffer.from(abi.encode([EVIDENCE_HEADER_ABI, `${EVIDENCE_SOURCE_ABI}[]`], [headerTuple(bundle.header), bundle.sources.map((s, i) => sourceTuple(s, texts[i]))]).slice(2), 'hex')
  if (records.length > evidenceLimits.maxRecordsBytes) throw new EvidenceBundleError(`Invalid evidence bundle: records of ${records.length} bytes are over the ${evidenceLimits.maxRecordsBytes}-byte limit`)
  const length = Buffer.alloc(4)
  length.writeUInt32BE(records.length)
  return Buffer.concat([EVIDENCE_MAGIC, length, records, ...bundle.sources.flatMap((s, i) => [s.rawIncluded ? s.raw : new Uint8Array(), texts[i]!])])
}

const num = (v: unknown) => Number(v as bigint)

/** The records as one tuple: `abi.encode(header, sources)` is the encoding of `tuple(header, sources)`. */
const RECORDS_TYPE = ParamType.from(`tuple(${EVIDENCE_HEADER_ABI} header, ${EVIDENCE_SOURCE_ABI}[] sources)`)

/** Bounds on the dynamic arrays of the records, by the array's name (an unnamed or unlisted array is bounded by the bytes). */
const ARRAY_LIMITS: Record<string, number> = {
  sources: evidenceLimits.maxSources + evidenceLimits.maxArticles,
  discovery: evidenceLimits.maxDiscoverySources,
  confidenceIntervalBps: 2,
  passages: evidenceLimits.maxPassagesPerSource,
  scores: evidenceLimits.maxScoresPerPassage,
  values: evidenceLimits.maxValuesPerSource,
  outcomeProbabilitiesBps: evidenceLimits.maxOutcomes,
}

/**
 * Walks the ABI encoding of the records without decoding any value and refuses anything but the canonical
 * layout: every dynamic offset must be exactly the position where the previous tail ended (so offsets strictly
 * increase, stay in bounds and never alias), every array count within ARRAY_LIMITS and within the bytes left,
 * every string within the bytes left, and the encoding must end exactly at the end of the records. The walk
 * visits each 32-byte word at most once, so its work, and the ABI decoder's afterwards, is linear in the bytes.
 */
export function checkCanonicalRecords(records: Uint8Array): void {
  const data = Buffer.from(records.buffer, records.byteOffset, records.byteLength)
  const fail = (path: string, message: string): never => {
    throw new EvidenceBundleError(`Evidence bundle records are not canonically encoded: ${path}: ${message}.`)
  }
  /** A word as a position or count: its high 26 bytes zero (anything larger is out of bounds anyway). */
  const word = (at: number, end: number, path: string): number => {
    if (at + 32 > end) fail(path, 'past the end')
    for (let i = at; i < at + 26; i++) if (data[i] !== 0) fail(path, 'offset or length out of range')
    return data.readUIntBE(at + 26, 6)
  }
  const isDynamic = (type: ParamType): boolean => {
    if (type.isTuple()) return type.components.some(isDynamic)
    if (type.isArray()) return type.arrayLength < 0 || isDynamic(type.arrayChildren)
    return type.baseType === 'string' || type.baseType === 'bytes'
  }
  const staticSize = (type: ParamType): number => {
    if (type.isTuple()) return type.components.reduce((n, c) => n + staticSize(c), 0)
    if (type.isArray()) return type.arrayLength * staticSize(type.arrayChildren)
    return 32
  }
  /** The heads then tails of a sequence of values (a tuple's components, an array's elements) at `start`. */
  const walkSequence = (types: readonly ParamType[], start: number, end: number, path: string): number => {
    let headSize = 0
    for (const t of types) headSize += isDynamic(t) ? 32 : staticSize(t)
    if (start + headSize > end) fail(path, 'heads past the end')
    let head = start
    let cursor = headSize
    types.forEach((t, i) => {
      const at = `${path}.${t.name || i}`
      if (!isDynamic(t)) {
        head += staticSize(t)
        return
      }
      const offset = word(head, end, at)
      if (offset !== cursor) fail(at, `offset ${offset}, expected ${cursor}`)
      cursor += walk(t, start + offset, end, at)
      head += 32
    })
    return cursor
  }
  /** The size of the canonical encoding of a dynamic value of `type` at `start`. */
  const walk = (type: ParamType, start: number, end: number, path: string): number => {
    if (type.isTuple()) return walkSequence(type.components, start, end, path)
    if (type.isArray()) {
      if (type.arrayLength >= 0) return walkSequence(Array.from({ length: type.arrayLength }, () => type.arrayChildren), start, end, path)
      const count = word(start, end, path)
      const limit = ARRAY_LIMITS[type.name]
      if (limit !== undefined && count > limit) fail(path, `${count} entries, more than ${limit}`)
      if (count * 32 > end - start - 32) fail(path, `${count} entries past the end`)
      return 32 + walkSequence(Array.from({ length: count }, () => type.arrayChildren), start + 32, end, path)
    }
    // string or bytes: a length word, then the bytes padded to whole words.
    const length = word(start, end, path)
    const padded = Math.ceil(length / 32) * 32
    if (padded > end - start - 32) fail(path, `${length} bytes past the end`)
    return 32 + padded
  }
  const size = walk(RECORDS_TYPE, 0, data.length, 'records')
  if (size !== data.length) fail('records', `${data.length - size} bytes after the encoding`)
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Reads canonical bundle bytes; refuses anything over the size bound, malformed, or not canonically encoded. */
export function decodeEvidenceBundle(bytes: Uint8Array): EvidenceBundle {
  const fail = (message: string, cause?: unknown): never => {
    throw new EvidenceBundleError(message, cause === undefined ? {} : { cause })
  }
  if (bytes.length > evidenceLimits.maxBundleBytes) fail(`Evidence bundle of ${bytes.length} bytes is over the ${evidenceLimits.maxBundleBytes}-byte limit.`)
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (all.length < EVIDENCE_MAGIC.length + 4 || Buffer.compare(all.subarray(0, EVIDENCE_MAGIC.length), EVIDENCE_MAGIC) !== 0) fail(`Evidence bundle bytes do not decode: not a version-${EVIDENCE_BUNDLE_VERSION} bundle.`)
  const recordsLength = all.readUInt32BE(EVIDENCE_MAGIC.length)
  const recordsEnd = EVIDENCE_MAGIC.length + 4 + recordsLength
  if (recordsEnd > all.length) fail('Evidence bundle bytes do not decode: records past the end.')
  if (recordsLength > evidenceLimits.maxRecordsBytes) fail(`Evidence bundle records of ${recordsLength} bytes are over the ${evidenceLimits.maxRecordsBytes}-byte limit.`)
  // Before the ABI decoder sees them: every offset canonical (no aliasing), every count within the format's bounds.
  checkCanonicalRecords(all.subarray(EVIDENCE_MAGIC.length + 4, recordsEnd))
  let decoded: ReturnType<AbiCoder['decode']>
  try {
    decoded = abi.decode([EVIDENCE_HEADER_ABI, `${EVIDENCE_SOURCE_ABI}[]`], all.subarray(EVIDENCE_MAGIC.length + 4, recordsEnd))
  } catch (cause) {
    return fail('Evidence bundle bytes do not decode.', cause)
  }
  const h = decoded[0]
  const header: EvidenceHeader = {
    version: num(h.version),
    kind: h.kind,
    chainId: h.chainId,
    contract: h.contract,
    requestId: h.requestId,
    round: num(h.round),
    signer: h.signer,
    node: h.node,
    spec: h.spec,
    questionType: h.questionType,
    nowSec: num(h.nowSec),
    createdAtMs: num(h.createdAtMs),
    modelId: h.modelId,
    modelHash: h.modelHash,
    models: [...h.models].map((m) => ({ role: m.role, id: m.id, hash: m.hash })),
    device: h.device,
    minConfidenceBps: num(h.minConfidenceBps),
    topKPerSource: num(h.topKPerSource),
    answer: h.answer,
    confidenceBps: num(h.confidenceBps),
    reason: h.reason,
    outcomeProbabilitiesBps: [...h.outcomeProbabilitiesBps].map(num),
    value: h.value,
  }
  // The new fields are left out when empty, so a bundle that never had them decodes to what was encoded.
  const interval = [...h.confidenceIntervalBps].map(num)
  if (interval.length > 0) header.confidenceIntervalBps = interval as [number, number]
  if (num(h.articlesRead) > 0) header.articlesRead = num(h.articlesRead)
  const discovery = [...h.discovery].map((d) => ({ url: d.url, origin: d.origin, kind: d.kind, failure: d.failure, items: num(d.items), inWindow: num(d.inWindow), note: d.note }))
  if (discovery.length > 0) header.discovery = discovery
  let offset = recordsEnd
  const take = (length: number, what: string): Buffer => {
    if (!Number.isSafeInteger(length) || length < 0 || offset + length > all.length) fail(`Evidence bundle bytes do not decode: ${what} past the end.`)
    const slice = all.subarray(offset, offset + length)
    offset += length
    return slice
  }
  const sources: EvidenceSource[] = [...decoded[1]].map((s, i) => {
    const rawIncluded = s.rawIncluded as boolean
    const raw = Buffer.from(take(rawIncluded ? num(s.rawSize) : 0, `source ${i} raw page`))
    const textBytes = take(num(s.textBytes), `source ${i} text`)
    if (keccak256(textBytes) !== s.textHash) fail(`Invalid evidence bundle: sources.${i}.textHash does not hash the text.`)
    let text = ''
    try {
      text = strictUtf8.decode(textBytes)
    } catch (cause) {
      fail(`Invalid evidence bundle: sources.${i} text is not UTF-8.`, cause)
    }
    return {
      index: num(s.index),
      url: s.url,
      finalUrl: s.finalUrl,
      failure: s.failure,
      fetchedAtMs: num(s.fetchedAtMs),
      status: num(s.status),
      contentType: s.contentType,
      charset: s.charset,
      rawHash: s.rawHash,
      rawSize: num(s.rawSize),
      rawIncluded,
      raw,
      text,
      passages: [...s.passages].map((p) => ({
        passageIndex: num(p.passageIndex),
        text: p.text,
        similarityE9: num(p.similarityE9),
        scores: [...p.scores].map((c) => ({ outcomeIndex: num(c.outcomeIndex), supportE9: num(c.supportE9), refuteE9: num(c.refuteE9), neitherE9: num(c.neitherE9), logOddsE9: num(c.logOddsE9) })),
      })),
      // By position: an ethers Result is an Array, and `values` is one of its methods.
      values: [...s[14]].map((v) => ({ answer: v.answer, value: v.value, detail: v.detail })),
    }
  })
  if (offset !== all.length) fail('Evidence bundle bytes are not canonically encoded: bytes after the last source.')
  const bundle = { header, sources }
  const again = encodeEvidenceBundle(bundle)
  if (Buffer.compare(Buffer.from(again), all) !== 0) fail('Evidence bundle bytes are not canonically encoded.')
  return bundle
}

const LEAF_PREFIX = new Uint8Array([0])
const NODE_PREFIX = new Uint8Array([1])

/** keccak256(0x00 ‖ abi.encode(header)). */
export function evidenceHeaderLeaf(header: EvidenceHeader): string {
  return keccak256(concat([LEAF_PREFIX, abi.encode([EVIDENCE_HEADER_ABI], [headerTuple(header)])]))
}

/** keccak256(0x00 ‖ abi.encode(source record)): the raw page and the text enter through their hashes. */
export function evidenceSourceLeaf(source: EvidenceSource): string {
  return keccak256(concat([LEAF_PREFIX, abi.encode([EVIDENCE_SOURCE_ABI], [sourceTuple(source)])]))
}

/** The Merkle leaves of a bundle: the header first, then each source in order. */
export function evidenceLeaves(bundle: EvidenceBundle): string[] {
  return [evidenceHeaderLeaf(bundle.header), ...bundle.sources.map(evidenceSourceLeaf)]
}

function innerNode(left: string, right: string): string {
  return keccak256(concat([NODE_PREFIX, left, right]))
}

/** The largest power of two below n (n ≥ 2): RFC 6962's split. */
function split(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** RFC 6962 Merkle tree hash over leaf hashes (keccak256 of the empty string for no leaves). */
export function merkleRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return keccak256(new Uint8Array())
  if (leaves.length === 1) return leaves[0]!
  const k = split(leaves.length)
  return innerNode(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)))
}

/** RFC 6962 audit path of leaf `index`: sibling hashes, deepest first. */
export function merkleProof(leaves: readonly string[], index: number): string[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} of ${leaves.length}`)
  if (leaves.length === 1) return []
  const k = split(leaves.length)
  return index < k
    ? [...merkleProof(leaves.slice(0, k), index), merkleRoot(leaves.slice(k))]
    : [...merkleProof(leaves.slice(k), index - k), merkleRoot(leaves.slice(0, k))]
}

/** The root a leaf and its audit path imply (compare it with the signed evidenceHash). */
export function merkleRootFromProof(leaf: string, index: number, count: number, proof: readonly string[]): string {
  if (index < 0 || index >= count) throw new RangeError(`leaf ${index} of ${count}`)
  if (count === 1) {
    if (proof.length !== 0) throw new EvidenceBundleError('Merkle proof too long.')
    return leaf
  }
  if (proof.length === 0) throw new EvidenceBundleError('Merkle proof too short.')
  const k = split(count)
  const sibling = proof[proof.length - 1]!
  const rest = proof.slice(0, -1)
  return index < k ? innerNode(merkleRootFromProof(leaf, index, k, rest), sibling) : innerNode(sibling, merkleRootFromProof(leaf, index - k, count - k, rest))
}

/** The evidence hash a node signs: the Merkle root over the bundle's leaves. */
export function hashEvidenceBundle(bundle: EvidenceBundle): string {
  return merkleRoot(evidenceLeaves(bundle))
}

export type EvidenceSourceProof = { source: EvidenceSource; leafIndex: number; leafCount: number; proof: string[] }

/** What proves one source against an evidence hash without the rest of the bundle. */
export function proveEvidenceSource(bundle: EvidenceBundle, sourcePosition: number): EvidenceSourceProof {
  const leaves = evidenceLeaves(bundle)
  const leafIndex = sourcePosition + 1
  return { source: bundle.sources[sourcePosition]!, leafIndex, leafCount: leaves.length, proof: merkleProof(leaves, leafIndex) }
}

export function verifyEvidenceSource(evidenceHash: string, proof: EvidenceSourceProof): boolean {
  if (proof.leafIndex < 1) return false
  try {
    return merkleRootFromProof(evidenceSourceLeaf(proof.source), proof.leafIndex, proof.leafCount, proof.proof) === evidenceHash.toLowerCase()
  } catch {
    return false
  }
}

/** A score in [-9.2e9, 9.2e9] as the integer the bundle stores (×1e9, rounded; non-finite as 0). */
export function toE9(value: number): number {
  if (!Number.isFinite(value)) return 0
  return Math.round(value * 1e9)
}

export const ZERO_RAW_HASH = ZeroHash

/** What a bundle must say to be the evidence of one signed observation: the observation, its domain, its signer. */
export type EvidenceExpectation = {
  kind: 'resolution' | 'feed'
  chainId: bigint
  /** The domain's verifyingContract. */
  contract: string
  requestId: string
  round: number
  signer: string
  modelHash: string
  /** The on-chain request's specHash, where it was read (resolution requests): keccak256 of the spec string. */
  specHash?: string
}

/**
 * Why a bundle is not the evidence of the observation it is offered for (empty: it is). A bundle that hashes to
 * the signed evidenceHash proves only that the signer committed to it: it must also be about the same request,
 * round, chain, contract and kind, by the same signer with the same models, or an honest bundle of another
 * request could stand behind a false answer.
 */
export function evidenceMismatches(header: EvidenceHeader, expected: EvidenceExpectation): string[] {
  const out: string[] = []
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  if (header.kind !== expected.kind) out.push(`kind: the bundle is ${header.kind}, the observation ${expected.kind}`)
  if (header.chainId !== expected.chainId) out.push(`chainId: the bundle says ${header.chainId}, the observation's domain ${expected.chainId}`)
  if (!same(header.contract, expected.contract)) out.push(`contract: the bundle says ${header.contract}, the observation's domain ${expected.contract}`)
  if (!same(header.requestId, expected.requestId)) out.push(`requestId: the bundle is for ${header.requestId}, the observation for ${expected.requestId}`)
  if (header.round !== expected.round) out.push(`round: the bundle is for round ${header.round}, the observation for round ${expected.round}`)
  if (!same(header.signer, expected.signer)) out.push(`signer: made by ${header.signer}, signed by ${expected.signer}`)
  if (!same(header.modelHash, expected.modelHash)) out.push(`modelHash: the bundle says ${header.modelHash}, the observation ${expected.modelHash}`)
  if (expected.specHash !== undefined) {
    const specHash = keccak256(toUtf8Bytes(header.spec))
    if (!same(specHash, expected.specHash)) out.push(`spec: the bundle's spec hashes to ${specHash}, the on-chain request's specHash is ${expected.specHash}`)
  }
  return out
}
