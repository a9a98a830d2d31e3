#!/usr/bin/env python3
"""Joins several trained pair judges into one ONNX graph whose output is the mean of their probabilities.

    merge-pair-models.py --member DIR --member DIR [...] --out DIR

Each DIR is an output folder of train-use-pair-model.py (its float `pair-judge.onnx`, or `pair-judge.float.onnx`
once quantized, and `training-record.json`). The members must read the same six inputs (premise_ids, premise_mask,
premise_match, hypothesis_ids, hypothesis_mask, hypothesis_match) and give `probabilities` in the same label
order. Every name inside member k is prefixed `m{k}/`, the inputs are shared, and one Mean node averages the
members' outputs, so the node runs an ensemble with one session and one call per pair, through the same runtime
code as a single model. The result is quantized by quantize-pair-model.py like any float graph.

The record written beside it names every member (its training record without the reference batch) and gives the
reference probabilities the parity test checks: the mean of the members' own references, which all come from the
same validation batch (the split is seeded) — this script refuses members whose reference batches differ.
Deterministic: the same members in the same order give the same bytes.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import onnx
from onnx import compose, helper

INPUTS = ["premise_ids", "premise_mask", "premise_match", "hypothesis_ids", "hypothesis_mask", "hypothesis_match"]


def member_file(d):
    for name in ("pair-judge.float.onnx", "pair-judge.onnx"):
        path = os.path.join(d, name)
        if os.path.exists(path):
            return path
    sys.exit(f"merge-pair-models: {d} has no pair-judge.float.onnx or pair-judge.onnx")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--member", action="append", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if len(args.member) < 2:
        sys.exit("merge-pair-models: name at least two --member folders")

    records, graphs = [], []
    for d in args.member:
        with open(os.path.join(d, "training-record.json"), encoding="utf-8") as f:
            records.append(json.load(f))
        m = onnx.load(member_file(d))
        if [i.name for i in m.graph.input] != INPUTS or [o.name for o in m.graph.output] != ["probabilities"]:
            sys.exit(f"merge-pair-models: {d} does not read the pair judge's six inputs or give `probabilities`")
        if records[-1].get("labels") != records[0].get("labels"):
            sys.exit(f"merge-pair-models: {d} gives its labels in another order")
        graphs.append(m)
    ref0 = records[0]["reference"]
    for d, r in zip(args.member, records):
        if any(r["reference"][k] != ref0[k] for k in INPUTS):
            sys.exit(f"merge-pair-models: {d} was checked on another reference batch")

    base = graphs[0]
    nodes, inits, value_info, outputs = [], [], [], []
    for k, m in enumerate(graphs):
        prefix = f"m{k}/"
        # onnx.compose prefixes every name (nodes, edges, initializers, value infos); the six inputs stay shared.
        g = compose.add_prefix_graph(m.graph, prefix)
        for i, n in enumerate(g.node):
            # Unnamed nodes (the float16 weights' casts) get a name of their own, as the first version of this
            # script gave them: left unnamed, the same weights in the same order gave 8-bit probabilities up to 2e-4 apart.
            n.name = n.name or f"{prefix}{n.op_type}.{i}"
            for j, name in enumerate(n.input):
                if name.startswith(prefix) and name[len(prefix):] in INPUTS:
                    n.input[j] = name[len(prefix):]
        nodes.extend(g.node)
        inits.extend(g.initializer)
        value_info.extend(g.value_info)
        outputs.append(prefix + "probabilities")
    nodes.append(helper.make_node("Mean", outputs, ["probabilities"], name="ensemble/mean"))
    graph = helper.make_graph(nodes, "pair-judge-ensemble", list(base.graph.input), list(base.graph.output), inits, value_info=value_info)
    opsets = {}
    for m in graphs:
        for o in m.opset_import:
            opsets[o.domain] = max(opsets.get(o.domain, 0), o.version)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in sorted(opsets.items())], producer_name="sibyl merge-pair-models")
    model.ir_version = base.ir_version
    onnx.checker.check_model(model)
    os.makedirs(args.out, exist_ok=True)
    out_path = os.path.join(args.out, "pair-judge.onnx")
    onnx.save(model, out_path)

    n = len(records)
    probabilities = [[sum(r["reference"]["probabilities"][i][j] for r in records) / n for j in range(len(ref0["probabilities"][i]))] for i in range(len(ref0["probabilities"]))]
    members = []
    for d, r in zip(args.member, records):
        members.append({k: v for k, v in r.items() if k != "reference"})
    record = {
        "arch": "ensemble",
        "script": "judge-lab/src/pair-model/merge-pair-models.py",
        "combine": "mean of the members' probabilities",
        "members": members,
        "labels": records[0]["labels"],
        "onnx_sha256": hashlib.sha256(open(out_path, "rb").read()).hexdigest(),
        "reference": {**{k: ref0[k] for k in INPUTS}, "probabilities": probabilities},
    }
    with open(os.path.join(args.out, "training-record.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    tokenizer = os.path.join(args.member[0], "pair-judge-tokenizer.json")
    if os.path.exists(tokenizer):
        shutil.copyfile(tokenizer, os.path.join(args.out, "pair-judge-tokenizer.json"))
    print(f"{n} members -> {out_path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
