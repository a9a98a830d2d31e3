import test from 'ava'
import { parseRoute, requestHref, requestsHref } from './parse-route.ts'

const id = `0x${'ab'.repeat(32)}`

test('the hash routes: home, a filtered list, a request, the other pages, and anything else', (t) => {
  t.deepEqual(parseRoute(''), { page: 'requests', status: undefined })
  t.deepEqual(parseRoute('#/'), { page: 'requests', status: undefined })
  t.deepEqual(parseRoute('#/?status=final'), { page: 'requests', status: 'final' })
  t.deepEqual(parseRoute('#/?status=banana'), { page: 'requests', status: undefined })
  t.deepEqual(parseRoute(`#/requests/${id.toUpperCase().replace('0X', '0x')}`), { page: 'request', requestId: id })
  t.deepEqual(parseRoute('#/feeds'), { page: 'feeds' })
  t.deepEqual(parseRoute('#/operators'), { page: 'operators' })
  t.deepEqual(parseRoute('#/disputes'), { page: 'disputes' })
  t.deepEqual(parseRoute('#/requests/0x12'), { page: 'not-found', hash: '/requests/0x12' })
  t.is(parseRoute(requestHref(id)).page, 'request')
  t.deepEqual(parseRoute(requestsHref('too-early')), { page: 'requests', status: 'too-early' })
})
