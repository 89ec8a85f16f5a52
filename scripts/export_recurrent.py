#!/usr/bin/env python3
"""Exports small recurrent fixture nets (LSTM, GRU, RNN, cells) with real PyTorch, and PyTorch's figures.

Run with Debian's python3:

    /usr/bin/python3 scripts/export_recurrent.py [--out DIR] [--models a,b] [--force]

Writes into DIR/recurrent/ (DIR defaults to $TALLY_FIXTURES, else models/cache/), in the layout of
scripts/export_models.py: <name>.onnx (complete, weights inside: the nets are small), <name>.traced.pt,
<name>.scripted.pt and <name>.expected.json, plus index.json. A form PyTorch cannot make is null in
"files" with PyTorch's own error in "errors".

MACs come from export_models.MacCounter, an aten-level TorchDispatchMode. On CPU in PyTorch 1.13.1
aten::lstm, aten::gru, aten::rnn_tanh/relu and the cells are CompositeImplicitAutograd: under the
dispatch mode they never appear as one op but as their decomposition, one mm/addmm of the inputs
(x W_ih^T + b_ih) and one addmm per step of the hidden state (h W_hh^T + b_hh), with or without
grad. The counter's mm/addmm definition (numel(Y) * contracted dim) is thus exactly
docs/conventions.md's recurrent rule: per step, gates x (input + hidden) x hidden per batch row,
times sequence length, layers and directions. Each recurrent module's aten count is asserted equal
to that formula computed from the module's own settings, so the two definitions cannot drift apart.

The cache key is sha256(this script + fixture_cache.py + export_models.py + torch version): the
whole folder is skipped when recurrent/stamp holds it (fixture_cache.export_nets: the lock, the
stamp, the loop; --models a,b makes some).
"""

import math
import os
import sys
import time
import warnings

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models as em  # noqa: E402
import fixture_cache as fc  # noqa: E402

SCRIPT = os.path.abspath(__file__)
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1, "LSTMCell": 4, "GRUCell": 3, "RNNCell": 1}


class Recurrent(nn.Module):
    """A recurrent stack and a Linear head on its last output step: (N, L, I) or (L, N, I) in, (N, 10) out."""

    def __init__(self, kind, batch_first, input_size=10, hidden=16, layers=2, bidirectional=True,
                 nonlinearity=None):
        super().__init__()
        cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
        extra = {"nonlinearity": nonlinearity} if nonlinearity else {}
        self.rnn = cls(input_size, hidden, num_layers=layers, bidirectional=bidirectional,
                       batch_first=batch_first, **extra)
        self.batch_first = batch_first
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), 10)

    def forward(self, x):
        y, _ = self.rnn(x)
        last = y[:, -1] if self.batch_first else y[-1]
        return self.head(last)


class LstmWithState(nn.Module):
    """A 2-layer bidirectional sequence-first LSTM given initial states (h0, c0) made from the input's batch size."""

    def __init__(self, input_size=10, hidden=16):
        super().__init__()
        self.rnn = nn.LSTM(input_size, hidden, num_layers=2, bidirectional=True)
        self.head = nn.Linear(hidden * 2, 10)

    def forward(self, x):
        h0 = torch.ones(4, x.size(1), 16) * 0.5
        y, _ = self.rnn(x, (h0, h0 * 0.5))
        return self.head(y[-1])


class RnnWithState(nn.Module):
    """A 2-layer bidirectional sequence-first tanh RNN given an initial state made from the input's batch size."""

    def __init__(self, input_size=10, hidden=16):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden, num_layers=2, bidirectional=True)
        self.head = nn.Linear(hidden * 2, 10)

    def forward(self, x):
        h0 = torch.ones(4, x.size(1), 16) * 0.5
        y, _ = self.rnn(x, h0)
        return self.head(y[-1])


class Cells(nn.Module):
    """LSTMCell, GRUCell and RNNCell over three steps of a (3, N, I) sequence, then a Linear head."""

    def __init__(self, input_size=10, hidden=16):
        super().__init__()
        self.lstm = nn.LSTMCell(input_size, hidden)
        self.gru = nn.GRUCell(hidden, hidden)
        self.rnn = nn.RNNCell(hidden, hidden, nonlinearity="relu")
        self.head = nn.Linear(hidden, 10)

    def forward(self, x):
        h = torch.zeros(x.size(1), 16)
        c = torch.zeros(x.size(1), 16)
        g = torch.zeros(x.size(1), 16)
        r = torch.zeros(x.size(1), 16)
        for step in range(3):
            h, c = self.lstm(x[step], (h, c))
            g = self.gru(h, g)
            r = self.rnn(g, r)
        return self.head(r)


