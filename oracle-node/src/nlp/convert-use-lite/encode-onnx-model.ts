/**
 * A minimal ONNX ModelProto encoder: just the messages and fields a dense inference graph needs, written by
 * hand from onnx.proto (proto2) so the converter has no protobuf dependency and its bytes are fixed.
 *
 * Determinism is the point: fields are written in field-number order, repeated scalars unpacked (as the
 * reference protobuf implementations write proto2), no maps, no timestamps. Converting the same weights
 * twice gives the same bytes, so every node that converts them hashes (and signs) the same modelHash.
 */

/** onnx.TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1
export const ONNX_INT64 = 7
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

// Wire types.
const VARINT = 0
const LEN = 2
const I32 = 5

/** Appends protobuf fields to a list of chunks; `finish()` concatenates them once. */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = []
  private length = 0

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes)
    this.length += bytes.length
  }

  private tag(field: number, wireType: number): void {
    this.push(encodeVarint(BigInt((field << 3) | wireType)))
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, VARINT)
    // Negative int64 values are ten-byte two's complement varints.
    this.push(encodeVarint(BigInt.asUintN(64, BigInt(value))))
    return this
  }

  float(field: number, value: number): this {
    this.tag(field, I32)
    const bytes = new Uint8Array(4)
    new DataView(bytes.buffer).setFloat32(0, value, true)
    this.push(bytes)
    return this
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LEN)
    this.push(encodeVarint(BigInt(value.length)))
    this.push(value)
    return this
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value))
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter()
    build(inner)
    return this.bytes(field, inner.finish())
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length)
    let offset = 0
    for (const chunk of this.chunks) {
      out.set(chunk, offset)
      offset += chunk.length
    }
    return out
  }
}

function encodeVarint(value: bigint): Uint8Array {
  const bytes: number[] = []
  let v = value
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v !== 0n) byte |= 0x80
    bytes.push(byte)
  } while (v !== 0n)
  return Uint8Array.from(bytes)
}

// onnx.AttributeProto.AttributeType
const ATTRIBUTE_TYPE = { float: 1, int: 2, ints: 7 } as const

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d) // dims
  w.int(2, t.dataType) // data_type
  w.string(8, t.name) // name
  w.bytes(9, t.rawData) // raw_data
}

function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(1, a.name)
  if (a.kind === 'float') w.float(2, a.value)
  else if (a.kind === 'int') w.int(3, a.value)
  else for (const v of a.value) w.int(8, v)
  w.int(20, ATTRIBUTE_TYPE[a.kind])
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i)
  for (const o of n.outputs) w.string(2, o)
  w.string(4, n.opType)
  for (const a of n.attributes ?? []) w.message(5, (m) => writeAttribute(m, a))
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name)
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.dataType)
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)))
      })
    }),
  )
}

/** Serialises `model` as an ONNX ModelProto. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter()
  w.int(1, model.irVersion) // ir_version
  w.string(2, model.producerName)
  w.string(3, model.producerVersion)
  w.string(6, model.docString)
  w.message(7, (g) => {
    for (const n of model.graph.nodes) g.message(1, (m) => writeNode(m, n))
    g.string(2, model.graph.name)
    for (const t of model.graph.initializers) g.message(5, (m) => writeTensor(m, t))
    for (const v of model.graph.inputs) g.message(11, (m) => writeValueInfo(m, v))
    for (const v of model.graph.outputs) g.message(12, (m) => writeValueInfo(m, v))
  })
  w.message(8, (o) => {
    o.string(1, '') // the default domain, ai.onnx
    o.int(2, model.opsetVersion)
  })
  return w.finish()
}
