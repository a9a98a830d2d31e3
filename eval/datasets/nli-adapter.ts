/** The NLI datasets (MNLI, SNLI) share one protocol: the premise is the evidence, the hypothesis the claim. */
import { createTextJudgeAdapter } from './text-judge-adapter.ts'
import { text } from '../read-dataset.ts'
import type { DatasetAdapter } from '../dataset-adapter.ts'

export function createNliAdapter(name: string): DatasetAdapter {
  return createTextJudgeAdapter({
    name,
    folder: name,
    task: 'NLI',
    protocol: '"<hypothesis>?" YES/NO over the premise; entailment = YES, contradiction = NO, neutral = abstain; answer at threshold scored',
    gold: (row) => ({ entailment: 'entailment', contradiction: 'contradiction', neutral: 'neutral' })[text(row.label)],
    claim: (row) => text(row.hypothesis),
    passages: (row) => [text(row.premise)],
    yes: 'entailment',
    no: 'contradiction',
    abstainClass: 'neutral',
  })
}
