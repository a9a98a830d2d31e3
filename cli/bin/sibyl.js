#!/usr/bin/env node
// The sibyl command. Sources are TypeScript, run through tsx's loader.
import { existsSync } from 'node:fs'
import { register } from 'tsx/esm/api'

register()
// The contracts' typed bindings are generated, not committed: `npm ci` builds them (the root prepare script),
// and an install that skipped scripts (--ignore-scripts) builds them here, once, before anything imports them.
if (!existsSync(new URL('../../contracts/generated/typechain/index.ts', import.meta.url))) {
  process.stderr.write('sibyl: compiling the contracts once (their typed bindings are missing)...\n')
  const { buildContracts } = await import('@sibyl/contracts/build')
  await buildContracts()
}
const { main } = await import('../src/main.ts')
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
process.exitCode = code
// A command that failed may leave handles open (a node that could not open its metrics port after it connected
// to NATS and started its worker threads): nothing of it is worth waiting for, and a supervisor must see it exit.
if (code !== 0) process.exit(code)
