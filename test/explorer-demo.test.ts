/**
 * `sibyl demo --explorer-port P` with standard input closed (no terminal, as a service manager or `nohup` runs
 * it): the explorer serves the scenario's requests, keeps serving after the summary, and stops on SIGTERM,
 * exiting cleanly and removing its working folder (logs, state, NATS store), as it says it does without --keep.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'

const root = fileURLToPath(new URL('..', import.meta.url))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function getRequests(port: number): Promise<{ status: string; answer: string | null; question: string }[] | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/requests`)
    return ((await res.json()) as { requests: { status: string; answer: string | null; question: string }[] }).requests
  } catch {
    return undefined
  }
}

test('the demo serves the explorer with stdin closed, after the scenario too, until SIGTERM', async (t) => {
  t.timeout(300_000)
  const port = await freePort()
  const child = spawn(process.execPath, ['cli/bin/sibyl.js', 'demo', '--explorer-port', String(port), '--questions', 'hockey-winner', '--dispute-window', '5'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')))
  let exited = false
  const exit: { code: number | null } = { code: null }
  child.on('exit', (code) => {
    exited = true
    exit.code = code
  })
  t.teardown(() => {
    if (!exited) process.kill(-child.pid!, 'SIGKILL')
  })

  await pollUntil('the explorer URL in the demo output', async () => output.includes(`explorer ${`http://127.0.0.1:${port}/`}`), { timeoutMs: 180_000, everyMs: 500 })
  const final = await pollUntil('a final request in /api/requests', async () => (await getRequests(port))?.find((r) => r.status === 'final'), { timeoutMs: 180_000, everyMs: 1000 })
  t.is(final.answer, 'Port Alder Gulls')
  await pollUntil('the summary', async () => output.includes('The network keeps running'), { timeoutMs: 120_000, everyMs: 500 })

  // Past the scenario, with no terminal: still running, still serving.
  await new Promise((r) => setTimeout(r, 5000))
  t.false(exited, `the demo exited after its scenario: ${output.slice(-500)}`)
  t.is((await getRequests(port))?.length, 1)

  // The summary names the logs folder, inside the demo's working folder.
  const logs = /^\s*logs\s+(\S+)\s*$/m.exec(output)?.[1]
  t.truthy(logs, 'the summary names the logs folder')
  const workDir = dirname(logs!)
  t.true(existsSync(workDir))

  // The whole process group gets it, as from Ctrl-C in a terminal: its children stop at the same time.
  const signalledAt = performance.now()
  process.kill(-child.pid!, 'SIGTERM')
  await pollUntil('the explorer to stop serving', async () => (await getRequests(port)) === undefined, { timeoutMs: 30_000, everyMs: 500 })
  t.regex(output, /stopping/)
  // Red before: the test ended here and its teardown killed the demo mid-shutdown, leaving the folder behind.
  await pollUntil('the demo to exit', async () => exited, { timeoutMs: 60_000, everyMs: 250 })
  t.is(exit.code, 0, output.slice(-500))
  // A figure, not a bound (shared machines): about 15 s before the nodes stopped together within the demo's grace.
  t.log(`exited ${((performance.now() - signalledAt) / 1000).toFixed(1)} s after SIGTERM`)
  t.false(existsSync(workDir), `the working folder is removed: ${workDir}`)
  t.notRegex(output, /kept in/)
})
