/** FEVER-Symmetric: a FEVER claim and its one gold Wikipedia sentence; SUPPORTS / REFUTES. */
import { createTextJudgeAdapter } from './text-judge-adapter.ts'
import { text } from '../read-dataset.ts'

export const feverSymmetric = createTextJudgeAdapter({
  name: 'fever_symmetric',
  folder: 'fever_symmetric',
  task: 'claim verification',
  protocol: '"<claim>?" YES/NO over the gold evidence sentence; SUPPORTS = YES, REFUTES = NO; best outcome scored',
  gold: (row) => ({ SUPPORTS: 'SUPPORTS', REFUTES: 'REFUTES' })[text(row.label)],
  claim: (row) => text(row.claim),
  passages: (row) => [text(row.evidence)],
  yes: 'SUPPORTS',
  no: 'REFUTES',
})
