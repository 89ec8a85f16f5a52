"""How the fixture scripts keep what they make, shared so that each script says only what it makes.

Two shapes of cache:

- write_generated_onnx: one generated ONNX file (make_big_graph.py, make_chain.py) rewritten only when its key
  changes; the key is in <file>.stamp, the file is written whole or not at all.
- locked_folder: a folder of models exported with PyTorch's figures beside them (export_zoo.py, which runs them in
  parallel processes of its own), under a lock, the whole folder skipped while <folder>/stamp holds the folder's
  key; export_folder runs the models one by one inside it (export_detection.py; export_aten_ops.py and
  export_recurrent.py through export_nets), each skipped while its <name>.expected.json holds its key and its files
  exist.

Each script's keys hash this file's bytes (source_bytes()) besides its own, so a change here re-makes what depends
on it. No torch here: the generated graphs need only onnx (export_folder imports export_models, and torch with it,
when it is called).
"""

import argparse
import fcntl
import hashlib
import os
import shutil
import sys
import time
import traceback

import onnx
from onnx import helper

SCRIPT = os.path.abspath(__file__)
REPO = os.path.dirname(os.path.dirname(SCRIPT))
DEFAULT_OUT = os.environ.get("TALLY_FIXTURES") or os.path.join(REPO, "models", "cache")


def source_bytes(path=SCRIPT):
    """The bytes of a script (this module by default), for a cache key."""
    with open(path, "rb") as f:
        return f.read()


def sha256_text(*parts):
    """A cache key: sha256 of the parts (bytes, or text as UTF-8), each followed by a zero byte. The same as
    export_models.sha256_text, which stays there: every fixture's key hashes export_models.py."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def first_line(error):
    """An exception as one line for a log or an "errors" entry: its type and the first line of its message."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"[:400]


