/**
 * One request: its question, answer and status, the timeline (requested → observations → quorum → committed →
 * dispute window → final, or deferred / disputed / expired), the spec and its sources, one row per node, the
 * commit and finalize transactions, and its dispute if one was raised. Reloads when a live event names it.
 */
import type { RequestDetail } from '../../store/explorer-types.ts'
import { useApi } from '../api/use-api.ts'
import { useLiveReload } from '../api/use-live-reload.ts'
import { DisputeStatusBadge, NodeStatusBadge, RequestStatusBadge } from '../components/badges.tsx'
import { Hex } from '../components/hex.tsx'
import { LoadState } from '../components/load-state.tsx'
import { formatConfidence, formatDuration, formatTime, formatToken } from '../format/format.ts'

const TIMELINE_LABELS: Record<string, string> = {
  requested: 'Requested',
  observation: 'Observation',
  quorum: 'Quorum reached',
  committed: 'Committed (dispute window opens)',
  deferred: 'Deferred: too early',
  disputed: 'Disputed',
  settled: 'Dispute settled',
  final: 'Final',
  expired: 'Expired: unresolvable',
}

export function RequestPage({ requestId }: { requestId: string }) {
  const reloadKey = useLiveReload((e) =>
    e.type === 'request' ? e.data.requestId === requestId : e.type === 'observation' ? e.data.requestId === requestId : e.type === 'dispute' ? e.data.requestId === requestId : false,
  )
  const { data: r, error, loading } = useApi<RequestDetail>(`/api/requests/${requestId}`, reloadKey)

  return (
    <section aria-labelledby="page-title">
      <p class="breadcrumb">
        <a href="#/">← All requests</a>
      </p>
      <h1 id="page-title" tabIndex={-1}>
        {r?.question ?? 'Request'}
      </h1>
      <LoadState loading={loading} error={error} hasData={r !== undefined} />
      {r ? (
        <>
          <dl class="facts">
            <dt>Request id</dt>
            <dd>
              <Hex value={r.requestId} full />
            </dd>
            <dt>Status</dt>
            <dd>
              <RequestStatusBadge status={r.status} />
              {r.contested ? <span class="badge badge-contested">contested</span> : null}
            </dd>
            <dt>Answer</dt>
            <dd class="answer">{r.answer ?? 'not yet'}</dd>
            <dt>Confidence</dt>
            <dd>{formatConfidence(r.confidenceBps, r.confidenceInterval)}</dd>
            <dt>Outcomes</dt>
            <dd>{r.outcomes.join(' / ')}</dd>
            <dt>Requester</dt>
            <dd>
              <Hex value={r.requester} full />
            </dd>
            <dt>Fee</dt>
            <dd>{formatToken(r.feeWei)}</dd>
            <dt>Round</dt>
            <dd>{r.round}</dd>
            <dt>Resolve after</dt>
            <dd>{formatTime(r.resolveAfter)}</dd>
            <dt>Time to commit</dt>
            <dd>{formatDuration(r.timeToCommitSec)}</dd>
            <dt>Dispute window ends</dt>
            <dd>{formatTime(r.disputeEndsAt)}</dd>
            <dt>Commit transaction</dt>
            <dd>{r.commitTx ? <Hex value={r.commitTx} full /> : '—'}</dd>
            <dt>Finalize transaction</dt>
            <dd>{r.finalizeTx ? <Hex value={r.finalizeTx} full /> : '—'}</dd>
          </dl>

          <h2 id="nodes-title">Nodes</h2>
          <div class="table-wrap">
            <table class="nodes" aria-labelledby="nodes-title">
              <thead>
                <tr>
                  <th scope="col">Signer</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Confidence</th>
                  <th scope="col">Status</th>
                  <th scope="col">Evidence hash</th>
                  <th scope="col">Model hash</th>
                  <th scope="col">Signature</th>
                  <th scope="col">Received</th>
                </tr>
              </thead>
              <tbody>
                {r.nodes.map((n) => (
                  <tr key={n.signer} class={`node-${n.status}`}>
                    <th scope="row">
                      <Hex value={n.signer} />
                    </th>
                    <td>
                      <Hex value={n.operator} />
                    </td>
                    <td>{n.answer ?? '—'}</td>
                    <td>{formatConfidence(n.confidenceBps, n.confidenceInterval)}</td>
                    <td>
                      <NodeStatusBadge status={n.status} />
                    </td>
                    <td>
                      <Hex value={n.evidenceHash} />
                    </td>
                    <td>
                      <Hex value={n.modelHash} />
                    </td>
                    <td>
                      <Hex value={n.signature} keep={6} />
                    </td>
                    <td>{formatTime(n.receivedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {r.nodes.length === 0 ? <p>No node has answered yet.</p> : null}

          <h2>Timeline</h2>
          <ol class="timeline">
            {r.timeline.map((e, i) => (
              <li key={i} class={`timeline-${e.kind}`}>
                <span class="timeline-kind">{TIMELINE_LABELS[e.kind] ?? e.kind}</span> <time>{formatTime(e.at)}</time>
                {e.detail ? <span class="timeline-detail"> — {e.detail}</span> : null}
                {e.txHash ? (
                  <>
                    {' '}
                    tx <Hex value={e.txHash} />
                  </>
                ) : null}
                {e.blockNumber !== undefined ? <span> (block {e.blockNumber})</span> : null}
              </li>
            ))}
          </ol>

          {r.dispute ? (
            <>
              <h2>Dispute</h2>
              <dl class="facts">
                <dt>Result</dt>
                <dd>
                  <DisputeStatusBadge status={r.dispute.status} />
                </dd>
                <dt>Disputer</dt>
                <dd>
                  <Hex value={r.dispute.disputer} full />
                </dd>
                <dt>Claimed answer</dt>
                <dd>{r.dispute.claimedAnswer ?? '—'}</dd>
                <dt>Bond</dt>
                <dd>{formatToken(r.dispute.bond)}</dd>
                <dt>Votes</dt>
                <dd>
                  {r.dispute.votesFor} for, {r.dispute.votesAgainst} against
                </dd>
                <dt>Voting deadline</dt>
                <dd>{formatTime(r.dispute.deadline)}</dd>
              </dl>
            </>
          ) : null}

          <h2>Question spec and sources</h2>
          {r.sources.length > 0 ? (
            <ul class="sources">
              {r.sources.map((s) => (
                <li key={s}>
                  <code>{s}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p>No sources listed.</p>
          )}
          {r.spec ? (
            <details>
              <summary>The spec as posted on-chain</summary>
              <pre class="spec">{JSON.stringify(r.spec, null, 2)}</pre>
            </details>
          ) : (
            <p>The on-chain spec is not a question spec this explorer can read.</p>
          )}
        </>
      ) : null}
    </section>
  )
}
