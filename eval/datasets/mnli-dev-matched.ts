/** MultiNLI dev-matched: premise as the evidence, hypothesis as the claim; neutral is an abstention. */
import { createTextJudgeAdapter } from './text-judge-adapter.ts'
import { text } from '../read-dataset.ts'

export const mnliDevMatched = createTextJudgeAdapter({
  name: 'mnli_dev_matched',
  folder: 'mnli_dev_matched',
  task: 'NLI',
  protocol: '"<hypothesis>?" YES/NO over the premise; entailment = YES, contradiction = NO, neutral = abstain; answer at threshold scored',
  gold: (row) => ({ entailment: 'entailment', contradiction: 'contradiction', neutral: 'neutral' })[text(row.label)],
  claim: (row) => text(row.hypothesis),
  passages: (row) => [text(row.premise)],
  yes: 'entailment',
  no: 'contradiction',
  abstainClass: 'neutral',
})
