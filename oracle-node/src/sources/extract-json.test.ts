import test from 'ava'
import { extractJsonPath } from './extract-json.ts'

const doc = JSON.parse(
  '{"data":{"price":"119.01","n":42,"nested":{"deep":[1,[2,3]]}},"quotes":[{"close":101.5},{"close":99}],"a":{"b.c":7,"it\'s":8,"q\\"k":9},"nil":null,"__proto__":{"polluted":true}}',
)

test('dot, index and quoted-key paths reach values', (t) => {
  t.deepEqual(extractJsonPath(doc, 'data.price'), { ok: true, value: '119.01' })
  t.deepEqual(extractJsonPath(doc, 'quotes[0].close'), { ok: true, value: 101.5 })
  t.deepEqual(extractJsonPath(doc, 'quotes[1]'), { ok: true, value: { close: 99 } })
  t.deepEqual(extractJsonPath(doc, 'a["b.c"]'), { ok: true, value: 7 })
  t.deepEqual(extractJsonPath(doc, `a['it\\'s']`), { ok: true, value: 8 })
  t.deepEqual(extractJsonPath(doc, 'a["q\\"k"]'), { ok: true, value: 9 })
  t.deepEqual(extractJsonPath(doc, 'data.nested.deep[1][0]'), { ok: true, value: 2 })
  t.deepEqual(extractJsonPath(doc, '$.data.n'), { ok: true, value: 42 })
  t.deepEqual(extractJsonPath(doc, '$["data"]["n"]'), { ok: true, value: 42 })
  t.deepEqual(extractJsonPath(doc, 'nil'), { ok: true, value: null })
  t.deepEqual(extractJsonPath([10, 20], '$[1]'), { ok: true, value: 20 })
  t.is((extractJsonPath(doc, '$') as { value: unknown }).value, doc)
})

test('missing keys, out-of-range indexes and wrong shapes are typed errors naming where', (t) => {
  t.like(extractJsonPath(doc, 'data.volume'), { ok: false, reason: 'not_found', at: '["data"]["volume"]' })
  t.like(extractJsonPath(doc, 'quotes[5].close'), { ok: false, reason: 'not_found', at: '["quotes"][5]' })
  t.like(extractJsonPath(doc, 'data[0]'), { ok: false, reason: 'type_mismatch' })
  t.like(extractJsonPath(doc, 'quotes.close'), { ok: false, reason: 'type_mismatch' })
  t.like(extractJsonPath(doc, 'data.price.length'), { ok: false, reason: 'type_mismatch' }) // no walking into strings
  t.like(extractJsonPath(doc, 'nil.x'), { ok: false, reason: 'type_mismatch' })
})

test('prototype keys are refused, even when the document has them as own properties', (t) => {
  for (const path of ['__proto__', '__proto__.polluted', 'data.constructor', 'data["constructor"]', 'a.prototype', "data['__proto__']", 'toString.constructor']) {
    t.like(extractJsonPath(doc, path), { ok: false, reason: 'forbidden_key' }, path)
  }
  // Inherited members are not own properties.
  t.like(extractJsonPath(doc, 'data.toString'), { ok: false, reason: 'not_found' })
  t.like(extractJsonPath(doc, 'data.hasOwnProperty'), { ok: false, reason: 'not_found' })
  t.is(({} as Record<string, unknown>)['polluted'], undefined)
})

test('malformed paths are invalid_path; depth and length are bounded', (t) => {
  for (const path of ['', '.a', 'a.', 'a..b', 'a[', 'a[-1]', 'a[1.5]', 'a["x]', 'a[x]', 'a b', '0.a', 'a]', '$a', 'quotes.0']) {
    t.like(extractJsonPath(doc, path), { ok: false }, path)
    t.not((extractJsonPath(doc, path) as { reason?: string }).reason, undefined)
  }
  t.like(extractJsonPath(doc, 'a[01]'), { ok: false, reason: 'invalid_path' })
  t.like(extractJsonPath(doc, Array.from({ length: 40 }, () => 'a').join('.')), { ok: false, reason: 'too_deep' })
  t.like(extractJsonPath(doc, 'a'.repeat(600)), { ok: false, reason: 'invalid_path' })
})
