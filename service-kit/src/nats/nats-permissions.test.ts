import test from 'ava'
import { createUser } from '@nats-io/jwt'
import { roundsBucketReplicas } from './ensure-streams.ts'
import { inboxPrefixFor, natsPermissions } from './nats-permissions.ts'

const scope = { chainIds: [31337n], durableName: 'sibyl-aggregator' }
const user = createUser().getPublicKey()
const signer = '0x00000000000000000000000000000000000000Aa'

test("a node publishes observations on its own signer's subject only, and no consumer on the observations", (t) => {
  const p = natsPermissions({ role: 'node', name: 'node-1', signer }, user, scope)!
  const subjects = p.pub.allow.filter((s) => s.startsWith('sibyl.'))
  t.deepEqual(subjects, ['sibyl.v1.obs.31337.0x00000000000000000000000000000000000000aa'])
  t.false(p.pub.allow.some((s) => /STREAM\.(DELETE|UPDATE|PURGE)\.\*|\$KV\.|\$JS\.ACK|CREATE\.SIBYL/.test(s)), p.pub.allow.join(' '))
  t.true(p.pub.deny.includes('$JS.API.CONSUMER.MSG.NEXT.SIBYL_OBSERVATIONS.*'))
  t.true(p.pub.deny.includes('$JS.ACK.SIBYL_OBSERVATIONS.>'))
  t.deepEqual(p.sub.allow, [`${inboxPrefixFor(user)}.>`])
})

test('an aggregator pulls the shared durable by name, writes rounds and reports, and publishes no observation', (t) => {
  const p = natsPermissions({ role: 'aggregator', name: 'agg-1' }, user, scope)!
  t.true(p.pub.allow.includes('$JS.API.CONSUMER.MSG.NEXT.SIBYL_OBSERVATIONS.sibyl-aggregator'))
  t.true(p.pub.allow.includes('$KV.sibyl_rounds_31337.>'))
  t.true(p.pub.allow.includes('sibyl.v1.outliers.31337.>'))
  t.false(p.pub.allow.some((s) => s.startsWith('sibyl.v1.obs') || /STREAM\.(CREATE|DELETE|UPDATE|PURGE)/.test(s)))
})

test('a reader publishes nothing but read requests; the admin is unrestricted; inboxes are per user', (t) => {
  const p = natsPermissions({ role: 'reader', name: 'explorer' }, user, scope)!
  t.true(p.pub.allow.every((s) => s.startsWith('$JS.API.') || s === '$JS.FC.>'))
  t.false(p.pub.allow.some((s) => /STREAM\.(CREATE|DELETE|UPDATE|PURGE)/.test(s)))
  t.true(p.sub.allow.includes('sibyl.v1.obs.31337.*'))
  t.is(natsPermissions({ role: 'admin', name: 'admin' }, user, scope), undefined)
  t.throws(() => inboxPrefixFor('not-a-key'))
})

test('rounds buckets are replicated only where compare-and-set stays serializable (2.10 and later)', (t) => {
  t.is(roundsBucketReplicas(3, '2.9.10'), 1)
  t.is(roundsBucketReplicas(3, '2.10.4'), 3)
  t.is(roundsBucketReplicas(3, '3.0.0'), 3)
  t.is(roundsBucketReplicas(1, '2.10.0'), 1)
  t.is(roundsBucketReplicas(3, undefined), 1)
})