# (name, builder, input shape). Batch 2, sequence 5, features 10.
NETS = [
    ("lstm_batch_first", lambda: Recurrent("lstm", True), (2, 5, 10)),
    ("lstm_seq_first", lambda: Recurrent("lstm", False), (5, 2, 10)),
    ("gru_batch_first", lambda: Recurrent("gru", True), (2, 5, 10)),
    ("gru_seq_first", lambda: Recurrent("gru", False), (5, 2, 10)),
    ("lstm_initial_state", LstmWithState, (5, 2, 10)),
    ("rnn_tanh_initial_state", RnnWithState, (5, 2, 10)),
    ("rnn_relu_one_layer", lambda: Recurrent("rnn", True, layers=1, bidirectional=False, nonlinearity="relu"), (2, 5, 10)),
    ("cells", Cells, (3, 2, 10)),
]


def recurrent_formula(module, steps_rows):
    """docs/conventions.md: gates * hidden * (input + hidden) per step and batch row, per layer and direction."""
    kind = type(module).__name__
    gates, hidden = GATES[kind], module.hidden_size
    if kind.endswith("Cell"):
        return steps_rows * gates * hidden * (module.input_size + hidden)
    directions = 2 if module.bidirectional else 1
    total = 0
    for layer in range(module.num_layers):
        layer_input = module.input_size if layer == 0 else hidden * directions
        total += steps_rows * directions * gates * hidden * (layer_input + hidden)
    return total


def check_recurrent_macs(name, model, x, modules):
    """Asserts the aten count of every recurrent module equals the written formula."""
    checked = 0
    for path, module in model.named_modules():
        kind = type(module).__name__
        if kind not in GATES:
            continue
        record = next(m for m in modules if m["name"] == path)
        if kind.endswith("Cell"):
            steps_rows = record["calls"] * x.shape[1]
        else:
            steps_rows = x.shape[0] * x.shape[1]
        expected = recurrent_formula(module, steps_rows)
        if record["macs"] != expected:
            raise AssertionError(f"{name}: module '{path}' has {record['macs']} MACs under dispatch, "
                                 f"{expected} by the recurrent formula.")
        record["formulaMacs"] = expected
        checked += 1
    return checked


def first_line(error):
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def export_net(spec, out_dir, key):
    name, build, input_shape = spec
    started = time.time()
    torch.manual_seed(0)
    model = build()
    model.eval()
    em.make_values_distinct(model)
    x = torch.randn(*input_shape)
    modules, output, macs, _ = em.run_hooks(name, model, x)
    checked = check_recurrent_macs(name, model, x, modules)
    files = {"onnx": None, "traced": None, "scripted": None}
    errors = {}
    # A temporary folder, so that the archives' root folder is the file's own name.
    tmp = os.path.join(out_dir, f".tmp-{os.getpid()}")
    os.makedirs(tmp, exist_ok=True)

    def attempt(form, file_name, make):
        try:
            make(os.path.join(tmp, file_name))
            os.replace(os.path.join(tmp, file_name), os.path.join(out_dir, file_name))
            files[form] = file_name
        except Exception as e:  # noqa: BLE001 - PyTorch's own error is the fact to record
            errors[form] = first_line(e)

    attempt("onnx", f"{name}.onnx", lambda p: torch.onnx.export(
        model, x, p, opset_version=14, input_names=["input"], output_names=["output"], do_constant_folding=True))
    attempt("traced", f"{name}.traced.pt",
            lambda p: torch.jit.save(torch.jit.trace(model, x, check_trace=False), p))
    attempt("scripted", f"{name}.scripted.pt", lambda p: torch.jit.save(torch.jit.script(model), p))
    os.rmdir(tmp)
    expected = {
        "name": name,
        "set": "recurrent",
        "inputShape": list(input_shape),
        "outputShape": list(output.shape),
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "numBatchesTracked": 0,
        "paramBytes": sum(p.numel() * p.element_size() for p in model.parameters()),
        "macs": macs,
        "recurrentModulesChecked": checked,
        "modules": modules,
        "files": files,
        "errors": errors,
        "scriptError": errors.get("scripted"),
        "torch": torch.__version__,
        "exportKey": key,
        "exportSeconds": round(time.time() - started, 2),
    }
    em.write_json(os.path.join(out_dir, f"{name}.expected.json"), expected)
    return expected


def main():
    warnings.filterwarnings("ignore")
    return fc.export_nets("recurrent", "Export Tally's recurrent fixture nets with real PyTorch.",
                          SCRIPT, NETS, export_net,
                          lambda spec, e: f"{spec[0]:24s} params {e['params']:>8,}  MACs {e['macs']:>10,}  "
                                          f"[{fc.made_forms(e)}] {e['errors'] or ''}")


if __name__ == "__main__":
    sys.exit(main())
