import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadExplorerConfig, resolveExplorerConfig } from './explorer-config.ts'

const composeConfig = fileURLToPath(new URL('../../deploy/compose/explorer.yaml', import.meta.url))

test("the docker-compose explorer config parses: the reader identity's creds, the feed spec read next to the file", (t) => {
  const config = loadExplorerConfig(composeConfig)
  t.is(config.nats.credentialsFile, '/nats/explorer.creds')
  t.is(config.chain.confirmations, 0)
  t.deepEqual(config.http, { host: '0.0.0.0', port: 8090 })
  t.is(config.feedSpecs.length, 1)
  t.true(config.feedSpecs[0]!.heartbeatSec > 0)
})

test('a bad config names the path of what is wrong', (t) => {
  const base = { chain: { rpcUrls: ['http://127.0.0.1:8545'], deploymentFile: 'd.json' }, nats: { servers: ['nats://127.0.0.1:4222'] } }
  t.notThrows(() => resolveExplorerConfig(base, '/tmp'))
  t.throws(() => resolveExplorerConfig({ ...base, http: { port: 'eighty' } }, '/tmp'), { message: /http\.port/ })
  t.throws(() => resolveExplorerConfig({ ...base, key: { source: 'env', env: 'K' } }, '/tmp'), { message: /key/ })
  t.throws(() => resolveExplorerConfig({ ...base, chain: { ...base.chain, confirmations: -1 } }, '/tmp'), { message: /chain\.confirmations/ })
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-explorer-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'bad-feed.json'), JSON.stringify({ version: 1 }))
  t.throws(() => resolveExplorerConfig({ ...base, feeds: ['bad-feed.json'] }, dir), { message: /feeds\.0: .*bad-feed\.json is not a feed spec/ })
})
