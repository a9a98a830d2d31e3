import test from 'ava'
import { limitRepeatedWarnings } from './limit-repeated-warnings.ts'

test('a warning repeated every tick is logged when it starts, then once per period with the count, and its end once', (t) => {
  const limit = limitRepeatedWarnings({ everyMs: 60_000 })
  const logged: (number | undefined)[] = []
  for (let ms = 0; ms <= 150_000; ms += 2000) logged.push(limit.occurred('feed-a:timeout', ms)?.repeats)
  t.deepEqual(logged.filter((r) => r !== undefined), [0, 29, 29])
  t.deepEqual(limit.occurred('feed-b:timeout', 0), { repeats: 0 }, 'keys are independent')
  t.true(limit.recovered('feed-a:timeout'))
  t.false(limit.recovered('feed-a:timeout'))
  t.deepEqual(limit.occurred('feed-a:timeout', 152_000), { repeats: 0 }, 'after recovery it is news again')
})
