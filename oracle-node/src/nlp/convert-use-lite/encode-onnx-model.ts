/**
 * Serialises the converter's small model description as an ONNX ModelProto with onnx-proto (the ONNX schema
 * compiled to protobufjs code), so the wire format is a protobuf library's, not ours.
 *
 * Determinism is the point: protobufjs writes fields in field-number order, and only the fields set on a
 * message, and this file sets the same fields every time (no maps, no timestamps). Converting the same
 * weights twice gives the same bytes, so every node that converts them hashes (and signs) the same
 * modelHash. The schema onnx-proto compiled packs repeated int64s (TensorProto.dims, AttributeProto.ints);
 * protobuf parsers, ONNX Runtime's included, read packed and unpacked alike.
 */
import onnxProto from 'onnx-proto'
import type { onnx as OnnxProto } from 'onnx-proto'
import { BaseError } from '@sibyl/protocol/errors'

// onnx-proto is CommonJS that assigns `module.exports = $root`, which Node cannot list as named exports for
// ESM; the default import is that object.
const { onnx } = onnxProto

/** onnx.TensorProto.DataType values used here. */
export const ONNX_FLOAT = onnx.TensorProto.DataType.FLOAT
export const ONNX_INT64 = onnx.TensorProto.DataType.INT64
export type OnnxDataType = typeof ONNX_FLOAT | typeof ONNX_INT64

export type OnnxTensor = {
  name: string
  dataType: OnnxDataType
  dims: readonly number[]
  /** Little-endian element bytes (TensorProto.raw_data). */
  rawData: Uint8Array
}

export type OnnxAttribute =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'ints'; value: readonly number[] }

export type OnnxNode = {
  opType: string
  inputs: readonly string[]
  outputs: readonly string[]
  attributes?: readonly OnnxAttribute[]
}

/** A tensor input or output; a string dim is symbolic (dim_param), a number fixed (dim_value). */
export type OnnxValueInfo = { name: string; dataType: OnnxDataType; shape: readonly (number | string)[] }

export type OnnxModel = {
  irVersion: number
  opsetVersion: number
  producerName: string
  producerVersion: string
  docString: string
  graph: {
    name: string
    nodes: readonly OnnxNode[]
    initializers: readonly OnnxTensor[]
    inputs: readonly OnnxValueInfo[]
    outputs: readonly OnnxValueInfo[]
  }
}

export class OnnxEncodeError extends BaseError {
  override name = 'OnnxEncodeError' as const
}

/** Serialises `model` as an ONNX ModelProto. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  return onnx.ModelProto.encode(toModelProto(model)).finish()
}

/**
 * Every int64 field goes through here. onnx-proto types them `number | Long`, and with Long's typings not
 * among this project's types that reads as `any`, so the compiler would let anything in; and protobufjs'
 * encode() writes a fractional, NaN or unsafe number as some other integer instead of failing.
 */
function int64(value: number): number {
  if (!Number.isSafeInteger(value)) throw new OnnxEncodeError(`${value} is not an integer an ONNX int64 field can hold exactly.`)
  return value
}

const ATTRIBUTE_TYPE = {
  float: onnx.AttributeProto.AttributeType.FLOAT,
  int: onnx.AttributeProto.AttributeType.INT,
  ints: onnx.AttributeProto.AttributeType.INTS,
} as const

/**
 * The description as onnx-proto messages. Plain objects with only the fields meant to be written: encode()
 * writes every own property that is set, including empty strings, and skips the rest.
 */
function toModelProto(model: OnnxModel): OnnxProto.IModelProto {
  return {
    irVersion: int64(model.irVersion),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    docString: model.docString,
    graph: {
      node: model.graph.nodes.map(toNodeProto),
      name: model.graph.name,
      initializer: model.graph.initializers.map(toTensorProto),
      input: model.graph.inputs.map(toValueInfoProto),
      output: model.graph.outputs.map(toValueInfoProto),
    },
    // The empty domain is the default one, ai.onnx; written out, as ONNX's own tools do.
    opsetImport: [{ domain: '', version: int64(model.opsetVersion) }],
  }
}

function toNodeProto(n: OnnxNode): OnnxProto.INodeProto {
  return { input: [...n.inputs], output: [...n.outputs], opType: n.opType, attribute: (n.attributes ?? []).map(toAttributeProto) }
}

function toAttributeProto(a: OnnxAttribute): OnnxProto.IAttributeProto {
  const type = ATTRIBUTE_TYPE[a.kind]
  switch (a.kind) {
    case 'float':
      return { name: a.name, f: a.value, type }
    case 'int':
      return { name: a.name, i: int64(a.value), type }
    case 'ints':
      return { name: a.name, ints: a.value.map(int64), type }
  }
}

function toTensorProto(t: OnnxTensor): OnnxProto.ITensorProto {
  return { dims: t.dims.map(int64), dataType: t.dataType, name: t.name, rawData: t.rawData }
}

function toValueInfoProto(v: OnnxValueInfo): OnnxProto.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.dataType,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: int64(d) } : { dimParam: d })) },
      },
    },
  }
}
