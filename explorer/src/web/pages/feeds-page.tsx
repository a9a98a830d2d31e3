/**
 * Feeds: per feed, the latest answer, staleness, the deviation threshold and heartbeat, the bounds, a chart of
 * the answer over rounds with each node's value, and the rounds as a table (the chart's accessible twin).
 */
import type { FeedRound, FeedSummary } from '../../store/explorer-types.ts'
import { useApi } from '../api/use-api.ts'
import { useLiveReload } from '../api/use-live-reload.ts'
import { FeedChart } from '../components/feed-chart.tsx'
import { Hex } from '../components/hex.tsx'
import { LoadState } from '../components/load-state.tsx'
import { formatBps, formatDuration, formatTime, formatUnits } from '../format/format.ts'

const ROUNDS_SHOWN = 100

function FeedSection({ feed }: { feed: FeedSummary }) {
  const reloadKey = useLiveReload((e) => e.type === 'feed-round' && e.data.address.toLowerCase() === feed.address.toLowerCase())
  const { data, error, loading } = useApi<{ rounds: FeedRound[] }>(`/api/feeds/${feed.address}/rounds?limit=${ROUNDS_SHOWN}`, reloadKey)
  const rounds = data?.rounds ?? []
  const signers = [...new Set(rounds.flatMap((r) => r.nodes.map((n) => n.signer)))].sort()
  const titleId = `feed-${feed.address}`
  return (
    <article class="feed" aria-labelledby={titleId}>
      <h2 id={titleId}>{feed.description || feed.feedId}</h2>
      <dl class="facts">
        <dt>Latest answer</dt>
        <dd class="answer">{feed.latestRound ? `${formatUnits(feed.latestRound.answer, feed.decimals)} (round ${feed.latestRound.roundId}, ${formatTime(feed.latestRound.updatedAt)})` : 'no round yet'}</dd>
        <dt>Freshness</dt>
        <dd>{feed.stale ? <span class="badge badge-stale">stale: no round within the heartbeat</span> : <span class="badge badge-fresh">fresh</span>}</dd>
        <dt>Deviation threshold</dt>
        <dd>{formatBps(feed.deviationBps)}</dd>
        <dt>Heartbeat</dt>
        <dd>{formatDuration(feed.heartbeatSec)}</dd>
        <dt>Bounds</dt>
        <dd>
          {feed.minAnswer === null ? '—' : formatUnits(feed.minAnswer, feed.decimals)} to {feed.maxAnswer === null ? '—' : formatUnits(feed.maxAnswer, feed.decimals)}
        </dd>
        <dt>Address</dt>
        <dd>
          <Hex value={feed.address} full />
        </dd>
        <dt>Feed id</dt>
        <dd>
          <Hex value={feed.feedId} />
        </dd>
      </dl>
      <LoadState loading={loading} error={error} hasData={data !== undefined} />
      {rounds.length > 0 ? <FeedChart feed={feed} rounds={rounds} /> : data ? <p>No rounds yet.</p> : null}
      {rounds.length > 0 ? (
        <div class="table-wrap">
          <table class="rounds">
            <caption>
              {feed.description}: {rounds.length} round{rounds.length === 1 ? '' : 's'} (oldest first), with each node's value
            </caption>
            <thead>
              <tr>
                <th scope="col">Round</th>
                <th scope="col">Answer</th>
                <th scope="col">Updated</th>
                {signers.map((s) => (
                  <th scope="col" key={s}>
                    Node <Hex value={s} />
                  </th>
                ))}
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {rounds.map((r) => (
                <tr key={r.roundId}>
                  <th scope="row">{r.roundId}</th>
                  <td class="answer">{formatUnits(r.answer, feed.decimals)}</td>
                  <td>{formatTime(r.updatedAt)}</td>
                  {signers.map((s) => {
                    const n = r.nodes.find((node) => node.signer === s)
                    return <td key={s}>{n ? formatUnits(n.answer, feed.decimals) : '—'}</td>
                  })}
                  <td>
                    <Hex value={r.txHash} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </article>
  )
}

export function FeedsPage() {
  const reloadKey = useLiveReload((e) => e.type === 'feed-round', 1000)
  const { data, error, loading } = useApi<{ feeds: FeedSummary[] }>('/api/feeds', reloadKey)
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Feeds
      </h1>
      <LoadState loading={loading} error={error} hasData={data !== undefined} />
      {data && data.feeds.length === 0 ? <p>This deployment has no feeds.</p> : null}
      {data?.feeds.map((f) => <FeedSection key={f.address} feed={f} />)}
    </section>
  )
}
