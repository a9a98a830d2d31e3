/**
 * The identity of the production judge: the trained text judge's weights (resolve/judge-model.json) and how
 * its id and hash combine with the sentence encoder's into the `modelId` and `modelHash` a node signs. Shared
 * by the node and by replay, so both name the same models the same way.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { concat, keccak256, ZeroHash } from 'ethers'
import { loadJudgeModel } from '../resolve/load-judge-model.ts'

export const JUDGE_ID = 'sibyl-judge-v1'

export type PipelineJudge = { judge: ReturnType<typeof loadJudgeModel>; judgeId: string; judgeHash: string }

/** The judge this code runs, and keccak256 of its weights file. */
export function loadPipelineJudge(): PipelineJudge {
  const judgePath = fileURLToPath(new URL('../resolve/judge-model.json', import.meta.url))
  return { judge: loadJudgeModel(judgePath), judgeId: JUDGE_ID, judgeHash: keccak256(readFileSync(judgePath)) }
}

/**
 * The signed model hash names both the encoder weights and the judge's weights (zero for the encoder when a hub
 * load could not be hashed: the aggregator then sees weights nobody can check).
 */
export function pipelineModelHash(embedderHash: string | undefined, judgeHash: string): string {
  return keccak256(concat([embedderHash ?? ZeroHash, judgeHash]))
}

export function pipelineModelId(embedderId: string, judgeId: string = JUDGE_ID): string {
  return `${embedderId}+${judgeId}`
}
