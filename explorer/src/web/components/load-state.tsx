/** What a page shows while its data loads or when the API fails (the last good data stays shown beside it). */
export function LoadState({ loading, error, hasData }: { loading: boolean; error: string | undefined; hasData: boolean }) {
  if (error) return <p class="error" role="alert">Could not load: {error}</p>
  if (loading && !hasData) return <p class="loading">Loading…</p>
  return null
}
