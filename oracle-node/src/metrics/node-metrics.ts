/** The node's Prometheus metrics, on a registry of its own (no global default registry). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export type NodeMetrics = ReturnType<typeof createNodeMetrics>

export function createNodeMetrics(labels: { node: string }) {
  const registry = new Registry()
  registry.setDefaultLabels(labels)
  collectDefaultMetrics({ register: registry, prefix: 'sibyl_node_' })
  return {
    registry,
    requestsSeen: new Counter({ name: 'sibyl_requests_seen_total', help: 'ResolutionRequested events read from the chain', registers: [registry] }),
    signerMember: new Gauge({ name: 'sibyl_signer_member', help: 'Whether this signer is a member of the current Staking epoch (1), not (0: its observations cannot count), or not known yet (-1)', registers: [registry] }),
    skippedNotMember: new Counter({ name: 'sibyl_observations_withheld_total', help: 'Observations not signed because this signer is not an active operator', registers: [registry] }),
    requestsPending: new Gauge({ name: 'sibyl_requests_pending', help: 'Requests seen and not yet settled on-chain', registers: [registry] }),
    fetches: new Counter({ name: 'sibyl_fetches_total', help: 'Source fetches', registers: [registry] }),
    fetchErrors: new Counter({ name: 'sibyl_fetch_errors_total', help: 'Failed source fetches by reason', labelNames: ['reason'], registers: [registry] }),
    modelLatency: new Histogram({
      name: 'sibyl_model_latency_seconds',
      help: 'Time to judge one request (ranking + judging)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    observationsSigned: new Counter({ name: 'sibyl_observations_signed_total', help: 'Observations signed', labelNames: ['kind'], registers: [registry] }),
    refusals: new Counter({
      name: 'sibyl_signing_refusals_total',
      help: 'Signatures refused by slashing protection (conflicting_observation) or because the journal could not be written (store_write_failed)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    storeWriteErrors: new Counter({
      name: 'sibyl_state_store_write_errors_total',
      help: 'Failed writes to the node database by operation (scan, save_pending, prune)',
      labelNames: ['operation'],
      registers: [registry],
    }),
    storeCommitSeconds: new Histogram({
      name: 'sibyl_state_store_commit_seconds',
      help: 'Time of one state transaction (scan or end of tick), fsync included',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    journalPruned: new Counter({ name: 'sibyl_signing_journal_pruned_total', help: 'Journal entries of settled requests deleted past the retention', registers: [registry] }),
    questionRetries: new Counter({
      name: 'sibyl_question_retries_total',
      help: 'Attempts at a question that produced nothing to sign, each followed by a backoff',
      registers: [registry],
    }),
    published: new Counter({ name: 'sibyl_observations_published_total', help: 'Observations acknowledged by JetStream', labelNames: ['duplicate'], registers: [registry] }),
    publishErrors: new Counter({ name: 'sibyl_publish_errors_total', help: 'Observations JetStream did not acknowledge', registers: [registry] }),
    chainErrors: new Counter({ name: 'sibyl_chain_errors_total', help: 'Failed chain reads', labelNames: ['operation'], registers: [registry] }),
    pageWorkers: new Gauge({ name: 'sibyl_page_workers', help: 'Page worker threads ready for a task (0: every question fails until one starts)', registers: [registry] }),
    pageWorkerStarvations: new Counter({
      name: 'sibyl_page_worker_starved_sources_total',
      help: 'Sources left unread for want of a free page worker; their question is retried instead of answered without them',
      registers: [registry],
    }),
  }
}
