import test from 'ava'
import { jsonNestingDepth, parseJsonBounded } from './parse-json-bounded.ts'

test('depth is counted outside strings only', (t) => {
  t.is(jsonNestingDepth('{"a":[1,{"b":"[[[[\\"{{{"}]}', 100), 3)
  t.is(jsonNestingDepth('"[[["', 100), 0)
})

test('a million nested arrays is a failure value, not a RangeError, and is refused fast', (t) => {
  const text = '['.repeat(1_000_000) + ']'.repeat(1_000_000)
  const started = performance.now()
  const parsed = parseJsonBounded(text)
  t.like(parsed, { ok: false, reason: 'too_deep' })
  t.true(performance.now() - started < 100)
})

test('ordinary documents parse; bad ones and oversized ones are values', (t) => {
  t.deepEqual(parseJsonBounded('{"price":"1.5","x":[[1]]}'), { ok: true, value: { price: '1.5', x: [[1]] } })
  t.like(parseJsonBounded('{"a":'), { ok: false, reason: 'syntax' })
  t.like(parseJsonBounded('[1]', { maxChars: 2 }), { ok: false, reason: 'too_large' })
  t.like(parseJsonBounded('[[[1]]]', { maxDepth: 2 }), { ok: false, reason: 'too_deep' })
  t.like(parseJsonBounded('[[1]]', { maxDepth: 2 }), { ok: true })
})
