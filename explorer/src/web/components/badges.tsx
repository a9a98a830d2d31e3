/**
 * Status badges. The status is always written out in words (never colour alone): a reader scanning the node
 * table, or a screen reader, gets "outlier" as text.
 */
import type { DisputeStatus, ExplorerRequestStatus, NodeAnswerStatus } from '../../store/explorer-types.ts'
import { disputeStatusLabel, nodeStatusLabel, requestStatusLabel } from '../format/format.ts'

export function RequestStatusBadge({ status }: { status: ExplorerRequestStatus }) {
  return <span class={`badge badge-request-${status}`}>{requestStatusLabel(status)}</span>
}

export function NodeStatusBadge({ status }: { status: NodeAnswerStatus }) {
  return <span class={`badge badge-node-${status}`}>{nodeStatusLabel(status)}</span>
}

export function DisputeStatusBadge({ status }: { status: DisputeStatus }) {
  return <span class={`badge badge-dispute-${status}`}>{disputeStatusLabel(status)}</span>
}
