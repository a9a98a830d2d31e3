import test from 'ava'
import { keccak256, toUtf8Bytes, ZeroHash } from 'ethers'
import {
  checkCanonicalRecords,
  decodeEvidenceBundle,
  EVIDENCE_BUNDLE_VERSION,
  EVIDENCE_MAGIC,
  encodeEvidenceBundle,
  evidenceMismatches,
  evidenceBucket,
  evidenceLeaves,
  evidenceLimits,
  evidenceLocation,
  hashEvidenceBundle,
  merkleProof,
  merkleRoot,
  merkleRootFromProof,
  proveEvidenceSource,
  toE9,
  verifyEvidenceSource,
  type EvidenceBundle,
  type EvidenceExpectation,
  type EvidenceSource,
} from './evidence-bundle.ts'

/** The fixture's evidence hash (Merkle root over header + 2 sources), pinned: it must never move by accident. */
const GOLDEN_ROOT = '0x98a34185f7d84b34b74b416feaa5023fc50e381e001dd40af49084229b116ba6'
/**
 * The fixture's stored bytes: 8 magic + 4 length + abi.encode(header, sources[]) + the 66-byte page + its 32 bytes
 * of text: 4397 bytes (one judged passage, one failed source with neither page nor text).
 */
const GOLDEN_BYTES = 4397

const raw = Buffer.from('<html><body><p>The council approved the bridge.</p></body></html>', 'utf8')

function buildSource(overrides: Partial<EvidenceSource> = {}): EvidenceSource {
  return {
    index: 0,
    url: 'https://news.example/bridge',
    finalUrl: 'https://news.example/bridge',
    failure: '',
    fetchedAtMs: 1_741_500_000_000,
    status: 200,
    contentType: 'text/html; charset=utf-8',
    charset: 'utf-8',
    rawHash: keccak256(raw),
    rawSize: raw.length,
    raw,
    rawIncluded: true,
    text: 'The council approved the bridge.',
    passages: [
      {
        passageIndex: 0,
        text: 'The council approved the bridge.',
        similarityE9: toE9(0.61234),
        scores: [{ outcomeIndex: 0, supportE9: toE9(0.7), refuteE9: toE9(0.1), neitherE9: toE9(0.2), logOddsE9: toE9(1.9459101) }],
      },
    ],
    values: [],
    ...overrides,
  }
}

/** A two-source bundle: the builder every test here starts from. */
function buildBundle(overrides: { sources?: EvidenceSource[] } = {}): EvidenceBundle {
  return {
    header: {
      version: EVIDENCE_BUNDLE_VERSION,
      kind: 'resolution',
      chainId: 31337n,
      contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      requestId: keccak256(toUtf8Bytes('request')),
      round: 0,
      signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      node: 'node-1',
      spec: '{"version":1,"type":"text"}',
      questionType: 'text',
      nowSec: 1_741_500_100,
      createdAtMs: 1_741_500_100_123,
      modelId: 'google/universal-sentence-encoder-lite+sibyl-judge-v1',
      modelHash: keccak256(toUtf8Bytes('model')),
      models: [
        { role: 'embedder', id: 'google/universal-sentence-encoder-lite', hash: keccak256(toUtf8Bytes('encoder')) },
        { role: 'judge', id: 'sibyl-judge-v1', hash: keccak256(toUtf8Bytes('judge')) },
      ],
      device: 'cpu',
      minConfidenceBps: 6000,
      topKPerSource: 4,
      answer: 0n,
      confidenceBps: 8123,
      reason: 'P(YES) = 8123 bps',
      outcomeProbabilitiesBps: [8123, 1877],
      value: '',
    },
    sources: overrides.sources ?? [
      buildSource(),
      buildSource({ index: 1, url: 'https://other.example/', finalUrl: 'https://other.example/', failure: 'timeout: no answer', status: 0, contentType: '', charset: '', rawHash: ZeroHash, rawSize: 0, raw: new Uint8Array(), rawIncluded: false, text: '', passages: [] }),
    ],
  }
}

test('a bundle survives encode → decode unchanged, and its bytes are canonical', (t) => {
  const bundle = buildBundle()
  const bytes = encodeEvidenceBundle(bundle)
  const decoded = decodeEvidenceBundle(bytes)
  t.deepEqual({ ...decoded, sources: decoded.sources.map((s) => ({ ...s, raw: Buffer.from(s.raw) })) }, { ...bundle, sources: bundle.sources.map((s) => ({ ...s, raw: Buffer.from(s.raw) })) })
  t.deepEqual(Buffer.from(encodeEvidenceBundle(decoded)), Buffer.from(bytes))
  t.is(hashEvidenceBundle(decoded), hashEvidenceBundle(bundle))
})

