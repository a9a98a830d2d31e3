import test from 'ava'
import type { CommandIo } from './io.ts'
import { demoCommand } from './demo-command.ts'

function captureIo(): CommandIo & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {}, out: () => out, err: () => err }
}

test('demo --help prints the usage and exits 0 without starting anything', async (t) => {
  const io = captureIo()
  t.is(await demoCommand.run(['--help'], io), 0)
  t.regex(io.out(), /--once/)
  t.regex(io.out(), /--liars N/)
})

for (const [args, problem] of [
  [['--nodes', '0'], /--nodes must be an integer from 1 to 31/],
  [['--nodes', 'four'], /--nodes must be an integer/],
  [['--nodes', '4', '--liars', '4'], /--liars must be fewer than --nodes/],
  [['--dispute-window', '0'], /--dispute-window must be an integer from 1/],
  [['--questions', 'hockey-winner,who-won-the-moon'], /unknown question\(s\): who-won-the-moon/],
  [['--bogus'], /Unknown option '--bogus'/],
] as const) {
  test(`demo ${args.join(' ')} is a usage error (exit 2) before anything starts`, async (t) => {
    const io = captureIo()
    t.is(await demoCommand.run([...args], io), 2)
    t.regex(io.err(), problem)
    t.is(io.out(), '')
  })
}