def onnx_model(graph, producer):
    """A generated graph as a model at opset 13, IR version 7 (what the generated fixtures are written as)."""
    model = helper.make_model(graph, producer_name=producer, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    return model


def write_generated_onnx(path, key, build, describe):
    """Writes build()'s model to path unless path.stamp already holds key; prints one line either way.

    The model goes to a temporary file renamed into place, then the stamp, so a killed run leaves either the old
    pair or a file without a matching stamp, which the next run rewrites. describe(model) says what was written
    ("1,000 nodes"); the file's size follows it.
    """
    stamp = path + ".stamp"
    if os.path.isfile(path) and os.path.isfile(stamp) and open(stamp).read().strip() == key:
        print(f"{path}: up to date")
        return 0
    model = build()
    tmp = f"{path}.tmp{os.getpid()}"
    onnx.save_model(model, tmp)
    os.replace(tmp, path)
    with open(stamp + ".tmp", "w") as f:
        f.write(key + "\n")
    os.replace(stamp + ".tmp", stamp)
    print(f"{path}: {describe(model)}, {os.path.getsize(path):,} bytes")
    return 0


def export_arguments(description):
    """The command line of a folder export: --out DIR, --models a,b (a partial run, never stamped), --force."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--models", default="")
    parser.add_argument("--force", action="store_true")
    return parser.parse_args()


def locked_folder(out_dir, label, args, stamp, run):
    """Runs run() under out_dir's lock unless out_dir/stamp already holds stamp; returns the script's exit code.

    The plumbing every folder export shares (export_zoo.py, export_detection.py, export_aten_ops.py,
    export_recurrent.py): one export per folder at a time (an flock on <folder>/.lock), the whole folder skipped while
    its stamp holds the key (unless --force, or --models asks for a partial run), what a killed run left removed
    (.tmp-export-* folders, .progress-* files; under the lock no other export runs), and the stamp written only when
    run() returns no failures and the run was whole, so a failed or partial run is tried again. run() exports what is
    not cached and returns the names that failed.
    """
    os.makedirs(out_dir, exist_ok=True)
    stamp_path = os.path.join(out_dir, "stamp")
    with open(os.path.join(out_dir, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not args.force and not args.models and os.path.isfile(stamp_path):
            with open(stamp_path) as f:
                if f.read().strip() == stamp:
                    print(f"{label} fixtures in {out_dir} are up to date")
                    return 0
        for leftover in os.listdir(out_dir):
            if leftover.startswith(".tmp-export-"):
                shutil.rmtree(os.path.join(out_dir, leftover), ignore_errors=True)
            elif leftover.startswith(".progress-"):
                os.remove(os.path.join(out_dir, leftover))
        failures = run()
        if failures:
            print(f"failed: {', '.join(failures)}", file=sys.stderr)
            return 1
        if not args.models:
            tmp = stamp_path + ".tmp"
            with open(tmp, "w") as f:
                f.write(stamp + "\n")
            os.replace(tmp, stamp_path)
    return 0


def wanted_specs(args, specs):
    """The specs --models names (all without it); exits with the list of names when it names an unknown one."""
    if not args.models:
        return list(specs)
    names = [s[0] for s in specs]
    unknown = [n for n in args.models.split(",") if n not in names]
    if unknown:
        sys.exit(f"Unknown model '{unknown[0]}'. Use some of: {', '.join(names)}.")
    return [s for s in specs if s[0] in args.models.split(",")]


def export_folder(out_dir, label, args, specs, stamp, key_of, export, line, on_export=None, finish=None):
    """Exports the specs args asks for into out_dir one by one, each unless cached (in locked_folder); returns the
    script's exit code.

    specs are (name, ...) tuples; key_of(name) is a model's cache key and stamp the folder's. export(spec, key)
    writes the model's files and its expected.json and returns what it wrote; line(spec, expected, seconds) is its
    log line. on_export() runs after each model exported, finish() once after the loop (the scripts write their
    index.json there). A model whose export fails is reported with PyTorch's error and the rest go on; the exit
    code is then 1 and the folder is not stamped, so the next run tries again.
    """
    import export_models as em  # torch comes with it; write_generated_onnx's callers do without

    def run():
        started = time.time()
        failures = []
        for spec in wanted_specs(args, specs):
            key = key_of(spec[0])
            if not args.force and em.is_cached(out_dir, spec[0], key):
                continue
            t0 = time.time()
            try:
                expected = export(spec, key)
            except Exception as error:  # noqa: BLE001 - the oracle itself failed: report, go on
                failures.append(spec[0])
                print(f"{spec[0]:36s} FAILED: {first_line(error)}", flush=True)
                traceback.print_exc()
                continue
            if on_export:
                on_export()
            print(line(spec, expected, time.time() - t0), flush=True)
        if finish:
            finish()
        print(f"{label}: {time.time() - started:.1f} s into {out_dir}")
        return failures
    return locked_folder(out_dir, label, args, stamp, run)


def made_forms(expected):
    """The forms an expected.json says were made, for a log line: "onnx, traced, scripted"."""
    return ", ".join(form for form, file in expected["files"].items() if file)


def export_nets(folder, description, script, nets, export_net, line):
    """main() of a script that exports a list of small nets (export_aten_ops.py, export_recurrent.py) into
    <out>/<folder>/ with export_folder: one key for every net, sha256(the script, this file, export_models.py, torch
    version), and index.json listing the nets. export_net(spec, out_dir, key) makes one net's files and returns its
    expected.json; line(spec, expected) is its log line."""
    import export_models as em
    import torch
    args = export_arguments(description)
    out_dir = os.path.join(os.path.abspath(args.out), folder)
    key = em.sha256_text(source_bytes(script), source_bytes(), em.script_bytes(), torch.__version__)

    def write_index():
        em.write_json(os.path.join(out_dir, "index.json"), {"models": [n[0] for n in nets], "torch": torch.__version__})
    return export_folder(out_dir, folder, args, nets, stamp=key, key_of=lambda name: key,
                         export=lambda spec, k: export_net(spec, out_dir, k),
                         line=lambda spec, expected, seconds: line(spec, expected), finish=write_index)
