/**
 * Test fixture for the aggregator's phases: the shared context with every dependency replaced by a small
 * in-memory one (round store with compare-and-set, registry, chain, provider, sender, report publisher) and
 * a manual clock, so a phase is tested alone, without NATS, anvil or sleeping. Observations are signed for
 * real (buildObservation + signObservation), so intake's signature checks run as in production.
 */
import { Wallet, keccak256, toUtf8Bytes, type TransactionReceipt } from 'ethers'
import { pino } from 'pino'
import type { Counter } from 'prom-client'
import { signObservation, type ObservationDomain } from '@sibyl/protocol/eip712'
import { outlierMessageSchema, toObservationMessage, type ObservationMessage, type OutlierMessage } from '@sibyl/protocol/messages'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { buildObservation, FIXTURE_REQUEST_ID } from '@sibyl/protocol/testing/build-observation'
import { createAggregatorMetrics } from '../metrics/aggregator-metrics.ts'
import type { OperatorRegistry } from '../registry/operator-registry.ts'
import { roundRecordSchema, type RoundRecord, type StoredObservation } from '../rounds/round-record.ts'
import type { RoundStore } from '../rounds/round-store.ts'
import type { SendTransactionParameters } from '../commit/tx-sender.ts'
import type { ChainReads, RequestState } from '../phases/chain-reads.ts'
import { createAggregatorMemory, feedsByAddressOf, type AggregatorContext, type AggregatorOptions, type FeedInfo } from '../phases/context.ts'

export const CHAIN_ID = 31337n
export const ORACLE = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
export const FEED_ADDRESS = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
export const FEED: FeedInfo = { address: FEED_ADDRESS, feedId: keccak256(toUtf8Bytes('ACME / EUR')), minAnswer: 1n, maxAnswer: 100_000_000n, description: 'ACME / EUR' }
export const REQUEST_ID = FIXTURE_REQUEST_ID
export const START_MS = 1_700_000_000_000

/** Deterministic operator keys. */
export const operators = Array.from({ length: 5 }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`aggregator test operator ${i}`))))

export function manualClock(startMs = START_MS) {
  let now = startMs
  return { nowMs: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) }
}

export type MemoryRoundStore = RoundStore & { records: Map<string, RoundRecord>; failing: boolean; writes: number }

/** Compare-and-set semantics on one thread: each mutate reads, applies and writes; records are validated. */
export function createMemoryRoundStore(): MemoryRoundStore {
  const records = new Map<string, RoundRecord>()
  const store: MemoryRoundStore = {
    records,
    failing: false,
    writes: 0,
    get: async (key) => {
      if (store.failing) throw new Error('KV unavailable')
      const record = records.get(key)
      return record ? { record: structuredClone(record), revision: store.writes } : undefined
    },
    mutate: async (key, change) => {
      if (store.failing) throw new Error('KV unavailable')
      const current = records.get(key)
      const next = change(current ? structuredClone(current) : undefined)
      if (!next) return { record: current ? structuredClone(current) : undefined, changed: false }
      records.set(key, roundRecordSchema.parse(next))
      store.writes++
      return { record: structuredClone(next), changed: true }
    },
    keys: async () => [...records.keys()],
  }
  return store
}

export type FakeRegistry = OperatorRegistry & { active: Set<string>; syncs: number; failing: boolean }

export function createFakeRegistry(signers: readonly string[] = operators.slice(0, 4).map((w) => w.address)): FakeRegistry {
  const registry: FakeRegistry = {
    active: new Set(signers),
    syncs: 0,
    failing: false,
    sync: async () => {
      registry.syncs++
      if (registry.failing) throw new Error('RPC unavailable')
      return 0
    },
    isActive: (signer) => registry.active.has(signer),
    operatorOf: (signer) => (registry.active.has(signer) ? signer : undefined),
    activeSigners: () => [...registry.active],
    activeCount: () => registry.active.size,
    nextBlock: () => 0,
    reorgs: () => 0,
  }
  return registry
}

export type FakeChain = ChainReads & { requests: Map<string, RequestState>; feedRounds: Map<string, number>; failing: boolean; reads: number }

