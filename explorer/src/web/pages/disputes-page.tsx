/**
 * Disputes, open first: the question, the committed and the claimed answer, the bond, the council's votes, the
 * deadline (counting down), the result; and what a disputer needs to act: the outlier reports' evidence (each
 * dissenting signer, its answer and its evidence bundle's hash). New disputes appear live.
 */
import { useEffect, useState } from 'preact/hooks'
import type { Dispute } from '../../store/explorer-types.ts'
import { useApi } from '../api/use-api.ts'
import { useLiveReload } from '../api/use-live-reload.ts'
import { DisputeStatusBadge } from '../components/badges.tsx'
import { Hex } from '../components/hex.tsx'
import { LoadState } from '../components/load-state.tsx'
import { formatDeadline, formatTime, formatToken } from '../format/format.ts'
import { requestHref } from '../route/parse-route.ts'

function useNowSec(everyMs: number): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000))
  useEffect(() => {
    const timer = setInterval(() => setNow(Math.floor(Date.now() / 1000)), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}

function DisputeTable({ title, disputes, nowSec }: { title: string; disputes: Dispute[]; nowSec: number }) {
  const id = `disputes-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`
  return (
    <>
      <h2 id={id}>{title}</h2>
      {disputes.length === 0 ? (
        <p>None.</p>
      ) : (
        <div class="table-wrap">
          <table class="disputes" aria-labelledby={id}>
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Committed answer</th>
                <th scope="col">Claimed answer</th>
                <th scope="col">Disputer</th>
                <th scope="col">Bond</th>
                <th scope="col">Votes (for claim / against)</th>
                <th scope="col">Deadline</th>
                <th scope="col">Result</th>
                <th scope="col">Outlier evidence</th>
              </tr>
            </thead>
            <tbody>
              {disputes.map((d) => (
                <tr key={d.requestId}>
                  <th scope="row" class="question">
                    <a href={requestHref(d.requestId)}>{d.question || d.requestId}</a>
                  </th>
                  <td>{d.committedAnswer ?? '—'}</td>
                  <td class="answer">{d.claimedAnswer ?? '—'}</td>
                  <td>
                    <Hex value={d.disputer} />
                  </td>
                  <td>{formatToken(d.bond)}</td>
                  <td>
                    {d.votesFor} / {d.votesAgainst}
                  </td>
                  <td>
                    <time title={formatTime(d.deadline)}>{d.status === 'open' ? formatDeadline(d.deadline, nowSec) : formatTime(d.deadline)}</time>
                  </td>
                  <td>
                    <DisputeStatusBadge status={d.status} />
                  </td>
                  <td>
                    {d.outlierEvidence.length === 0 ? (
                      'no outlier report'
                    ) : (
                      <ul class="evidence">
                        {d.outlierEvidence.map((e) => (
                          <li key={e.signer}>
                            <Hex value={e.signer} /> answered {e.answer ?? '—'}; evidence <Hex value={e.evidenceHash} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

export function DisputesPage() {
  const reloadKey = useLiveReload((e) => e.type === 'dispute')
  const { data, error, loading } = useApi<{ disputes: Dispute[] }>('/api/disputes', reloadKey)
  const nowSec = useNowSec(1000)
  const disputes = data?.disputes ?? []
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Disputes
      </h1>
      <LoadState loading={loading} error={error} hasData={data !== undefined} />
      {data ? (
        <>
          <DisputeTable title="Open disputes" disputes={disputes.filter((d) => d.status === 'open')} nowSec={nowSec} />
          <DisputeTable title="Past disputes" disputes={disputes.filter((d) => d.status !== 'open')} nowSec={nowSec} />
        </>
      ) : null}
    </section>
  )
}
