import test from 'ava'
import { waitWithin } from './wait-within.ts'

test('work done in time, work that fails, work that never ends', async (t) => {
  t.deepEqual(await waitWithin(Promise.resolve(1), 1000), { status: 'done' })
  const error = new Error('gone')
  t.deepEqual(await waitWithin(Promise.reject(error), 1000), { status: 'failed', error })
  const started = Date.now()
  t.deepEqual(await waitWithin(new Promise(() => undefined), 50), { status: 'timed-out' })
  t.true(Date.now() - started < 1000)
})
