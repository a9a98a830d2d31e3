/**
 * Gas of ResolutionOracle.commitReport and FeedAggregator.transmit at n = 4, 7, 16 and 31 active operators
 * (bench/sections/gas.ts; also a section of `npm run bench`).
 *
 *   npm run gas            # prints a table, writes bench/results/gas.json
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { GAS_TARGETS, gasFigures, measureGas } from './sections/gas.ts'

const rows = await measureGas()
const lines = [
  '| n | quorum | commitReport gas | per signature (excl. 21k base) | feed transmit gas | requestResolution gas | target |',
  '|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.n} | ${r.quorum} | ${r.commitGas.toLocaleString('en')} | ${r.perSignature.toLocaleString('en')} | ${r.transmitGas.toLocaleString('en')} | ${r.requestGas.toLocaleString('en')} | ${
        GAS_TARGETS[r.n] ? `commit ≤ ${GAS_TARGETS[r.n]!.toLocaleString('en')}: ${r.commitGas <= GAS_TARGETS[r.n]! ? 'met' : 'MISSED'}` : ''
      } |`,
  ),
]
process.stdout.write(`${lines.join('\n')}\n`)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
writeFileSync(new URL('./results/gas.json', import.meta.url), `${JSON.stringify(gasFigures(rows), null, 2)}\n`)
