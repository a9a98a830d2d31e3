#!/usr/bin/env python3
"""Quantizes the pair judge's weight matrices to 8 bits for the CPU.

Every MatMul (and Gemm) whose second operand is a constant weight matrix becomes onnxruntime's
DynamicQuantizeMatMul: the weights are stored as 8-bit integers with one scale (and zero point) per output
column, the activations are quantized per call from their own range. The integer products run on the CPU's
8-bit dot-product instructions (VNNI where present): several times the float32 throughput, half the file of
the float16 weights. Attention between activations (no constant operand) stays in float32.

    quantize-pair-model.py --in pair-judge.onnx --out pair-judge.int8.onnx [--weights s7|s8|u8] [--min-size N]
                           [--record training-record.json]

`s7` (default) stores signed weights in [-63, 63] with one scale per column and no zero point: the u8s8 kernels
(the fast ones) cannot overflow their 16-bit sums on CPUs without VNNI, so every x86 node computes the same
products. `s8` uses the full signed range (can saturate without VNNI); `u8` is asymmetric unsigned (u8u8,
no faster than float here). `--record` adds what was done to the training record install-pair-model.ts reads.
The result is deterministic: the same input gives the same bytes.
"""
import argparse
import re
import hashlib
import json
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in", dest="src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--weights", choices=["u8", "s8", "s7"], default="s7")
    ap.add_argument("--min-size", type=int, default=4096, help="matrices with fewer weights stay float")
    ap.add_argument("--only", default="", help="quantize only the products whose node name matches this regular expression")
    ap.add_argument("--record", help="training-record.json to note the quantization in")
    args = ap.parse_args()
    model = onnx.load(args.src)
    g = model.graph
    inits = {t.name: t for t in g.initializer}
    # A weight reaches its MatMul through Cast (float16 storage) and Identity (shared between the two sides).
    # Only a Cast to float32 is followed: a weight cast to anything else is not a float weight of a float product.
    alias = {n.output[0]: n.input[0] for n in g.node
             if len(n.input) == 1 and (n.op_type == "Identity" or (n.op_type == "Cast" and helper.get_attribute_value(n.attribute[0]) == onnx.TensorProto.FLOAT))}

    def constant(name):
        while name not in inits and name in alias:
            name = alias[name]
        return name if name in inits else None

    def vector_of(name, n):
        # A Gemm bias the fused product can take: a float vector of the output's width.
        src = constant(name)
        return src is not None and list(inits[src].dims) == [n]

    # What this rewrite does not handle is refused rather than rewritten wrongly.
    if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for n in g.node for a in n.attribute):
        sys.exit("quantize-pair-model: the graph has subgraphs (If/Loop); not supported")
    made, nodes, quantized = {}, [], 0
    for n in g.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        src = constant(n.input[1]) if n.op_type in ("MatMul", "Gemm") else None
        gemm_ok = n.op_type != "Gemm" or (attrs.get("alpha", 1.0) == 1.0 and attrs.get("beta", 1.0) == 1.0 and not attrs.get("transA", 0))
        if src is None or not gemm_ok or (args.only and not re.search(args.only, n.name)) or len(inits[src].dims) != 2 or np.prod(inits[src].dims) < args.min_size:
            nodes.append(n)
            continue
        n_out = inits[src].dims[0] if attrs.get("transB", 0) else inits[src].dims[1]
        if n.op_type == "Gemm" and len(n.input) > 2 and n.input[2] and not vector_of(n.input[2], n_out):
            nodes.append(n)
            continue
        key = (src, attrs.get("transB", 0))
        if key not in made:
            w = numpy_helper.to_array(inits[src]).astype(np.float32)
            if key[1]:
                w = w.T
            made[key] = quantize(w, f"{src}.q{'t' if key[1] else ''}", args.weights, g)
        q, scale, zero = made[key]
        inputs = [n.input[0], q, scale, zero] + ([n.input[2]] if n.op_type == "Gemm" and len(n.input) > 2 else [])
        nodes.append(helper.make_node("DynamicQuantizeMatMul", inputs, [n.output[0]], name=n.name + "/q", domain="com.microsoft"))
        quantized += 1
    del g.node[:]
    g.node.extend(nodes)
    # Drop what nothing reads any more (the float16 weights and their casts).
    used = {i for n in g.node for i in n.input} | {o.name for o in g.output}
    while True:
        dead = [n for n in g.node if all(o not in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            g.node.remove(n)
        used = {i for n in g.node for i in n.input} | {o.name for o in g.output}
    keep = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    # A weight also listed as a graph input (older exporters) would become an input the caller must feed.
    inputs = [i for i in g.input if i.name in used]
    del g.input[:]
    g.input.extend(inputs)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, args.out)
    if args.record:
        digest = lambda path: hashlib.sha256(open(path, "rb").read()).hexdigest()
        with open(args.record, encoding="utf-8") as f:
            record = json.load(f)
        record["quantized"] = {"script": "judge-lab/src/pair-model/quantize-pair-model.py", "weights": args.weights, "matrix_products": quantized,
                               "float_sha256": digest(args.src), "onnx_sha256": digest(args.out)}
        with open(args.record, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=1)
    print(f"{quantized} matrix products quantized ({args.weights}), {len(made)} weight matrices", file=sys.stderr)


def quantize(w, name, kind, g):
    """Per output column: s8 symmetric (zero point 0), u8 asymmetric over the column's own range."""
    if kind in ("s8", "s7"):
        top = 127.0 if kind == "s8" else 63.0
        scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / top
        zero = np.zeros(w.shape[1], dtype=np.int8)
        q = np.clip(np.rint(w / scale), -top, top).astype(np.int8)
    else:
        lo, hi = np.minimum(w.min(axis=0), 0.0), np.maximum(w.max(axis=0), 0.0)
        scale = np.maximum(hi - lo, 1e-8) / 255.0
        zero = np.clip(np.rint(-lo / scale), 0, 255).astype(np.uint8)
        q = np.clip(np.rint(w / scale) + zero, 0, 255).astype(np.uint8)
    g.initializer.extend([
        numpy_helper.from_array(q, name),
        numpy_helper.from_array(scale.astype(np.float32), name + ".scale"),
        numpy_helper.from_array(zero, name + ".zero"),
    ])
    return name, name + ".scale", name + ".zero"


if __name__ == "__main__":
    sys.exit(main())
