import test from 'ava'
import { REQUEST_STATUS, requestStatusName, type RequestStatusName } from './request-status.ts'

test('requestStatusName names every status the contract stores, from a bigint or a number', (t) => {
  const names = Object.keys(REQUEST_STATUS) as RequestStatusName[]
  t.deepEqual(names, ['None', 'Open', 'Committed', 'Disputed', 'Finalized'])
  for (const name of names) {
    t.is(requestStatusName(REQUEST_STATUS[name]), name)
    t.is(requestStatusName(Number(REQUEST_STATUS[name])), name)
  }
})

test('requestStatusName is undefined for a value the contract never stores', (t) => {
  for (const value of [5n, 255n, -1n, 2n ** 64n, 5, -1]) t.is(requestStatusName(value), undefined)
})

test('the status values are the enum indexes 0..4, each once', (t) => {
  t.deepEqual(Object.values(REQUEST_STATUS), [0n, 1n, 2n, 3n, 4n])
})
