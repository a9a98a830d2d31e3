/**
 * The spec and outcome labels of a ResolutionRequested log, read leniently. The contract does not (and cannot
 * cheaply) check that its `string` arguments are UTF-8, so a requester may emit any bytes; ethers then throws
 * when the field is read, and a reader that lets that escape stops at the log (a node's scan cursor would never
 * move past it). Here the strings are decoded as the bytes they are and turned into text with every invalid
 * sequence replaced by U+FFFD: the spec then no longer matches its on-chain hash, which nodes answer as an
 * invalid spec ("unresolvable"), and the readers go on to the next log.
 */
import { AbiCoder, Utf8ErrorFuncs, toUtf8String, type BytesLike } from 'ethers'

/** The non-indexed fields of ResolutionRequested, with `string` read as `bytes` (the same encoding). */
const DATA_TYPES = ['bytes32', 'uint64', 'uint96', 'uint32', 'bytes', 'bytes[]'] as const

export type RequestTexts = { spec: string; outcomes: string[]; validUtf8: boolean }

export function readRequestTexts(data: BytesLike): RequestTexts {
  const [, , , , specBytes, outcomeBytes] = AbiCoder.defaultAbiCoder().decode(DATA_TYPES, data)
  let validUtf8 = true
  const text = (b: string) => {
    try {
      return toUtf8String(b)
    } catch {
      validUtf8 = false
      return toUtf8String(b, Utf8ErrorFuncs.replace)
    }
  }
  return { spec: text(specBytes as string), outcomes: [...(outcomeBytes as string[])].map(text), validUtf8 }
}
