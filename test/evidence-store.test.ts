/**
 * Where a node keeps its evidence, against a real nats-server: its bucket in the JetStream object store (created
 * with the protocol's limits, readable by another connection), the local copy written first, uploads queued
 * while the object store is away and sent later, and what is refused (a bundle that does not hash to the hash
 * to sign, an object over the size bound).
 */
import test from 'ava'
import { utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { keccak256, toUtf8Bytes, Wallet } from 'ethers'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { pino } from 'pino'
import { evidenceBucket, hashEvidenceBundle } from '@sibyl/protocol/evidence-bundle'
import { buildEvidenceBundle } from '@sibyl/oracle-node/evidence/build-evidence-bundle'
import { openEvidenceBucket, type EvidenceBucket } from '@sibyl/oracle-node/evidence/evidence-bucket'
import { openLocalEvidenceStore } from '@sibyl/oracle-node/evidence/local-evidence-store'
import { createEvidenceStore } from '@sibyl/oracle-node/evidence/create-evidence-store'
import { fetchEvidence } from '@sibyl/oracle-node/evidence/fetch-evidence'
import { startNatsServer, type NatsServer } from './helpers/nats-server.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

let nats: NatsServer
let owner: NatsConnection
let reader: NatsConnection
const silent = pino({ level: 'silent' })

test.before(async () => {
  nats = await startNatsServer()
  ;[owner, reader] = await Promise.all([connect({ servers: nats.url }), connect({ servers: nats.url })])
})

test.after.always(async () => {
  await owner?.drain().catch(() => undefined)
  await reader?.drain().catch(() => undefined)
  await nats?.stop()
})

/** A small valid bundle signed by `signer`. */
function buildSmallBundle(signer: string, note = 'a') {
  return buildEvidenceBundle({
    header: {
      kind: 'resolution', chainId: 31337n, contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3', requestId: keccak256(toUtf8Bytes(note)), round: 0, signer, node: 'node-x',
      spec: '{}', questionType: 'invalid', nowSec: 1, createdAtMs: 1, modelId: 'm', modelHash: keccak256(toUtf8Bytes('m')), models: [], device: 'cpu', minConfidenceBps: 6000,
      topKPerSource: 4, answer: -1n, confidenceBps: 10_000, reason: 'invalid spec', outcomeProbabilitiesBps: [], value: '',
    },
    sources: [],
  })
}

test.serial('the owner creates its bucket with the protocol limits; anyone else reads it; missing objects and oversized ones are values', async (t) => {
  const signer = Wallet.createRandom().address
  const opened = await openEvidenceBucket({ nc: owner, signer, create: true, ttlMs: evidenceBucket.ttlMs })
  if (!opened.ok) return t.fail(opened.reason)
  const info = await (await jetstreamManager(reader)).streams.info(`OBJ_${evidenceBucket.name(signer)}`)
  t.is(info.config.max_bytes, evidenceBucket.maxBytes)
  t.is(info.config.max_age, evidenceBucket.ttlMs * 1e6)
  t.is(info.config.discard, 'new', 'a full bucket refuses new evidence instead of dropping old evidence')

  const { bundle, bytes } = buildSmallBundle(signer)
  const hash = hashEvidenceBundle(bundle)
  t.true((await opened.value.put(hash, bytes)).ok)
  const other = await openEvidenceBucket({ nc: reader, signer })
  if (!other.ok) return t.fail(other.reason)
  const got = await other.value.get(hash)
  t.true(got.ok && got.value !== undefined && Buffer.compare(Buffer.from(got.value), Buffer.from(bytes)) === 0)
  t.deepEqual(await other.value.get(keccak256(toUtf8Bytes('nothing'))), { ok: true, value: undefined })
  t.like(await opened.value.put(hash, new Uint8Array(evidenceBucket.maxObjectBytes + 1)), { ok: false })
  // A reader does not create buckets: a signer with none is "not found", not an empty new bucket.
  t.false((await openEvidenceBucket({ nc: reader, signer: Wallet.createRandom().address, timeoutMs: 2000 })).ok)
})

test.serial('stored locally first; queued while the object store is away, uploaded when it is back; a wrong hash is refused', async (t) => {
  const signer = Wallet.createRandom().address
  const local = openLocalEvidenceStore(temporaryDir('sibyl-evidence-'))
  let reachable: EvidenceBucket | undefined
  const store = createEvidenceStore({ local, logger: silent, bucket: async () => reachable })
  const built = buildSmallBundle(signer, 'queued')
  const hash = hashEvidenceBundle(built.bundle)

  t.like(await store.store(built, keccak256(toUtf8Bytes('another hash'))), { ok: false })
  t.false(local.has(hash), 'nothing is kept for a bundle that is not what would be signed')

  t.like(await store.store(built, hash), { ok: true, remote: 'queued', evidenceHash: hash })
  t.true(local.has(hash))
  t.is(store.pendingUploads(), 1)
  t.like(await fetchEvidence({ nc: reader, signer, evidenceHash: hash, localDirs: [local.dir], timeoutMs: 2000 }), { ok: true, from: 'local' })

  const opened = await openEvidenceBucket({ nc: owner, signer, create: true })
  if (!opened.ok) return t.fail(opened.reason)
  reachable = opened.value
  t.is(await store.retryPending(), 1)
  t.is(store.pendingUploads(), 0)
  t.like(await fetchEvidence({ nc: reader, signer, evidenceHash: hash }), { ok: true, from: 'object-store' })

  // After a restart the journal's hash is checked against the network: present, nothing to do; lost, re-uploaded.
  const again = buildSmallBundle(signer, 'lost')
  const lostHash = hashEvidenceBundle(again.bundle)
  await local.write(lostHash, again.bytes)
  await store.ensureRemote(lostHash)
  t.like(await fetchEvidence({ nc: reader, signer, evidenceHash: lostHash }), { ok: true, from: 'object-store' })
})

test.serial('a reader refuses a bundle that does not hash to the signed hash, or that another signer made', async (t) => {
  const signer = Wallet.createRandom().address
  const dir = temporaryDir('sibyl-evidence-')
  const built = buildSmallBundle(signer, 'x')
  const hash = hashEvidenceBundle(built.bundle)
  const wrongHash = keccak256(toUtf8Bytes('signed something else'))
  writeFileSync(join(dir, `${wrongHash}.bin`), built.bytes)
  t.like(await fetchEvidence({ signer, evidenceHash: wrongHash, localDirs: [dir] }), { ok: false, reason: 'hash-mismatch' })
  writeFileSync(join(dir, `${hash}.bin`), built.bytes)
  t.like(await fetchEvidence({ signer: Wallet.createRandom().address, evidenceHash: hash, localDirs: [dir] }), { ok: false, reason: 'wrong-signer' })
  writeFileSync(join(dir, `${hash}.bin`), Buffer.concat([built.bytes, Buffer.alloc(32)]))
  t.like(await fetchEvidence({ signer, evidenceHash: hash, localDirs: [dir] }), { ok: false, reason: 'invalid' })
})

test('the local store prunes bundles past their retention, and leftovers of a crashed write', async (t) => {
  const local = openLocalEvidenceStore(temporaryDir('sibyl-evidence-'))
  const old = keccak256(toUtf8Bytes('old'))
  const fresh = keccak256(toUtf8Bytes('fresh'))
  await local.write(old, new Uint8Array([1]))
  await local.write(fresh, new Uint8Array([2]))
  writeFileSync(join(local.dir, `${old}.bin.1.2.tmp`), 'partial')
  const past = new Date(Date.now() - 40 * 24 * 3600 * 1000)
  utimesSync(join(local.dir, `${old}.bin`), past, past)
  utimesSync(join(local.dir, `${old}.bin.1.2.tmp`), past, past)
  t.is(local.prune(30 * 24 * 3600 * 1000, Date.now()), 2)
  t.false(local.has(old))
  t.true(local.has(fresh))
  // Names are evidence hashes and nothing else: no path ever leaves the folder.
  t.is(local.read('../../etc/passwd'), undefined)
  await t.throwsAsync(() => local.write('../outside', new Uint8Array([1])), { instanceOf: RangeError })
})
