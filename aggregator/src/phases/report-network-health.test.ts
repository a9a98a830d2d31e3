import test from 'ava'
import { pino } from 'pino'
import { createAggregatorMetrics } from '../metrics/aggregator-metrics.ts'
import { createAggregatorMemory } from './context.ts'
import { reportNetworkHealth } from './report-network-health.ts'

/** A registry whose active count the test sets; the logger writes into `lines`. */
function fixture() {
  const state = { active: 4 }
  const lines: { level: number; msg: string; activeOperators: number }[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) })
  const metrics = createAggregatorMetrics({ aggregator: 'test' })
  const ctx = { registry: { activeCount: () => state.active } as never, metrics, logger, memory: createAggregatorMemory() }
  const gauge = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values[0]!.value
  return { state, lines, ctx, gauge }
}

test('exports the active operators, their quorum and whether the network is halted', async (t) => {
  const { state, ctx, gauge } = fixture()
  t.is(reportNetworkHealth(ctx), 'healthy')
  t.is(await gauge('sibyl_active_operators'), 4)
  t.is(await gauge('sibyl_quorum_operators'), 3)
  t.is(await gauge('sibyl_network_halted'), 0)
  state.active = 0
  t.is(reportNetworkHealth(ctx), 'halted')
  t.is(await gauge('sibyl_active_operators'), 0)
  t.is(await gauge('sibyl_network_halted'), 1)
})

test('logs each change once, loudly when the network halts, not on every sweep', (t) => {
  const { state, lines, ctx } = fixture()
  reportNetworkHealth(ctx)
  reportNetworkHealth(ctx)
  t.is(lines.length, 1, 'the first count is logged, the same count again is not')
  state.active = 2
  reportNetworkHealth(ctx)
  t.is(lines.at(-1)!.level, 40)
  t.regex(lines.at(-1)!.msg, /fewer than 4 active operators/)
  state.active = 0
  for (let i = 0; i < 5; i++) reportNetworkHealth(ctx)
  t.is(lines.length, 3)
  t.is(lines.at(-1)!.level, 50)
  t.regex(lines.at(-1)!.msg, /NETWORK HALTED/)
  state.active = 4
  reportNetworkHealth(ctx)
  t.is(lines.length, 4)
  t.is(lines.at(-1)!.activeOperators, 4)
})
