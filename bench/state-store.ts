/**
 * What keeping a node's state costs per block, before and after the node database, side by side in one run:
 *
 *   npx tsx bench/state-store.ts [--dir DIR] [--quick]
 *
 * At 1,000 and 10,000 pending requests: the version-1 JSON file (rewritten whole, fsynced and renamed on every
 * scanned block and at the end of every tick that changed something) against the node database (a block
 * commits its one new request and the cursor; a tick commits the rows it changed, here 10 published marks).
 * "bytes" are the bytes this process handed to write() (/proc/self/io wchar) per operation, fsyncs included in
 * the time. DIR (default: the OS temp folder) should be on the disk a node would use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keccak256, toUtf8Bytes } from 'ethers'
import { saveLegacyNodeState } from '@sibyl/oracle-node/chain/legacy-node-state'
import { openNodeStateStore, type NodeState, type PendingRequest } from '@sibyl/oracle-node/chain/node-state'
import { openNodeDatabase } from '@sibyl/oracle-node/chain/open-node-database'

const args = process.argv.slice(2)
const dirIndex = args.indexOf('--dir')
const baseDir = dirIndex >= 0 ? args[dirIndex + 1]! : tmpdir()
const quick = args.includes('--quick')

function writtenBytes(): number {
  const line = readFileSync('/proc/self/io', 'utf8').split('\n').find((l) => l.startsWith('wchar:'))
  return Number(line!.split(':')[1])
}

/** A pending request as a node holds one: a text question with two sources, as the demo asks them. */
function buildPending(i: number): PendingRequest {
  const spec = JSON.stringify({
    version: 1,
    type: 'text',
    question: `Did the city council approve the riverside bridge budget in session ${i}?`,
    sources: [{ url: `https://news.example.org/city/council/${i}.html` }, { url: `https://gazette.example.com/local/bridge-${i}` }],
    outcomes: ['Yes', 'No'],
  })
  return {
    request: {
      requestId: keccak256(toUtf8Bytes(`request ${i}`)),
      requester: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      specHash: keccak256(toUtf8Bytes(spec)),
      spec,
      outcomes: ['Yes', 'No'],
      resolveAfter: 1_900_000_000 + i,
      feeWei: 10n ** 18n,
      blockNumber: 100 + i,
      logIndex: 0,
    },
    publishedRounds: i % 2 === 0 ? [0] : [],
  }
}

type Measured = { medianMs: number; bytes: number }

function measure(reps: number, op: (rep: number) => void): Measured {
  const times: number[] = []
  const before = writtenBytes()
  for (let rep = 0; rep < reps; rep++) {
    const started = performance.now()
    op(rep)
    times.push(performance.now() - started)
  }
  const bytes = (writtenBytes() - before) / reps
  times.sort((a, b) => a - b)
  return { medianMs: times[Math.floor(times.length / 2)]!, bytes: Math.round(bytes) }
}

const rows: string[] = []
for (const count of [1000, 10_000]) {
  const reps = quick ? 5 : count >= 10_000 ? 15 : 40
  const dir = mkdtempSync(join(baseDir, 'sibyl-state-bench-'))
  const state: NodeState = { nextBlock: 1, pending: new Map() }
  for (let i = 0; i < count; i++) {
    const p = buildPending(i)
    state.pending.set(p.request.requestId, p)
  }
  let next = count
  // Before: the whole file per scanned block (one new request each).
  const legacyFile = join(dir, 'node-state.json')
  const legacy = measure(reps, () => {
    const p = buildPending(next++)
    state.pending.set(p.request.requestId, p)
    state.nextBlock++
    saveLegacyNodeState(legacyFile, state)
  })

  // After: the same state in the node database, then a block = one new row and the cursor in one transaction.
  const db = openNodeDatabase(join(dir, 'node.sqlite'))
  const store = openNodeStateStore(db)
  store.saveScan(state.nextBlock, [...state.pending.values()])
  const scan = measure(reps, () => {
    const p = buildPending(next++)
    state.pending.set(p.request.requestId, p)
    store.saveScan(++state.nextBlock, [p])
  })
  const all = [...state.pending.values()]
  const tick = measure(reps, (rep) => {
    const changed = all.slice(rep * 10, rep * 10 + 10)
    for (const p of changed) p.publishedRounds = [...p.publishedRounds, 1]
    store.savePending(changed, [], Date.now())
  })
  db.close()
  rmSync(dir, { recursive: true, force: true })
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`
  rows.push(`| ${count.toLocaleString('en')} | ${legacy.medianMs.toFixed(2)} | ${kb(legacy.bytes)} | ${scan.medianMs.toFixed(2)} | ${kb(scan.bytes)} | ${tick.medianMs.toFixed(2)} | ${kb(tick.bytes)} | ${reps} |`)
}

process.stdout.write(
  [
    `state store per block, in ${baseDir}`,
    '',
    '| pending requests | JSON file ms (median) | JSON file bytes | database block ms (median) | database block bytes | database tick (10 rows) ms | database tick bytes | reps |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n'),
)
