/**
 * Rebuilds Universal Sentence Encoder lite's TF.js graph as a dense-input ONNX graph that transformers.js'
 * feature-extraction pipeline can run: inputs `input_ids` and `attention_mask` (int64 [batch, seq]),
 * outputs `sentence_embedding` [batch, 512] (L2-normalised) and the same vector as `last_hidden_state`
 * [batch, 1, 512] (read with `pooling: 'cls'`).
 *
 * The TF.js graph takes a sparse batch (token positions + ids) and gathers / scatters the valid tokens
 * around every position-wise step. With right-padded dense input and an attention mask those gathers and
 * scatters are the same as multiplying by the mask, which is what this graph does. Every other op is the TF
 * op it replaces, in the same order, on the original float32 weights copied byte for byte:
 *
 *   x0 = (emb + (emb + timing)) · mask        embedding lookup, sinusoidal timing signal (Layer_0/add adds the
 *                                             scattered embeddings to the scattered embeddings + timing)
 *   per layer (pre-LN Transformer):
 *     r  = layer 0: (x · W_adj + b_adj) · mask, else x          AdjustResidualInput (256 → 512)
 *     h  = LN(x); q, k, v = split(h · W_qkv + b_qkv)            1×1 Conv2D = MatMul
 *     a  = softmax(q·scale · kᵀ + (1 − mask)·(−1e9)) · v        per head, heads from the graph
 *     y  = a · W_o + b_o + r
 *     x' = (relu(LN(y) · W_1 + b_1) · W_2 + b_2) · mask + y     FFN on valid tokens only
 *   pooled = Σ x·mask / max(Σ mask, 1);  t = tanh(pooled · W_t + b_t);  out = t · 1/sqrt(max(Σ t², ε))
 *
 * Every constant (LayerNorm ε, query scales, head count and size, split sizes, padding bias, max length,
 * L2 ε) is read from the graph, and every weight is found by following the input of the TF node that uses
 * it, so a graph that differs from the expected one fails here instead of converting into something else.
 */
