/**
 * Builds and hashes a question's evidence bundle in a page worker. The bundle carries every raw page (up to
 * the bundle's bound) and its encoding and Merkle hash run keccak256 and ABI encoding over megabytes in
 * JavaScript: a few hundred milliseconds for one large page, enough to stall the event loop, so it is done
 * here and only the result crosses back. A pure function of its input.
 */
import { hashEvidenceBundle } from '@sibyl/protocol/evidence-bundle'
import { buildEvidenceBundle, buildEvidenceSources, type BuildEvidenceBundleReturnType, type BuildEvidenceSourcesParameters } from '../evidence/build-evidence-bundle.ts'
import type { BuildEvidenceBundleParameters } from '../evidence/build-evidence-bundle.ts'

export type EvidenceTask = {
  header: BuildEvidenceBundleParameters['header']
  /** What buildEvidenceSources reads: the source reads, the judged passages and the structured votes. */
  sources: BuildEvidenceSourcesParameters
}

export type EvidenceTaskResult = BuildEvidenceBundleReturnType & { evidenceHash: string }

export function runEvidenceTask({ header, sources }: EvidenceTask): EvidenceTaskResult {
  const evidence = buildEvidenceBundle({ header, sources: buildEvidenceSources(sources) })
  return { ...evidence, evidenceHash: hashEvidenceBundle(evidence.bundle) }
}
