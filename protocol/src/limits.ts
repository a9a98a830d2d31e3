/**
 * Limits shared by every component. A round never holds more observations than a report can carry, so the
 * aggregator's round records, its messages and the contract's loops are bounded by the same number.
 */

/** Most signers (and observations) one round or report holds. */
export const MAX_SIGNERS_PER_ROUND = 64
