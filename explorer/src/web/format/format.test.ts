import test from 'ava'
import {
  disputeStatusLabel,
  formatAgreement,
  formatBps,
  formatConfidence,
  formatDeadline,
  formatDuration,
  formatTime,
  formatToken,
  formatUnits,
  nodeStatusLabel,
  requestStatusLabel,
  shortHex,
} from './format.ts'

test('shortHex keeps both ends and leaves short or missing values readable', (t) => {
  t.is(shortHex('0x1234567890abcdef1234567890abcdef12345678'), '0x1234…5678')
  t.is(shortHex('0x1234'), '0x1234')
  t.is(shortHex(null), '—')
})

test('formatUnits is exact fixed point: no float rounding, negatives, zero decimals, bad input shown as given', (t) => {
  t.is(formatUnits('11842000000', 8), '118.42')
  t.is(formatUnits('12107000000', 8), '121.07')
  t.is(formatUnits('1', 8), '0.00000001')
  t.is(formatUnits('-150000000', 8), '-1.5')
  t.is(formatUnits('123456789012345678901234567890', 18), '123456789012.34567890123456789')
  t.is(formatUnits('42', 0), '42')
  t.is(formatUnits('0', 8), '0')
  t.is(formatUnits('abc', 8), 'abc')
  t.is(formatToken('1500000000000000000'), '1.5 tokens')
  t.is(formatToken('1000000000000000000'), '1 token')
})

test('times are UTC and durations read like a person writes them', (t) => {
  t.is(formatTime(1_780_000_000), '2026-05-28 20:26:40 UTC')
  t.is(formatTime(null), '—')
  t.is(formatDuration(42), '42 s')
  t.is(formatDuration(185), '3 min 5 s')
  t.is(formatDuration(3600), '1 h')
  t.is(formatDuration(7440), '2 h 4 min')
  t.is(formatDuration(3 * 86_400 + 7200), '3 d 2 h')
  t.is(formatDeadline(1000, 758), 'ends in 4 min 2 s')
  t.is(formatDeadline(1000, 1003), 'ended 3 s ago')
})

test('confidence in percent with its interval; agreement as a fraction', (t) => {
  t.is(formatBps(8750), '87.5 %')
  t.is(formatBps(10_000), '100 %')
  t.is(formatBps(1234), '12.34 %')
  t.is(formatConfidence(9000, [8000, 9500]), '90 % (80 % – 95 %)')
  t.is(formatConfidence(null, [8000, 9500]), '—')
  t.is(formatAgreement(3, 4), '3/4 (75 %)')
  t.is(formatAgreement(0, 0), '—')
})

test('status words say what a reader needs: an outlier is named as one, a late agreement as such', (t) => {
  t.is(nodeStatusLabel('outlier'), 'outlier')
  t.is(nodeStatusLabel('late'), 'late (agreed after the commit)')
  t.is(nodeStatusLabel('no-answer'), 'no answer')
  t.is(requestStatusLabel('too-early'), 'too early')
  t.is(requestStatusLabel('committed'), 'committed')
  t.is(disputeStatusLabel('overturned'), 'overturned')
})
