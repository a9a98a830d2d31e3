import test from 'ava'
import { buildChartData } from './chart-data.ts'

const A = '0x000000000000000000000000000000000000000a'
const B = '0x000000000000000000000000000000000000000b'

test('chart columns: rounds on x, the answer, the deviation band, and each node (null where it gave no value)', (t) => {
  const rounds = [
    { roundId: 1, answer: '11842000000', updatedAt: 1, txHash: null, nodes: [{ signer: B, operator: null, answer: '118420000000' }, { signer: A, operator: null, answer: '11842000000' }] },
    { roundId: 2, answer: '12107000000', updatedAt: 2, txHash: null, nodes: [{ signer: A, operator: null, answer: '12107000000' }] },
  ]
  const data = buildChartData({ decimals: 8, deviationBps: 50 }, rounds)
  t.deepEqual(data.x, [1, 2])
  t.deepEqual(data.series.map((s) => [s.kind, s.label]), [
    ['answer', 'answer'],
    ['band', '+0.5 % deviation'],
    ['band', '−0.5 % deviation'],
    ['node', 'node 0x0000…000a'],
    ['node', 'node 0x0000…000b'],
  ])
  t.deepEqual(data.series[0]!.values, [118.42, 121.07])
  t.is(Math.round(data.series[1]!.values[0]! * 10_000), Math.round(118.42 * 1.005 * 10_000))
  t.deepEqual(data.series[4]!.values, [1184.2, null])
})

test('no band when the deviation threshold is unknown', (t) => {
  const data = buildChartData({ decimals: 0, deviationBps: null }, [{ roundId: 7, answer: '5', updatedAt: 1, txHash: null, nodes: [] }])
  t.deepEqual(data.series.map((s) => s.kind), ['answer'])
})
