/**
 * sibyl spec check FILE: checks a question spec the way the nodes and the contract will, before any fee is
 * paid for it.
 */
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { loadQuestionSpec } from './spec/load-question-spec.ts'
import { toJson } from './chain/run-on-chain.ts'

const usage = `Usage: sibyl spec check FILE [--json]

Checks a question spec (JSON: version, type text | sports.winner | numeric.threshold, question, sources,
outcomes; protocol/src/question-spec.ts) with the schema every node applies, and its size against the
contract's limit. Prints its type, outcomes and specHash; exits 1 naming each problem's path.

  --json   print one JSON object instead of text
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const [sub, file, ...rest] = args
  if (sub === '--help' || sub === '-h') {
    io.stdout.write(usage)
    return EXIT_OK
  }
  if (sub !== 'check' || file === undefined || file.startsWith('-')) {
    if (file === '--help' || file === '-h') {
      io.stdout.write(usage)
      return EXIT_OK
    }
    io.stderr.write(`sibyl spec: expected \`sibyl spec check FILE\`\n\n${usage}`)
    return EXIT_USAGE
  }
  const cli = parseCommandArgs(rest, { json: { type: 'boolean' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const loaded = loadQuestionSpec(file)
  if (!loaded.ok) {
    if (cli.values.json) io.stdout.write(`${toJson({ ok: false, command: 'spec check', file, problems: loaded.problems })}\n`)
    for (const problem of loaded.problems) io.stderr.write(`sibyl spec: ${problem}\n`)
    return EXIT_FAILED
  }
  const { spec } = loaded
  const result = { file, type: spec.type, question: spec.question, outcomes: spec.outcomes, sources: spec.sources.length, specHash: loaded.specHash, bytes: loaded.bytes }
  io.stdout.write(
    cli.values.json
      ? `${toJson({ ok: true, command: 'spec check', ...result })}\n`
      : `${file}: a valid ${spec.type} question with ${spec.outcomes.length} outcomes (${spec.outcomes.join(' | ')}), ${spec.sources.length} sources, ${loaded.bytes} bytes\nspecHash ${loaded.specHash}\n`,
  )
  return EXIT_OK
}

export const specCommand: Command = { name: 'spec', summary: 'check a question spec before asking it', usage, run }
