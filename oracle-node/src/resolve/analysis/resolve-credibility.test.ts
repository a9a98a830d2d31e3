import test from 'ava'
import { resolveCredibility } from './resolve-credibility.ts'

test('the spec overrides the operator; parent domains and www. match; unknown hosts get the default', (t) => {
  const table = { operator: { 'example.com': 5, 'wire.net': 3, 'tabloid.io': 0.5 }, spec: { 'wire.net': 8 } }
  t.is(resolveCredibility('example.com', table), 5)
  t.is(resolveCredibility('www.news.example.com', table), 5)
  t.is(resolveCredibility('WIRE.net', table), 8)
  t.is(resolveCredibility('tabloid.io', table), 0.5)
  t.is(resolveCredibility('unknown.org', table), 1)
  t.is(resolveCredibility('unknown.org', { ...table, defaultWeight: 2 }), 2)
  t.is(resolveCredibility('unknown.org', undefined), 1)
  // A host that is only a suffix of a listed name is not that name.
  t.is(resolveCredibility('ample.com', table), 1)
})

test('hostile weights: NaN, negative, huge and inherited names are safe', (t) => {
  const table = { operator: { 'a.com': Number.NaN, 'b.com': -4, 'c.com': 1e9 } }
  t.is(resolveCredibility('a.com', table), 0)
  t.is(resolveCredibility('b.com', table), 0)
  t.is(resolveCredibility('c.com', table), 100)
  t.is(resolveCredibility('constructor', table), 1)
  t.is(resolveCredibility('', table), 1)
})