/** Every request is Open at round 0 unless set otherwise; every feed is at round 0. */
export function createFakeChain(): FakeChain {
  const chain: FakeChain = {
    requests: new Map(),
    feedRounds: new Map(),
    failing: false,
    reads: 0,
    readRequest: async (requestId) => {
      chain.reads++
      if (chain.failing) throw new Error('RPC unavailable')
      return chain.requests.get(requestId.toLowerCase()) ?? { status: REQUEST_STATUS.Open, round: 0, answer: 0n, resolveAfter: 0n }
    },
    readLatestFeedRound: async (address) => {
      chain.reads++
      if (chain.failing) throw new Error('RPC unavailable')
      return chain.feedRounds.get(address.toLowerCase()) ?? 0
    },
  }
  return chain
}

export type PublishedReport = { subject: string; msgID: string; message: OutlierMessage; duplicate: boolean }

export function createFakeDeps() {
  const calls: { to?: string | null; data?: string | null }[] = []
  const provider = {
    calls,
    /** When set, the simulation throws it (a revert). */
    revert: undefined as unknown,
    call: async (tx: { to?: unknown; data?: string | null }) => {
      calls.push({ to: typeof tx.to === 'string' ? tx.to : null, data: tx.data ?? null })
      if (provider.revert !== undefined) throw provider.revert
      return '0x'
    },
    estimateGas: async () => 100_000n,
  }
  const sent: SendTransactionParameters[] = []
  const sender = {
    address: '0x00000000000000000000000000000000000000aA',
    sent,
    /** When set, the send throws it. */
    failure: undefined as Error | undefined,
    receiptStatus: 1,
    send: async (tx: SendTransactionParameters) => {
      sent.push(tx)
      if (sender.failure) throw sender.failure
      const receipt: Pick<TransactionReceipt, 'status' | 'hash' | 'gasUsed'> = { status: sender.receiptStatus, hash: `0x${String(sent.length).padStart(64, '0')}`, gasUsed: 90_000n }
      return { receipt, bumps: 0 }
    },
  }
  const published: PublishedReport[] = []
  const seenIds = new Set<string>()
  // Like JetStream's duplicate window: a second message with the same id is acknowledged and dropped.
  const publishReport = async (subject: string, data: Uint8Array, msgID: string) => {
    const duplicate = seenIds.has(msgID)
    seenIds.add(msgID)
    published.push({ subject, msgID, message: outlierMessageSchema.parse(JSON.parse(new TextDecoder().decode(data))), duplicate })
    return { duplicate }
  }
  return { provider, sender, published, publishReport }
}

export function testOptions(overrides: Partial<AggregatorOptions> = {}): AggregatorOptions {
  return {
    id: 'agg-test',
    deployment: {
      version: 1,
      chainId: CHAIN_ID.toString(),
      deployedAtBlock: 0,
      contracts: {
        token: '0x0000000000000000000000000000000000000001',
        staking: '0x0000000000000000000000000000000000000002',
        resolutionOracle: ORACLE,
        disputeGovernance: '0x0000000000000000000000000000000000000003',
        feeds: [{ description: FEED.description, address: FEED.address, feedId: FEED.feedId, decimals: 2 }],
      },
    },
    feeds: [FEED],
    deadlineMs: 4000,
    commitLeaseMs: 5000,
    maxCommitAttempts: 3,
    maxConcurrentCommits: 4,
    madMultiplierMilli: 3000,
    minDeviationBps: 50,
    gasLimitPercent: 125,
    ...overrides,
  }
}

/**
 * A context whose `advance` only records what it was asked (a phase alone); pass `advance` to wire more.
 */
