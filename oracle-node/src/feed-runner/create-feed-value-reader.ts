/**
 * Reads a numeric feed's value from its sources: a JSON value (decimal string or number) or the price on an
 * HTML page, scaled to the feed's decimals as an integer, then the median over the sources that answered.
 * Confidence is the share of the spec's sources that gave a value; the evidence hash covers each source's
 * bytes (extracted text for JSON, the page for HTML) the same way as for questions.
 */
import { ZeroHash, keccak256, toUtf8Bytes } from 'ethers'
import type { FeedSpec } from '@sibyl/protocol/question-spec'
import type { NodeMetrics } from '../metrics/node-metrics.ts'
import type { SourceFetcher } from '../sources/create-source-fetcher.ts'
import { readSource } from '../sources/read-source.ts'
import { extractPrice } from '../resolve/extract-price.ts'
import { decimalToFixedPoint, normalizeDecimal } from '../resolve/parse-decimal.ts'
import { combineEvidence } from '../node/combine-evidence.ts'
import type { FeedValue } from './feed-runner.ts'

export const FEED_EXTRACTOR_ID = 'sibyl-structured-price-v1'
const FEED_EXTRACTOR_HASH = keccak256(toUtf8Bytes(FEED_EXTRACTOR_ID))

function median(values: bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return sorted[Math.floor(sorted.length / 2)]!
}

export function createFeedValueReader(fetcher: Pick<SourceFetcher, 'fetch'>, metrics?: NodeMetrics) {
  return async (spec: FeedSpec): Promise<FeedValue> => {
    const reads = await Promise.all(spec.sources.map((source) => readSource(fetcher, source)))
    const values: bigint[] = []
    const perSource: string[] = []
    const failures: string[] = []
    for (const read of reads) {
      metrics?.fetches.inc()
      if (!read.ok) {
        metrics?.fetchErrors.inc({ reason: read.reason })
        failures.push(`${read.url}: ${read.reason}`)
        perSource.push(ZeroHash)
        continue
      }
      let value: bigint | undefined
      if (read.html !== undefined) {
        const price = extractPrice({ html: read.html, decimals: spec.decimals })
        if (price.found) value = price.value
        perSource.push(keccak256(Buffer.from(read.html, 'utf8')))
      } else {
        const decimal = normalizeDecimal(read.document.text, 'machine')
        if (decimal !== undefined) value = decimalToFixedPoint(decimal, spec.decimals)
        perSource.push(keccak256(read.evidenceBytes))
      }
      if (value === undefined) failures.push(`${read.finalUrl}: no number found`)
      else values.push(value)
    }
    if (values.length === 0) return { ok: false, reason: failures.join('; ') || 'no sources' }
    return {
      ok: true,
      value: median(values),
      confidenceBps: Math.floor((values.length * 10_000) / spec.sources.length),
      evidenceHash: combineEvidence(perSource),
      modelId: FEED_EXTRACTOR_ID,
      modelHash: FEED_EXTRACTOR_HASH,
    }
  }
}
