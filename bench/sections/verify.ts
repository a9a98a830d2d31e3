/**
 * Signature checks per second on one core: the ethers reference (`recoverObservationSigner`, which is
 * `recoverAddress` over ethers' TypedDataEncoder digest plus the high-s refusal) against the aggregator's fast
 * path (aggregator/src/verify/recover-observation-signer-fast.ts) on its native backend and on its pure-JS
 * fallback, over the same signed observations. Every check is a synchronous call on the main thread, so each
 * contender uses exactly one core. Signing happens before timing; every contender's answers are checked
 * against the known signers first, so a fast wrong answer cannot be measured.
 *
 * Also measured, because it decided the fast path's hash: keccak-256 of the 224-byte struct encoding with
 * js-sha3 and with @noble/hashes (what ethers uses).
 */
import { randomBytes } from 'node:crypto'
import { keccak_256 } from '@noble/hashes/sha3'
import { SigningKey, computeAddress, hexlify, verifyTypedData } from 'ethers'
import jsSha3 from 'js-sha3'
import { observationDigest, observationTypes, recoverObservationSigner, toTypedDataDomain, type Observation, type ObservationDomain } from '@sibyl/protocol/eip712'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import { createFastObservationRecoverer } from '@sibyl/aggregator/verify/recover-observation-signer-fast'
import { formatRate, measureInterleaved, pairedRatio, ratios, spread } from '../measure.ts'
import type { BenchSection } from '../section.ts'

const AIM_FAST_OVER_ETHERS = 10

