/**
 * Operators: stake, signer, status, answers, agreement with the committed answer, outliers, no-answers, slashes,
 * the models each answers with; and model diversity across the network (how many distinct modelHashes answer:
 * one model everywhere means one model's mistake is everyone's).
 */
import type { OperatorsView } from '../../store/explorer-types.ts'
import { useApi } from '../api/use-api.ts'
import { useLiveReload } from '../api/use-live-reload.ts'
import { Hex } from '../components/hex.tsx'
import { LoadState } from '../components/load-state.tsx'
import { formatAgreement, formatToken } from '../format/format.ts'

export function OperatorsPage() {
  const reloadKey = useLiveReload((e) => e.type === 'operator' || e.type === 'observation', 1000)
  const { data, error, loading } = useApi<OperatorsView>('/api/operators', reloadKey)
  const byHash = Object.entries(data?.modelDiversity.byModelHash ?? {}).sort((a, b) => b[1] - a[1])
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Operators
      </h1>
      <LoadState loading={loading} error={error} hasData={data !== undefined} />
      {data ? (
        <>
          <div class="table-wrap">
            <table class="operators">
              <caption class="visually-hidden">Staked operators and how their nodes answered</caption>
              <thead>
                <tr>
                  <th scope="col">Operator</th>
                  <th scope="col">Signer</th>
                  <th scope="col">Stake</th>
                  <th scope="col">Status</th>
                  <th scope="col">Answers</th>
                  <th scope="col">Agreed with the commit</th>
                  <th scope="col">Outliers</th>
                  <th scope="col">No answer</th>
                  <th scope="col">Slashes</th>
                  <th scope="col">Models</th>
                </tr>
              </thead>
              <tbody>
                {data.operators.map((o) => (
                  <tr key={o.operator} class={o.outliers > 0 || o.slashes > 0 ? 'flagged' : undefined}>
                    <th scope="row">
                      <Hex value={o.operator} />
                    </th>
                    <td>
                      <Hex value={o.signer} />
                    </td>
                    <td>{formatToken(o.stake)}</td>
                    <td>
                      <span class={`badge badge-operator-${o.status}`}>{o.status}</span>
                    </td>
                    <td>{o.answers}</td>
                    <td>{formatAgreement(o.agreed, o.answers)}</td>
                    <td>{o.outliers}</td>
                    <td>{o.noAnswers}</td>
                    <td>{o.slashes}</td>
                    <td>
                      {o.modelHashes.length === 0
                        ? '—'
                        : o.modelHashes.map((h, i) => (
                            <>
                              {i > 0 ? ', ' : null}
                              <Hex value={h} key={h} />
                            </>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {data.operators.length === 0 ? <p>No operator has staked yet.</p> : null}
          <h2>Model diversity</h2>
          <p>
            {data.modelDiversity.distinctModelHashes} distinct model hash{data.modelDiversity.distinctModelHashes === 1 ? '' : 'es'} answer
            {data.modelDiversity.distinctModelHashes === 1 ? ': every node runs the same models, so one model mistake is shared by all.' : '.'}
          </p>
          {byHash.length > 0 ? (
            <table class="diversity">
              <caption class="visually-hidden">Answers by model hash</caption>
              <thead>
                <tr>
                  <th scope="col">Model hash</th>
                  <th scope="col">Answers</th>
                </tr>
              </thead>
              <tbody>
                {byHash.map(([hash, count]) => (
                  <tr key={hash}>
                    <th scope="row">
                      <Hex value={hash} keep={8} />
                    </th>
                    <td>{count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
    </section>
  )
}
