/** The sibyl command: one entry, one subcommand per component. */
import { deployCommand } from './deploy-command.ts'
import { nodeCommand } from './node-command.ts'
import { aggregatorCommand } from './aggregator-command.ts'
import { stakeCommand } from './stake-command.ts'
import { sitesCommand } from './sites-command.ts'
import { modelsCommand } from './models-command.ts'
import { demoCommand } from './demo-command.ts'
import { natsCommand } from './nats-command.ts'
import { evidenceCommand } from './evidence-command.ts'
import { replayCommand } from './replay-command.ts'
import { keysCommand } from './keys-command.ts'
import { specCommand } from './spec-command.ts'
import { askCommand } from './ask-command.ts'
import { watchCommand } from './watch-command.ts'
import { finalizeCommand } from './finalize-command.ts'
import { disputeCommand } from './dispute-command.ts'
import { voteCommand } from './vote-command.ts'
import { executeCommand } from './execute-command.ts'
import { claimCommand } from './claim-command.ts'
import { unbondCommand } from './unbond-command.ts'
import { withdrawCommand } from './withdraw-command.ts'
import { statusCommand } from './status-command.ts'
import { explorerCommand } from './explorer-command.ts'
import { EXIT_OK, EXIT_USAGE, type Command, type CommandIo } from './io.ts'

export const commands: readonly Command[] = [
  keysCommand,
  deployCommand,
  stakeCommand,
  statusCommand,
  unbondCommand,
  withdrawCommand,
  claimCommand,
  nodeCommand,
  aggregatorCommand,
  specCommand,
  askCommand,
  watchCommand,
  finalizeCommand,
  disputeCommand,
  voteCommand,
  executeCommand,
  sitesCommand,
  modelsCommand,
  demoCommand,
  explorerCommand,
  evidenceCommand,
  replayCommand,
  natsCommand,
]

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'Usage: sibyl <command> [options]',
    '',
    'Sibyl is a decentralized oracle network: nodes read the web, judge with NLP models, sign, and an',
    'aggregator commits the consensus on-chain where every signature is checked again.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sibyl <command> --help` for a command\'s options.',
    '',
  ].join('\n')
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText())
    return name ? EXIT_OK : EXIT_USAGE
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    io.stderr.write(`sibyl: unknown command "${name}"\n\n${helpText()}`)
    return EXIT_USAGE
  }
  return command.run(rest, io)
}