test('golden vector: the evidence hash of the fixture bundle is pinned (a change here changes every signed evidence hash)', (t) => {
  // Leaves: keccak256(0x00 ‖ abi.encode(header)), keccak256(0x00 ‖ abi.encode(source 0)), … ; root: RFC 6962
  // with keccak256 and 0x01 before inner nodes. Three leaves: root = H(0x01 ‖ H(0x01 ‖ L0 ‖ L1) ‖ L2).
  const bundle = buildBundle()
  const [l0, l1, l2] = evidenceLeaves(bundle) as [string, string, string]
  const inner = keccak256(Buffer.concat([Buffer.from([1]), Buffer.from(l0.slice(2), 'hex'), Buffer.from(l1.slice(2), 'hex')]))
  const root = keccak256(Buffer.concat([Buffer.from([1]), Buffer.from(inner.slice(2), 'hex'), Buffer.from(l2.slice(2), 'hex')]))
  t.is(hashEvidenceBundle(bundle), root)
  t.is(root, GOLDEN_ROOT)
  t.is(encodeEvidenceBundle(bundle).length, GOLDEN_BYTES)
})

test('every field is covered: changing one byte of a source, its text or a score changes the hash', (t) => {
  const base = hashEvidenceBundle(buildBundle())
  const tampered = [
    buildBundle({ sources: [buildSource({ text: 'The council rejected the bridge.' })] }),
    buildBundle({ sources: [buildSource({ passages: [{ ...buildSource().passages[0]!, scores: [{ ...buildSource().passages[0]!.scores[0]!, supportE9: 700_000_001 }] }] })] }),
    buildBundle({ sources: [buildSource({ fetchedAtMs: 1 })] }),
  ]
  for (const b of tampered) t.not(hashEvidenceBundle(b), base)
  const header = buildBundle()
  header.header.answer = 1n
  t.not(hashEvidenceBundle(header), base)
})

test('one source is proven alone against the evidence hash, and a changed source is not', (t) => {
  const sources = Array.from({ length: 7 }, (_, i) => buildSource({ index: i, url: `https://s${i}.example/` }))
  const bundle = buildBundle({ sources })
  const root = hashEvidenceBundle(bundle)
  for (let i = 0; i < sources.length; i++) {
    const proof = proveEvidenceSource(bundle, i)
    t.true(verifyEvidenceSource(root, proof), `source ${i}`)
    t.true(proof.proof.length <= 3)
    t.false(verifyEvidenceSource(root, { ...proof, source: { ...proof.source, text: 'forged' } }))
    t.false(verifyEvidenceSource(root, { ...proof, leafIndex: ((proof.leafIndex + 1) % proof.leafCount) || 1 }))
  }
})

test('merkle proofs hold for every tree size from 1 to 17', (t) => {
  for (let n = 1; n <= 17; n++) {
    const leaves = Array.from({ length: n }, (_, i) => keccak256(toUtf8Bytes(`leaf ${i}`)))
    const root = merkleRoot(leaves)
    for (let i = 0; i < n; i++) t.is(merkleRootFromProof(leaves[i]!, i, n, merkleProof(leaves, i)), root)
  }
})

test('decoding refuses non-canonical, malformed and oversized bytes, and broken invariants', (t) => {
  const bytes = encodeEvidenceBundle(buildBundle())
  t.throws(() => decodeEvidenceBundle(Buffer.concat([bytes, Buffer.alloc(32)])), { message: /not canonically encoded/ })
  t.throws(() => decodeEvidenceBundle(bytes.subarray(0, 100)), { message: /do not decode/ })
  t.throws(() => decodeEvidenceBundle(bytes.subarray(0, bytes.length - 1)), { message: /past the end/ })
  const flipped = Buffer.from(bytes)
  flipped[flipped.length - 1]! ^= 1 // the last byte of the text
  t.throws(() => decodeEvidenceBundle(flipped), { message: /textHash/ })
  const page = Buffer.from(bytes)
  page[page.length - 40]! ^= 1 // inside the raw page
  t.throws(() => decodeEvidenceBundle(page), { message: /rawHash/ })
  const magic = Buffer.from(bytes)
  magic[7] = 1 // a version-1 bundle: its header lacks the interval, the articles read and the discovery sources
  t.throws(() => decodeEvidenceBundle(magic), { message: /not a version-2 bundle/ })
  t.throws(() => decodeEvidenceBundle(new Uint8Array(evidenceLimits.maxBundleBytes + 1)), { message: /over the/ })
  t.throws(() => encodeEvidenceBundle(buildBundle({ sources: [buildSource({ rawHash: ZeroHash })] })), { message: /rawHash/ })
  t.throws(() => encodeEvidenceBundle(buildBundle({ sources: [buildSource({ rawIncluded: false })] })), { message: /rawIncluded is false/ })
  // The spec's 8 sources plus a discovery question's 200 articles.
  t.throws(() => encodeEvidenceBundle(buildBundle({ sources: Array.from({ length: 209 }, () => buildSource()) })), { message: /more than 208/ })
})