export function createTestContext(overrides: { options?: Partial<AggregatorOptions>; advance?: (ctx: AggregatorContext, key: string, record: RoundRecord) => void } = {}) {
  const clock = manualClock()
  const store = createMemoryRoundStore()
  const registry = createFakeRegistry()
  const chain = createFakeChain()
  const deps = createFakeDeps()
  const metrics = createAggregatorMetrics({ aggregator: 'test' })
  const advanced: { key: string; record: RoundRecord }[] = []
  const options = testOptions(overrides.options)
  const ctx: AggregatorContext = {
    store,
    registry,
    metrics,
    logger: pino({ level: 'silent' }),
    nowMs: clock.nowMs,
    chain,
    confirmViews: [chain],
    provider: deps.provider,
    sender: deps.sender,
    publishReport: deps.publishReport,
    options,
    chainId: CHAIN_ID,
    oracleAddress: ORACLE,
    feedsByAddress: feedsByAddressOf(options.feeds),
    memory: createAggregatorMemory(),
    advance: (key, record) => {
      advanced.push({ key, record })
      overrides.advance?.(ctx, key, record)
    },
  }
  return { ctx, clock, store, registry, chain, metrics, advanced, ...deps }
}

export type SignedMessageParameters = {
  signer?: Wallet
  answer?: bigint
  round?: number
  requestId?: string
  kind?: ObservationMessage['kind']
  domain?: ObservationDomain
  observedAtMs?: number
}

/** A signed observation message, as a node publishes it. Feed messages default to FEED's domain and id. */
export async function signedMessage(p: SignedMessageParameters = {}): Promise<ObservationMessage> {
  const kind = p.kind ?? 'resolution'
  const domain = p.domain ?? { chainId: CHAIN_ID, verifyingContract: kind === 'feed' ? FEED.address : ORACLE }
  const requestId = p.requestId ?? (kind === 'feed' ? FEED.feedId : REQUEST_ID)
  const observedAtMs = p.observedAtMs ?? START_MS
  // A feed value signs the time it was taken (FeedObservation), in seconds; the message carries observedAtMs.
  const observedAt = kind === 'feed' ? { observedAt: Math.floor(observedAtMs / 1000) } : {}
  const signed = await signObservation({
    signer: p.signer ?? operators[0]!,
    domain,
    observation: { ...buildObservation({ requestId, round: p.round ?? (kind === 'feed' ? 1 : 0), answer: p.answer ?? 1n }), ...observedAt },
  })
  const { observedAt: _signedAt, ...observation } = signed.observation
  return toObservationMessage(kind, domain, { ...signed, observation }, { modelId: 'test-model', observedAtMs })
}

export const encodeMessage = (message: unknown): Uint8Array => new TextEncoder().encode(typeof message === 'string' ? message : JSON.stringify(message))

export async function observationBytes(p: SignedMessageParameters = {}): Promise<Uint8Array> {
  return encodeMessage(await signedMessage(p))
}

/** The value of a counter for one label set (0 when never incremented). */
export async function counterValue(counter: Counter<string>, labels: Record<string, string>): Promise<number> {
  const metric = await counter.get()
  return metric.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value ?? 0
}

/** The stored form of a signed message (what intake writes). */
export function storedFrom(message: ObservationMessage, overrides: Partial<StoredObservation> = {}): StoredObservation {
  return {
    signer: message.signer,
    answer: message.observation.answer,
    confidenceBps: message.observation.confidenceBps,
    evidenceHash: message.observation.evidenceHash,
    modelHash: message.observation.modelHash,
    signature: message.signature,
    modelId: message.modelId,
    observedAtMs: message.observedAtMs,
    receivedAtMs: START_MS,
    ...overrides,
  }
}

/** A round record (resolution round 0 of REQUEST_ID unless overridden), open, with no observations. */
export function buildRoundRecord(overrides: Partial<RoundRecord> = {}): RoundRecord {
  return {
    version: 1,
    kind: 'resolution',
    contract: ORACLE,
    requestId: REQUEST_ID.toLowerCase(),
    round: 0,
    openedAtMs: START_MS,
    deadlineAtMs: START_MS + 4000,
    state: 'open',
    observations: [],
    equivocations: [],
    reported: false,
    activeAtOpen: 4,
    ...overrides,
  }
}

/** The stored observations of operators[i] answering answers[i] (a resolution round unless `kind` says feed). */
export async function storedAnswers(answers: readonly bigint[], p: Omit<SignedMessageParameters, 'signer' | 'answer'> = {}, from = 0): Promise<StoredObservation[]> {
  return Promise.all(answers.map(async (answer, i) => storedFrom(await signedMessage({ ...p, signer: operators[from + i]!, answer }))))
}
