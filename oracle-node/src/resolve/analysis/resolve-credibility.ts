/**
 * The credibility weight of one outlet, from the operator's table and the question spec's overrides (the
 * spec wins, so every node judging the same spec weighs its named outlets alike). A host matches its own
 * entry or a parent domain's ("news.example.com" takes "example.com"'s weight; a leading "www." is
 * ignored). An outlet in neither table gets `defaultWeight` (1). A weight of 0 mutes an outlet.
 */

export type CredibilityTable = {
  /** The operator's configured weights by host (or parent domain). */
  operator?: Readonly<Record<string, number>>
  /** The question spec's weights by host; they override the operator's. */
  spec?: Readonly<Record<string, number>>
  /** For outlets in neither table (default 1). */
  defaultWeight?: number
}

export const DEFAULT_CREDIBILITY_WEIGHT = 1
/** The largest weight honoured (the spec's source weights are 1..100 too). */
export const MAX_CREDIBILITY_WEIGHT = 100

export function resolveCredibility(host: string, table: CredibilityTable | undefined): number {
  const names = candidateNames(host)
  for (const entries of [table?.spec, table?.operator]) {
    if (entries === undefined) continue
    for (const name of names) {
      if (Object.hasOwn(entries, name)) return sanitize(entries[name]!)
    }
  }
  return sanitize(table?.defaultWeight ?? DEFAULT_CREDIBILITY_WEIGHT)
}

/** "www.news.example.com" -> ["news.example.com", "example.com", "com"]. */
function candidateNames(host: string): string[] {
  const h = host.trim().toLowerCase().replace(/\.$/, '').replace(/^www\./, '')
  if (h === '') return []
  const labels = h.split('.')
  return labels.map((_, i) => labels.slice(i).join('.'))
}

function sanitize(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? Math.min(MAX_CREDIBILITY_WEIGHT, weight) : 0
}
