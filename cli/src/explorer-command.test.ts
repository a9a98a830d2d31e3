import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CommandIo } from './io.ts'
import { explorerCommand } from './explorer-command.ts'

function captureIo(): CommandIo & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, out: () => out, err: () => err }
}

function configDir(t: { teardown: (fn: () => void) => void }, config: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-explorer-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'explorer.json'), JSON.stringify(config))
  return join(dir, 'explorer.json')
}

const base = { chain: { rpcUrls: ['http://127.0.0.1:1'], deploymentFile: 'deployment.json' }, nats: { servers: ['nats://127.0.0.1:1'] } }

test('explorer without --config is a usage error', async (t) => {
  const io = captureIo()
  t.is(await explorerCommand.run([], io), 2)
  t.regex(io.err(), /--config is required/)
})

test('an invalid config is a usage error naming the path', async (t) => {
  const io = captureIo()
  t.is(await explorerCommand.run(['--config', configDir(t, { ...base, http: { port: 70_000 } })], io), 2)
  t.regex(io.err(), /http\.port/)
})

test('without the built web app it says to run npm run build, and starts nothing', async (t) => {
  const io = captureIo()
  const file = configDir(t, { ...base, staticDir: 'no-such-dist' })
  t.is(await explorerCommand.run(['--config', file], io), 1)
  t.regex(io.err(), /web app is not built .*no-such-dist.*run `npm run build`/)
  t.is(io.out(), '')
})
