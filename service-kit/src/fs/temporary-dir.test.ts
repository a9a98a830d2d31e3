import test from 'ava'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

test('the folder exists while its process runs and is gone when it exits', (t) => {
  const script = `
    import { existsSync, writeFileSync } from 'node:fs'
    import { temporaryDir } from ${JSON.stringify(new URL('./temporary-dir.ts', import.meta.url).pathname)}
    const dir = temporaryDir('sibyl-temp-dir-test-')
    writeFileSync(dir + '/file', 'x')
    console.log(JSON.stringify({ dir, existed: existsSync(dir + '/file') }))`
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }).trim()) as { dir: string; existed: boolean }
  t.true(out.existed)
  t.false(existsSync(out.dir))
})