export const verifySection: BenchSection = {
  name: 'verify',
  title: 'Signature checks (one core)',
  run: async ({ quick, log }) => {
    const count = quick ? 128 : 512
    const signers = 31
    const repetitions = quick ? 3 : 5
    const domain: ObservationDomain = { chainId: 31337n, verifyingContract: hexlify(randomBytes(20)) }

    log(`verify: signing ${count} observations with ${signers} keys`)
    const keys = Array.from({ length: signers }, () => new SigningKey(hexlify(randomBytes(32))))
    const items = Array.from({ length: count }, (_, i) => {
      const key = keys[i % signers]!
      const observation = buildObservation({
        requestId: hexlify(randomBytes(32)),
        round: i % 3,
        // Outcome indexes, the reserved negatives and prices, as the aggregator sees them.
        answer: [0n, 1n, -1n, -2n, 300_012_345_678n][i % 5]!,
        confidenceBps: 5_000 + (i % 5_001),
        evidenceHash: hexlify(randomBytes(32)),
        modelHash: hexlify(randomBytes(32)),
      })
      return { observation, signature: key.sign(observationDigest(domain, observation)).serialized, signer: computeAddress(key.publicKey) }
    })

    const fast = createFastObservationRecoverer(domain)
    const noble = createFastObservationRecoverer(domain, { backend: 'noble' })
    const typedDataDomain = toTypedDataDomain(domain)
    const checks = {
      ethers: (o: Observation, s: string) => recoverObservationSigner(domain, o, s),
      ethersVerifyTypedData: (o: Observation, s: string) => verifyTypedData(typedDataDomain, observationTypes, o, s),
      fast: fast,
      fastNoble: noble,
    }
    // Every path must name the right signer before it is timed (the slow ones on a sample, to save time).
    for (const [name, check] of Object.entries(checks)) {
      const sample = name === 'fast' ? items : items.filter((_, i) => i % 8 === 0)
      for (const item of sample) {
        if (check(item.observation, item.signature) !== item.signer) throw new Error(`verify: ${name} recovered a wrong signer`)
      }
    }

    // Unit k is a slice of the items, the same slice for every contender; a slice takes the ethers path
    // a few tens of milliseconds, so the order flips many times a second.
    const sliceSize = 16
    const units = Math.floor(count / sliceSize)
    const over = (check: (o: Observation, s: string) => string, times: number) => (k: number) => {
      for (let t = 0; t < times; t++) {
        for (let i = k * sliceSize; i < (k + 1) * sliceSize; i++) check(items[i]!.observation, items[i]!.signature)
      }
      return sliceSize * times
    }
    log(`verify: ${repetitions} repetitions x ${units} slices of ${sliceSize} signatures x 4 paths`)
    const result = await measureInterleaved({
      contenders: [
        { name: 'ethers', unit: over(checks.ethers, 1) },
        // The fast path repeats its slice so its share of each unit is long enough to time well.
        { name: 'fast', unit: over(checks.fast, 8) },
        { name: 'ethersVerifyTypedData', unit: over(checks.ethersVerifyTypedData, 1) },
        { name: 'fastNoble', unit: over(checks.fastNoble, 1) },
      ],
      repetitions,
      unitsPerRepetition: units,
      onRepetition: (rep, rates) => log(`verify: repetition ${rep + 1}: ${Object.entries(rates).map(([k, v]) => `${k} ${formatRate(v)}/s`).join(', ')}`),
    })

    const struct = randomBytes(224)
    const hashes = (hash: (data: Uint8Array) => unknown) => () => {
      for (let i = 0; i < 500; i++) hash(struct)
      return 500
    }
    const keccak = await measureInterleaved({
      contenders: [
        { name: 'jsSha3', unit: hashes((d) => jsSha3.keccak256.arrayBuffer(d)) },
        { name: 'noble', unit: hashes((d) => keccak_256(d)) },
      ],
      repetitions,
      unitsPerRepetition: 20,
    })

    const ratio = pairedRatio(result, 'fast', 'ethers')
    const m = result.medians
    return {
      figures: {
        'verify.ethersPerSec': round1(m.ethers!),
        'verify.fastPerSec': round1(m.fast!),
        'verify.fastOverEthers': round2(ratio),
        'verify.ethersVerifyTypedDataPerSec': round1(m.ethersVerifyTypedData!),
        'verify.fastNoblePerSec': round1(m.fastNoble!),
        'verify.keccak224.jsSha3PerSec': Math.round(keccak.medians.jsSha3!),
        'verify.keccak224.noblePerSec': Math.round(keccak.medians.noble!),
      },
      tables: [
        {
          title: 'Signature checks per second, one core',
          table: {
            columns: ['path', 'checks/s', 'x ethers', 'spread'],
            rows: [
              ['ethers recoverObservationSigner (reference)', formatRate(m.ethers!), '1.00', pct(spread(result.rates.ethers!))],
              ['ethers verifyTypedData', formatRate(m.ethersVerifyTypedData!), pairedRatio(result, 'ethersVerifyTypedData', 'ethers').toFixed(2), pct(spread(result.rates.ethersVerifyTypedData!))],
              [`fast, ${fast.backend} backend`, formatRate(m.fast!), ratio.toFixed(2), pct(spread(result.rates.fast!))],
              ['fast, noble fallback', formatRate(m.fastNoble!), pairedRatio(result, 'fastNoble', 'ethers').toFixed(2), pct(spread(result.rates.fastNoble!))],
            ],
          },
        },
        {
          title: 'keccak-256 of the 224-byte struct encoding',
          table: {
            columns: ['library', 'hashes/s'],
            rows: [
              ['js-sha3 (fast path)', formatRate(keccak.medians.jsSha3!)],
              ['@noble/hashes (ethers)', formatRate(keccak.medians.noble!)],
            ],
          },
        },
      ],
      aims: [{ label: 'verify: fast / ethers', value: `${ratio.toFixed(1)}x`, aim: `≥ ${AIM_FAST_OVER_ETHERS}x`, met: ratio >= AIM_FAST_OVER_ETHERS }],
      notes: [
        `${count} observations signed by ${signers} keys; ${repetitions} repetitions, each a pass over all of them in slices of ${sliceSize}, every path on the same slice back to back, the order flipping from slice to slice.`,
        `Per-repetition ratios fast / ethers: ${ratios(result, 'fast', 'ethers').map((r) => r.toFixed(1)).join(', ')}.`,
        `Fast backend in use: ${fast.backend}.`,
      ],
    }
  },
}

const round1 = (v: number) => Math.round(v * 10) / 10
const round2 = (v: number) => Math.round(v * 100) / 100
const pct = (v: number) => `${Math.round(v * 100)}%`
