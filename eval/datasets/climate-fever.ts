/**
 * CLIMATE-FEVER at claim level: a real-world claim and its 5 Wikipedia evidence sentences (some relevant,
 * some not). SUPPORTS = YES, REFUTES = NO; NOT_ENOUGH_INFO and DISPUTED (annotators found evidence both ways)
 * are both "the evidence does not settle it", which a node says by abstaining.
 */
import { createTextJudgeAdapter } from './text-judge-adapter.ts'
import { text } from '../read-dataset.ts'

export const climateFever = createTextJudgeAdapter({
  name: 'climate_fever',
  folder: 'climate_fever',
  task: 'claim verification',
  protocol: '"<claim>?" YES/NO over the 5 evidence sentences; SUPPORTS = YES, REFUTES = NO, NOT_ENOUGH_INFO or DISPUTED = abstain; answer at threshold scored',
  gold: (row) => ({ SUPPORTS: 'SUPPORTS', REFUTES: 'REFUTES', NOT_ENOUGH_INFO: 'NOT_SETTLED', DISPUTED: 'NOT_SETTLED' })[text(row.label)],
  claim: (row) => text(row.claim),
  passages: (row) => (Array.isArray(row.evidences) ? row.evidences.map((e) => text((e as { text?: unknown }).text)) : []),
  yes: 'SUPPORTS',
  no: 'REFUTES',
  abstainClass: 'NOT_SETTLED',
})
