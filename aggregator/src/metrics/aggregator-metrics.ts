/** The aggregator's Prometheus metrics, on a registry of its own. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export type AggregatorMetrics = ReturnType<typeof createAggregatorMetrics>

export function createAggregatorMetrics(labels: { aggregator: string }) {
  const registry = new Registry()
  registry.setDefaultLabels(labels)
  collectDefaultMetrics({ register: registry, prefix: 'sibyl_aggregator_' })
  return {
    registry,
    observationsIn: new Counter({ name: 'sibyl_observations_in_total', help: 'Observation messages received', labelNames: ['kind'], registers: [registry] }),
    observationsAccepted: new Counter({ name: 'sibyl_observations_accepted_total', help: 'Observations verified and recorded', labelNames: ['kind'], registers: [registry] }),
    observationsRejected: new Counter({
      name: 'sibyl_observations_rejected_total',
      help: 'Observations refused, by reason (malformed, wrong-domain, forged, unknown-signer, unknown-request, stale-round, duplicate, round-full, equivocation)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    roundsOpen: new Gauge({ name: 'sibyl_rounds_open', help: 'Rounds this aggregator knows that are not finished', registers: [registry] }),
    roundsClosed: new Counter({ name: 'sibyl_rounds_closed_total', help: 'Rounds finished, by how', labelNames: ['outcome'], registers: [registry] }),
    timeToQuorum: new Histogram({
      name: 'sibyl_time_to_quorum_seconds',
      help: 'From the first observation of a round to its quorum',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    commits: new Counter({ name: 'sibyl_commits_total', help: 'Commit transactions mined, by result', labelNames: ['kind', 'result'], registers: [registry] }),
    commitGas: new Histogram({
      name: 'sibyl_commit_gas',
      help: 'Gas used by mined commit transactions',
      labelNames: ['kind'],
      buckets: [50_000, 75_000, 100_000, 150_000, 200_000, 250_000, 300_000, 400_000, 600_000],
      registers: [registry],
    }),
    commitLatency: new Histogram({
      name: 'sibyl_commit_latency_seconds',
      help: 'From quorum to the commit transaction mined',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    feeBumps: new Counter({ name: 'sibyl_fee_bumps_total', help: 'Stuck transactions replaced with higher fees', registers: [registry] }),
    contestedReports: new Counter({ name: 'sibyl_contested_reports_total', help: 'Outlier reports of contested answers published to governance', registers: [registry] }),
    outliersReported: new Counter({ name: 'sibyl_outliers_reported_total', help: 'Outliers (on time or late) and non-responders published, each counted once', labelNames: ['type'], registers: [registry] }),
    roundRecordsQuarantined: new Counter({
      name: 'sibyl_round_records_quarantined_total',
      help: 'Round records that did not parse, moved aside to quarantine.<key> in the rounds bucket',
      registers: [registry],
    }),
    commitRetries: new Counter({
      name: 'sibyl_commit_retries_total',
      help: 'Commit attempts that failed and will be tried again (rounds are never given up while the request is open)',
      registers: [registry],
    }),
    reorgedCommits: new Counter({ name: 'sibyl_commits_reorged_total', help: 'Commit transactions that vanished in a reorg and were sent again', registers: [registry] }),
    finalizations: new Counter({ name: 'sibyl_finalizations_total', help: 'Requests this aggregator finalized after their dispute window, by result', labelNames: ['result'], registers: [registry] }),
    finalizeGas: new Counter({ name: 'sibyl_finalize_gas_total', help: 'Gas used by the finalize transactions this aggregator sent', registers: [registry] }),
    activeOperators: new Gauge({ name: 'sibyl_active_operators', help: "Members of Staking's current epoch, as the registry mirrors it", registers: [registry] }),
    quorumOperators: new Gauge({ name: 'sibyl_quorum_operators', help: 'Signatures of members a report needs with the current set (n - f)', registers: [registry] }),
    networkHalted: new Gauge({ name: 'sibyl_network_halted', help: '1 when no operator is active: no report can commit', registers: [registry] }),
    governanceEvents: new Counter({ name: 'sibyl_governance_events_total', help: 'Slashes, key rotations, unbonding requests, expulsions, disputes and accusations seen in confirmed blocks, by event', labelNames: ['event'], registers: [registry] }),
    chainErrors: new Counter({ name: 'sibyl_chain_errors_total', help: 'Failed calls to the chain or the round store, by operation', labelNames: ['operation'], registers: [registry] }),
  }
}