import { BaseError } from '@sibyl/protocol/errors'
import { ONNX_FLOAT, ONNX_INT64, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './encode-onnx-model.ts'
import type { TfjsGraphModel, TfjsNode, TfjsWeight } from './read-tfjs-graph-model.ts'

export class UnexpectedGraphError extends BaseError {
  override name = 'UnexpectedGraphError' as const
}

export type BuildUseLiteOnnxParameters = {
  graph: TfjsGraphModel
  producerName: string
  producerVersion: string
  docString: string
}

/** What the conversion read from the graph, for config.json and the logs. */
export type UseLiteDimensions = {
  vocabSize: number
  embeddingSize: number
  hiddenSize: number
  layers: number
  heads: number
  maxLength: number
}

export type BuildUseLiteOnnxReturnType = { model: OnnxModel; dimensions: UseLiteDimensions }

const ROOT = 'module_apply_default/Encoder_en/KonaTransformer'
const STACK = `${ROOT}/Encode/TransformerStack`
const HIDDEN = 'module_apply_default/Encoder_en/hidden_layers'

/** Maps the TF.js USE-lite graph to an ONNX model (see the file comment). */
export function buildUseLiteOnnx(parameters: BuildUseLiteOnnxParameters): BuildUseLiteOnnxReturnType {
  const tf = new GraphReader(parameters.graph)
  const g = new OnnxGraphBuilder()

  // --- inputs: clip to the model's maximum length (ClipToMaxLength) and to the vocabulary.
  const maxLength = tf.intScalar(tf.input(`${ROOT}/ClipToMaxLength/Less`, 1, 'Less'))
  const embeddings = tf.input(`${ROOT}/Encode/embedding_lookup`, 0, 'GatherV2')
  const [vocabSize, embeddingSize] = tf.shape(embeddings, 2)
  const ids = g.op('Slice', ['input_ids', g.int64s('zero_1d', [0]), g.int64s('max_length_1d', [maxLength]), g.int64s('axis1_1d', [1])], 'ids')
  const maskInt = g.op('Slice', ['attention_mask', 'zero_1d', 'max_length_1d', 'axis1_1d'], 'mask_int')
  const mask = g.op('Cast', [maskInt], 'mask', [{ name: 'to', kind: 'int', value: ONNX_FLOAT }])
  const mask3 = g.op('Unsqueeze', [mask, g.int64s('axis2_1d', [2])], 'mask3') // [B, S, 1]
  const clipped = g.op('Clip', [ids, g.int64Scalar('zero', 0), g.int64Scalar('last_id', vocabSize - 1)], 'ids_clipped')
  const emb = g.op('Gather', [g.weight('embeddings', embeddings, [vocabSize, embeddingSize]), clipped], 'emb', [{ name: 'axis', kind: 'int', value: 0 }])

  // --- timing signal: [sin(p·inv), cos(p·inv)] for positions p = 0..S-1 (AddTimingSignal/TimingSignal).
  tf.expect(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/concat`, 'ConcatV2', [`${STACK}/Layer_0/AddTimingSignal/TimingSignal/Sin`, `${STACK}/Layer_0/AddTimingSignal/TimingSignal/Cos`])
  const invTimescales = tf.input(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/mul_2`, 1, 'Mul')
  const [, halfChannels] = tf.shape(invTimescales, 2)
  if (halfChannels * 2 !== embeddingSize) throw new UnexpectedGraphError(`Timing signal has ${halfChannels * 2} channels, embeddings ${embeddingSize}.`)
  const seqLen = g.op('Gather', [g.op('Shape', [ids], 'ids_shape'), g.int64Scalar('one', 1)], 'seq_len', [{ name: 'axis', kind: 'int', value: 0 }])
  const positions = g.op('Range', [g.floatScalar('zero_f', 0), g.op('Cast', [seqLen], 'seq_len_f', [{ name: 'to', kind: 'int', value: ONNX_FLOAT }]), g.floatScalar('one_f', 1)], 'positions')
  const scaled = g.op('Mul', [g.op('Unsqueeze', [positions, 'axis1_1d'], 'positions_col'), g.weight('inv_timescales', invTimescales, [1, halfChannels])], 'timing_arg')
  const timing = g.op('Concat', [g.op('Sin', [scaled], 'timing_sin'), g.op('Cos', [scaled], 'timing_cos')], 'timing', [{ name: 'axis', kind: 'int', value: -1 }])
  // Layer_0/add = Scatter(emb) + Scatter(emb + timing): the embeddings count twice.
  tf.expect(`${STACK}/Layer_0/add`, 'Add', [`${ROOT}/Encode/Scatter/ScatterNd`, `${STACK}/Layer_0/AddTimingSignal/Scatter/ScatterNd`])
  tf.expect(`${STACK}/Layer_0/AddTimingSignal/add`, 'Add', [`${STACK}/Layer_0/AddTimingSignal/Gather/GatherNd`, `${STACK}/Layer_0/AddTimingSignal/TimingSignal/concat`])
  let x = g.op('Mul', [g.op('Add', [emb, g.op('Add', [emb, timing], 'emb_timing')], 'x0_dense'), mask3], 'x0')

  // --- attention bias for padding: (1 − mask) · (−1e9), as [B, 1, 1, S] (attention_bias_ignore_padding).
  const paddingBias = tf.input(`${STACK}/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul`, 1, 'Mul')
  const bias = g.op(
    'Unsqueeze',
    [g.op('Mul', [g.op('Sub', [g.floatScalar('one_f', 1), mask], 'padding'), g.weight('padding_bias', paddingBias, [])], 'bias_2d'), g.int64s('axes12_1d', [1, 2])],
    'attention_bias',
  )

  // --- the Transformer layers.
  let layers = 0
  let heads = 0
  let width = embeddingSize
  while (tf.has(`${STACK}/Layer_${layers}/TransformerLayer/MultiheadAttention/qkv_transform_single/Conv2D`)) {
    const L = `${STACK}/Layer_${layers}/TransformerLayer`
    const p = `layer${layers}`
    const adjust = tf.has(`${L}/AdjustResidualInput/dense/MatMul`)
    let residual = x
    let outWidth = width
    if (adjust) {
      const w = tf.input(`${L}/AdjustResidualInput/dense/MatMul`, 1, 'MatMul')
      ;[, outWidth] = tf.shape(w, 2)
      const b = tf.input(`${L}/AdjustResidualInput/dense/BiasAdd`, 1, 'BiasAdd')
      const dense = g.op('Add', [g.op('MatMul', [x, g.weight(`${p}.adjust.weight`, w, [width, outWidth])], `${p}/adjust/matmul`), g.weight(`${p}.adjust.bias`, b, [outWidth])], `${p}/adjust/dense`)
      residual = g.op('Mul', [dense, mask3], `${p}/adjust/out`)
    }

    // Multi-head attention.
    const h = layerNorm(tf, g, x, `${L}/layer_prepostprocess/layer_norm`, `${p}.attention.norm`, width)
    const qkvKernel = tf.input(`${L}/MultiheadAttention/qkv_transform_single/Conv2D`, 1, 'Conv2D')
    const [kh, kw, qkvIn, qkvOut] = tf.shape(qkvKernel, 4)
    if (kh !== 1 || kw !== 1 || qkvIn !== width) throw new UnexpectedGraphError(`${p}: qkv kernel is not a 1×1 projection of width ${width}.`)
    const qkv = g.op(
      'Add',
      [g.op('MatMul', [h, g.weight(`${p}.attention.qkv.weight`, qkvKernel, [qkvIn, qkvOut])], `${p}/attention/qkv_matmul`), g.weight(`${p}.attention.qkv.bias`, tf.input(`${L}/MultiheadAttention/qkv_transform_single/BiasAdd`, 1, 'BiasAdd'), [qkvOut])],
      `${p}/attention/qkv`,
    )
    const splitSizes = tf.intVector(tf.input(`${L}/MultiheadAttention/split`, 1, 'SplitV'))
    if (splitSizes.length !== 3 || splitSizes.reduce((a, b) => a + b, 0) !== qkvOut) throw new UnexpectedGraphError(`${p}: unexpected q/k/v split ${splitSizes.join(',')}.`)
    const [q, k, v] = [`${p}/attention/q`, `${p}/attention/k`, `${p}/attention/v`]
    g.node('Split', [qkv, g.int64s(`${p}.attention.split`, splitSizes)], [q, k, v], [{ name: 'axis', kind: 'int', value: -1 }])
    const headShape = tf.node(`${L}/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape`, 'Pack')
    heads = tf.intScalar(tf.inputNamed(headShape, 2))
    const headSize = tf.intScalar(tf.inputNamed(headShape, 3))
    if (heads * headSize !== splitSizes[0]) throw new UnexpectedGraphError(`${p}: ${heads} heads of ${headSize} do not make ${splitSizes[0]}.`)
    tf.expect(`${L}/MultiheadAttention/split_heads/transpose`, 'Transpose')
    const headsShape = g.int64s(`${p}.attention.heads_shape`, [0, 0, heads, headSize])
    const splitHeads = (name: string, value: string) =>
      g.op('Transpose', [g.op('Reshape', [value, headsShape], `${name}_heads`)], `${name}_bhsd`, [{ name: 'perm', kind: 'ints', value: [0, 2, 1, 3] }])
    const queryScale = tf.input(`${L}/MultiheadAttention/mul`, 1, 'Mul')
    const qs = g.op('Mul', [splitHeads(q, q), g.weight(`${p}.attention.query_scale`, queryScale, [])], `${p}/attention/q_scaled`)
    const kt = g.op('Transpose', [splitHeads(k, k)], `${p}/attention/k_t`, [{ name: 'perm', kind: 'ints', value: [0, 1, 3, 2] }])
    const dpa = `${L}/MultiheadAttention/DotProductAttention/BaseDotProductAttention`
    const scoresNode = tf.node(`${dpa}/MatMul`, 'BatchMatMul')
    if (attrBool(scoresNode, 'adj_x') || !attrBool(scoresNode, 'adj_y')) throw new UnexpectedGraphError(`${p}: attention scores are not q · kᵀ.`)
    tf.expect(`${dpa}/add`, 'Add', [`${dpa}/MatMul`, `${STACK}/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/ExpandDims_1`])
    tf.expect(`${dpa}/Softmax`, 'Softmax')
    const scores = g.op('Add', [g.op('MatMul', [qs, kt], `${p}/attention/scores_raw`), bias], `${p}/attention/scores`)
    const weights = g.op('Softmax', [scores], `${p}/attention/weights`, [{ name: 'axis', kind: 'int', value: -1 }])
    const context = g.op('MatMul', [weights, splitHeads(v, v)], `${p}/attention/context_bhsd`)
    const combined = g.op(
      'Reshape',
      [g.op('Transpose', [context], `${p}/attention/context_bshd`, [{ name: 'perm', kind: 'ints', value: [0, 2, 1, 3] }]), g.int64s(`${p}.attention.combine_shape`, [0, 0, heads * headSize])],
      `${p}/attention/context`,
    )
    const outKernel = tf.input(`${L}/MultiheadAttention/output_transform_single/Conv2D`, 1, 'Conv2D')
    const [, , oIn, oOut] = tf.shape(outKernel, 4)
    if (oOut !== outWidth) throw new UnexpectedGraphError(`${p}: attention output is ${oOut} wide, the residual ${outWidth}.`)
    const attended = g.op(
      'Add',
      [g.op('MatMul', [combined, g.weight(`${p}.attention.output.weight`, outKernel, [oIn, oOut])], `${p}/attention/output_matmul`), g.weight(`${p}.attention.output.bias`, tf.input(`${L}/MultiheadAttention/output_transform_single/BiasAdd`, 1, 'BiasAdd'), [oOut])],
      `${p}/attention/output`,
    )
    tf.expect(`${L}/layer_postprocess/add`, 'Add', [`${L}/MultiheadAttention/Squeeze_1`])
    const y = g.op('Add', [attended, residual], `${p}/attention/residual`)

    // Position-wise feed-forward network, on valid tokens only.
    const f = layerNorm(tf, g, y, `${L}/FFN/layer_prepostprocess/layer_norm`, `${p}.ffn.norm`, outWidth)
    const w1 = tf.input(`${L}/FFN/conv1/Tensordot/MatMul`, 1, 'MatMul')
    const [, inner] = tf.shape(w1, 2)
    tf.expect(`${L}/FFN/conv1/Relu`, 'Relu', [`${L}/FFN/conv1/BiasAdd`])
    const hidden = g.op(
      'Relu',
      [g.op('Add', [g.op('MatMul', [f, g.weight(`${p}.ffn.in.weight`, w1, [outWidth, inner])], `${p}/ffn/in_matmul`), g.weight(`${p}.ffn.in.bias`, tf.input(`${L}/FFN/conv1/BiasAdd`, 1, 'BiasAdd'), [inner])], `${p}/ffn/in`)],
      `${p}/ffn/relu`,
    )
    const out = g.op(
      'Add',
      [g.op('MatMul', [hidden, g.weight(`${p}.ffn.out.weight`, tf.input(`${L}/FFN/conv2/Tensordot/MatMul`, 1, 'MatMul'), [inner, outWidth])], `${p}/ffn/out_matmul`), g.weight(`${p}.ffn.out.bias`, tf.input(`${L}/FFN/conv2/BiasAdd`, 1, 'BiasAdd'), [outWidth])],
      `${p}/ffn/out`,
    )
    tf.expect(`${L}/FFN/layer_postprocess/add`, 'Add', [`${L}/FFN/Scatter/ScatterNd`, `${L}/layer_postprocess/add`])
    x = g.op('Add', [g.op('Mul', [out, mask3], `${p}/ffn/masked`), y], `${p}/output`)
    width = outWidth
    layers++
  }
  if (layers === 0) throw new UnexpectedGraphError('No Transformer layers found in the graph.')

  // --- masked mean over tokens, tanh layer, L2 normalisation.
  const pooledSum = g.op('ReduceSum', [g.op('Mul', [x, mask3], 'pool/masked'), 'axis1_1d'], 'pool/sum', [{ name: 'keepdims', kind: 'int', value: 0 }])
  const count = g.op('Max', [g.op('ReduceSum', [mask, 'axis1_1d'], 'pool/count_raw', [{ name: 'keepdims', kind: 'int', value: 1 }]), 'one_f'], 'pool/count')
  const pooled = g.op('Div', [pooledSum, count], 'pooled')
  const tW = tf.input(`${HIDDEN}/tanh_layer_0/MatMul`, 1, 'MatMul')
  const [, outSize] = tf.shape(tW, 2)
  const t = g.op(
    'Tanh',
    [g.op('Add', [g.op('MatMul', [pooled, g.weight('tanh.weight', tW, [width, outSize])], 'tanh/matmul'), g.weight('tanh.bias', tf.input(`${HIDDEN}/tanh_layer_0/BiasAdd`, 1, 'BiasAdd'), [outSize])], 'tanh/dense')],
    'tanh/out',
  )
  tf.expect(`${HIDDEN}/l2_normalize`, 'Mul', [`${HIDDEN}/tanh_layer_0/Tanh`, `${HIDDEN}/l2_normalize/Rsqrt`])
  const l2Epsilon = tf.input(`${HIDDEN}/l2_normalize/Maximum`, 1, 'Maximum')
  const sumSquares = g.op('ReduceSum', [g.op('Mul', [t, t], 'l2/square'), g.int64s('last_axis_1d', [-1])], 'l2/sum', [{ name: 'keepdims', kind: 'int', value: 1 }])
  const rsqrt = g.op('Reciprocal', [g.op('Sqrt', [g.op('Max', [sumSquares, g.weight('l2.epsilon', l2Epsilon, [])], 'l2/clamped')], 'l2/norm')], 'l2/rsqrt')
  g.node('Mul', [t, rsqrt], ['sentence_embedding'])
  g.node('Unsqueeze', ['sentence_embedding', 'axis1_1d'], ['last_hidden_state'])

  const dimensions: UseLiteDimensions = { vocabSize, embeddingSize, hiddenSize: outSize, layers, heads, maxLength }
  const model: OnnxModel = {
    irVersion: 8,
    opsetVersion: 17,
    producerName: parameters.producerName,
    producerVersion: parameters.producerVersion,
    docString: parameters.docString,
    graph: {
      name: 'universal_sentence_encoder_lite',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [
        { name: 'input_ids', dataType: ONNX_INT64, shape: ['batch_size', 'sequence_length'] },
        { name: 'attention_mask', dataType: ONNX_INT64, shape: ['batch_size', 'sequence_length'] },
      ],
      outputs: [
        { name: 'sentence_embedding', dataType: ONNX_FLOAT, shape: ['batch_size', outSize] },
        { name: 'last_hidden_state', dataType: ONNX_FLOAT, shape: ['batch_size', 1, outSize] },
      ],
    },
  }
  return { model, dimensions }
}

/** TF's layer_norm (mean, variance, +ε, rsqrt, ·scale, +bias) as ONNX LayerNormalization over the last axis. */
function layerNorm(tf: GraphReader, g: OnnxGraphBuilder, x: string, tfPrefix: string, name: string, width: number): string {
  const scale = tf.input(`${tfPrefix}/mul`, 0, 'Mul')
  const bias = tf.input(`${tfPrefix}/add_1`, 1, 'Add')
  const epsilon = tf.floatScalar(tf.input(`${tfPrefix}/add`, 1, 'Add'))
  tf.expect(`${tfPrefix}/Rsqrt`, 'Rsqrt', [`${tfPrefix}/add`])
  return g.op('LayerNormalization', [x, g.weight(`${name}.scale`, scale, [width]), g.weight(`${name}.bias`, bias, [width])], `${name.replaceAll('.', '/')}`, [
    { name: 'axis', kind: 'int', value: -1 },
    { name: 'epsilon', kind: 'float', value: epsilon },
  ])
}

function attrBool(node: TfjsNode, key: string): boolean {
  return (node.attr[key] as { b?: boolean } | undefined)?.b === true
}

/** Looks things up in the TF.js graph, failing with the name of what is missing or different. */
class GraphReader {
  constructor(private readonly graph: TfjsGraphModel) {}

  has(name: string): boolean {
    return this.graph.nodes.has(name)
  }

  node(name: string, op: string): TfjsNode {
    const node = this.graph.nodes.get(name)
    if (!node) throw new UnexpectedGraphError(`TF node ${name} is missing.`)
    if (node.op !== op) throw new UnexpectedGraphError(`TF node ${name} is ${node.op}, expected ${op}.`)
    return node
  }

  /** Checks a node's op and, where given, its leading inputs. */
  expect(name: string, op: string, inputs: string[] = []): void {
    const node = this.node(name, op)
    inputs.forEach((input, i) => {
      if (stripPort(node.inputs[i]) !== input) throw new UnexpectedGraphError(`TF node ${name} input ${i} is ${node.inputs[i]}, expected ${input}.`)
    })
  }

  /** The weight that feeds input `index` of node `name`. */
  input(name: string, index: number, op: string): TfjsWeight {
    return this.inputNamed(this.node(name, op), index)
  }

  inputNamed(node: TfjsNode, index: number): TfjsWeight {
    const inputName = stripPort(node.inputs[index])
    const weight = inputName === undefined ? undefined : this.graph.weights.get(inputName)
    if (!weight) throw new UnexpectedGraphError(`Input ${index} of TF node ${node.name} is not a weight (${inputName ?? 'none'}).`)
    return weight
  }

  shape(w: TfjsWeight, rank: 2): [number, number]
  shape(w: TfjsWeight, rank: 4): [number, number, number, number]
  shape(w: TfjsWeight, rank: number): number[] {
    if (w.shape.length !== rank) throw new UnexpectedGraphError(`Weight ${w.name} has shape [${w.shape.join(', ')}], expected rank ${rank}.`)
    return w.shape
  }

  intScalar(w: TfjsWeight): number {
    if (w.dtype !== 'int32' || w.bytes.length !== 4) throw new UnexpectedGraphError(`Weight ${w.name} is not an int32 scalar.`)
    return view(w).getInt32(0, true)
  }

  intVector(w: TfjsWeight): number[] {
    if (w.dtype !== 'int32' || w.shape.length !== 1) throw new UnexpectedGraphError(`Weight ${w.name} is not an int32 vector.`)
    return Array.from({ length: w.shape[0]! }, (_, i) => view(w).getInt32(i * 4, true))
  }

  floatScalar(w: TfjsWeight): number {
    if (w.dtype !== 'float32' || w.bytes.length !== 4) throw new UnexpectedGraphError(`Weight ${w.name} is not a float32 scalar.`)
    return view(w).getFloat32(0, true)
  }
}

function view(w: TfjsWeight): DataView {
  return new DataView(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength)
}

function stripPort(name: string | undefined): string | undefined {
  return name?.replace(/:0$/, '')
}

/** Collects nodes and initializers in the order they are made, so the output is the same every time. */
class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = []
  readonly initializers: OnnxTensor[] = []
  private readonly names = new Set<string>(['input_ids', 'attention_mask'])

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`ONNX name ${name} used twice`)
    this.names.add(name)
    return name
  }

  private constant(name: string, dataType: OnnxTensor['dataType'], dims: number[], rawData: Uint8Array): string {
    // A constant may be asked for again under the same name (shared axes); the first one stands.
    if (this.initializers.some((t) => t.name === name)) return name
    this.initializers.push({ name: this.claim(name), dataType, dims, rawData })
    return name
  }

  /** A float32 weight, its bytes copied unchanged, under the given dims (same element count). */
  weight(name: string, w: TfjsWeight, dims: number[]): string {
    const count = dims.reduce((a, b) => a * b, 1)
    if (w.dtype !== 'float32' || count * 4 !== w.bytes.length) throw new UnexpectedGraphError(`Weight ${w.name} does not fit dims [${dims.join(', ')}].`)
    return this.constant(name, ONNX_FLOAT, dims, Uint8Array.from(w.bytes))
  }

  int64s(name: string, values: readonly number[]): string {
    const bytes = new Uint8Array(values.length * 8)
    values.forEach((v, i) => new DataView(bytes.buffer).setBigInt64(i * 8, BigInt(v), true))
    return this.constant(name, ONNX_INT64, [values.length], bytes)
  }

  int64Scalar(name: string, value: number): string {
    const bytes = new Uint8Array(8)
    new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true)
    return this.constant(name, ONNX_INT64, [], bytes)
  }

  floatScalar(name: string, value: number): string {
    const bytes = new Uint8Array(4)
    new DataView(bytes.buffer).setFloat32(0, value, true)
    return this.constant(name, ONNX_FLOAT, [], bytes)
  }

  node(opType: string, inputs: string[], outputs: string[], attributes?: OnnxAttribute[]): void {
    for (const o of outputs) this.claim(o)
    this.nodes.push({ opType, inputs, outputs, ...(attributes ? { attributes } : {}) })
  }

  /** One-output node; returns the output's name. */
  op(opType: string, inputs: string[], output: string, attributes?: OnnxAttribute[]): string {
    this.node(opType, inputs, [output], attributes)
    return output
  }
}
