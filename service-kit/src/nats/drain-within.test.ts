import test from 'ava'
import { drainWithin } from './drain-within.ts'

/** One function's unit test: a connection whose drain behaves as told (the real server case is test/explorer-demo.test.ts). */
function connection(drain: () => Promise<void>) {
  let closed = false
  let closes = 0
  return {
    drain,
    close: async () => {
      closes++
      closed = true
    },
    isClosed: () => closed,
    closes: () => closes,
  }
}

test('a drain that finishes in time: drained, and the connection is not closed twice', async (t) => {
  let closedByDrain = false
  const nc = connection(async () => {
    closedByDrain = true
  })
  nc.isClosed = () => closedByDrain
  t.is(await drainWithin(nc, 1000), 'drained')
  t.is(nc.closes(), 0)
})

test('a drain that never ends (the server is gone): cut short, and the connection closed', async (t) => {
  const nc = connection(() => new Promise<void>(() => undefined))
  const started = Date.now()
  t.is(await drainWithin(nc, 50), 'closed')
  t.true(Date.now() - started < 1000)
  t.is(nc.closes(), 1)
})

test('a drain that fails (already draining, or closed): no throw, and the connection closed', async (t) => {
  const nc = connection(() => Promise.reject(new Error('connection draining')))
  t.is(await drainWithin(nc, 1000), 'closed')
  t.is(nc.closes(), 1)
})