test('the bucket and object a signed observation points to', (t) => {
  const hash = keccak256(toUtf8Bytes('x'))
  t.deepEqual(evidenceLocation('0x70997970C51812dc3A010C7d01b50e0d17dc79C8', hash.toUpperCase().replace('0X', '0x')), {
    bucket: 'sibyl_evidence_70997970c51812dc3a010c7d01b50e0d17dc79c8',
    object: hash,
  })
  t.regex(evidenceBucket.name('0x70997970C51812dc3A010C7d01b50e0d17dc79C8'), /^[a-z0-9_]+$/)
  t.throws(() => evidenceBucket.name('not an address'))
})

/** The ABI records of encoded bundle bytes (between the magic + length and the bulk). */
function recordsOf(bytes: Uint8Array): Buffer {
  const all = Buffer.from(bytes)
  const length = all.readUInt32BE(EVIDENCE_MAGIC.length)
  return all.subarray(EVIDENCE_MAGIC.length + 4, EVIDENCE_MAGIC.length + 4 + length)
}

/** Bundle bytes around hand-made records (the bulk is irrelevant: the records are refused first). */
function withRecords(records: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(records.length)
  return Buffer.concat([EVIDENCE_MAGIC, length, records])
}

const word = (n: number) => {
  const w = Buffer.alloc(32)
  w.writeUIntBE(n, 26, 6)
  return w
}

/**
 * Records whose sources array has `count` entries whose offsets all point at the same one source record (the
 * source of `bundle`): ABI aliasing, which made the decoder do count × the work of one source.
 */
function aliasedSources(bundle: EvidenceBundle, count: number): Buffer {
  const records = recordsOf(encodeEvidenceBundle(bundle))
  const sourcesAt = records.readUIntBE(32 + 26, 6)
  const header = records.subarray(64, sourcesAt)
  const element = records.subarray(sourcesAt + 64) // after the count word and the one offset word
  return Buffer.concat([word(64), word(sourcesAt), header, word(count), ...Array.from({ length: count }, () => word(count * 32)), element])
}

const manyPassages = buildSource({
  passages: Array.from({ length: evidenceLimits.maxPassagesPerSource }, (_, i) => ({
    passageIndex: i,
    text: 'The council approved the bridge. '.repeat(12),
    similarityE9: toE9(0.5),
    scores: Array.from({ length: evidenceLimits.maxScoresPerPassage }, (_, k) => ({ outcomeIndex: k, supportE9: 1, refuteE9: 2, neitherE9: 3, logOddsE9: 4 })),
  })),
})

test('H3: aliased ABI offsets (many sources pointing at one large source) are refused before decoding', (t) => {
  const bundle = buildBundle({ sources: [manyPassages] })
  // Sanity: the honest bundle decodes, and its records are canonical.
  t.deepEqual(decodeEvidenceBundle(encodeEvidenceBundle(bundle)).sources[0]!.passages.length, evidenceLimits.maxPassagesPerSource)
  t.notThrows(() => checkCanonicalRecords(recordsOf(encodeEvidenceBundle(bundle))))
  // 1000 sources all pointing at one source of 64 passages × 32 scores: over the count bound.
  t.throws(() => decodeEvidenceBundle(withRecords(aliasedSources(bundle, 1000))), { message: /sources: 1000 entries, more than 208/ })
  // Within the count bound but aliased: the second offset is not where the first source ended.
  t.throws(() => decodeEvidenceBundle(withRecords(aliasedSources(bundle, 8))), { message: /not canonically encoded: records\.sources\.1: offset/ })
})

test('H3: aliased passages inside one source, out-of-range offsets and oversized records are refused before decoding', (t) => {
  // One source whose 64 passage offsets all point at the first passage.
  const one = buildSource()
  const bundle = buildBundle({ sources: [one] })
  const records = recordsOf(encodeEvidenceBundle(bundle))
  // Find the passages array of the source: its count word (1) followed by the offset word 0x20.
  const sourcesAt = records.readUIntBE(32 + 26, 6)
  const sourceAt = sourcesAt + 64
  // The passages offset is the 14th head word of the source record (index 13), relative to the source's start.
  const passagesAt = sourceAt + records.readUIntBE(sourceAt + 13 * 32 + 26, 6)
  t.is(records.readUIntBE(passagesAt + 26, 6), 1)
  const passageEnd = sourceAt + records.readUIntBE(sourceAt + 14 * 32 + 26, 6) // the values array follows the passages
  const passage = records.subarray(passagesAt + 64, passageEnd)
  const aliased = Buffer.concat([records.subarray(0, passagesAt), word(64), ...Array.from({ length: 64 }, () => word(64 * 32)), passage, records.subarray(passageEnd)])
  t.throws(() => decodeEvidenceBundle(withRecords(aliased)), { message: /not canonically encoded/ })
  // An offset with high bytes set.
  const huge = Buffer.from(records)
  huge[32] = 1
  t.throws(() => decodeEvidenceBundle(withRecords(huge)), { message: /out of range/ })
  // Records over the bound, whatever they hold.
  t.throws(() => decodeEvidenceBundle(withRecords(Buffer.alloc(evidenceLimits.maxRecordsBytes + 32))), { message: /over the .*-byte limit/ })
})

function expectationFor(bundle: EvidenceBundle): EvidenceExpectation {
  const h = bundle.header
  return { kind: h.kind, chainId: h.chainId, contract: h.contract, requestId: h.requestId, round: h.round, signer: h.signer, modelHash: h.modelHash }
}

test('H4: a bundle is the evidence only of its own request, round, chain, contract, kind, signer and model', (t) => {
  const bundle = buildBundle()
  const own = expectationFor(bundle)
  t.deepEqual(evidenceMismatches(bundle.header, own), [])
  t.deepEqual(evidenceMismatches(bundle.header, { ...own, contract: own.contract.toLowerCase(), requestId: own.requestId.toUpperCase().replace('0X', '0x') }), [])
  const cases: [Partial<EvidenceExpectation>, RegExp][] = [
    [{ requestId: keccak256(toUtf8Bytes('request B')) }, /^requestId/],
    [{ round: 1 }, /^round/],
    [{ chainId: 1n }, /^chainId/],
    [{ contract: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' }, /^contract/],
    [{ kind: 'feed' }, /^kind/],
    [{ signer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }, /^signer/],
    [{ modelHash: keccak256(toUtf8Bytes('other model')) }, /^modelHash/],
    [{ specHash: keccak256(toUtf8Bytes('{"version":1,"type":"text","altered":true}')) }, /^spec/],
  ]
  for (const [change, message] of cases) {
    const found = evidenceMismatches(bundle.header, { ...own, ...change })
    t.is(found.length, 1, JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
    t.regex(found[0]!, message)
  }
  t.deepEqual(evidenceMismatches(bundle.header, { ...own, specHash: keccak256(toUtf8Bytes(bundle.header.spec)) }), [])
})

test('version 2: the interval, the articles read and the discovery sources are bound by the hash, and bounded', (t) => {
  const plain = buildBundle()
  const header = {
    ...plain.header,
    confidenceIntervalBps: [7400, 8600] as [number, number],
    articlesRead: 31,
    discovery: [{ url: 'http://news.example/rss.xml', origin: 'spec', kind: 'feed', failure: '', items: 44, inWindow: 20, note: '' }],
  }
  const bundle = { ...plain, header }
  const decoded = decodeEvidenceBundle(encodeEvidenceBundle(bundle))
  t.deepEqual(decoded.header, header)
  // Each new field moves the hash.
  const hashes = new Set([
    hashEvidenceBundle(plain),
    hashEvidenceBundle(bundle),
    hashEvidenceBundle({ ...bundle, header: { ...header, confidenceIntervalBps: [7400, 8700] } }),
    hashEvidenceBundle({ ...bundle, header: { ...header, articlesRead: 30 } }),
    hashEvidenceBundle({ ...bundle, header: { ...header, discovery: [{ ...header.discovery[0]!, origin: 'operator' }] } }),
  ])
  t.is(hashes.size, 5)
  // An interval must contain the confidence, inside 0..10000.
  for (const bad of [[8200, 9000], [7000, 8000], [0, 10_001], [9000, 8000], [7000]] as [number, number][]) {
    t.throws(() => encodeEvidenceBundle({ ...bundle, header: { ...header, confidenceIntervalBps: bad } }), { message: /confidenceIntervalBps/ })
  }
  t.throws(() => encodeEvidenceBundle({ ...bundle, header: { ...header, discovery: Array.from({ length: 49 }, () => header.discovery[0]!) } }), { message: /more than 48/ })
})
