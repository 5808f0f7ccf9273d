"""The cffi declarations (python/src/vernier/_build/cdef.h) checked against
the C header (libvernier/include/vernier.h), mechanically:

- every VERNIER_API function of the header is declared in the cdef (and
  nothing else), with the same return type and parameter types (whitespace
  normalised, parameter names dropped, array parameters decayed to
  pointers);
- every struct of the cdef has the header's fields, in the header's order,
  with the header's types.  The cdef writes an array length as ``[...]``
  (cffi takes it from the compiler: the header sizes arrays with macros
  cffi cannot evaluate); that matches any length.  A struct may end in
  ``...;`` (layout left to the compiler, missing fields allowed) only if
  it is listed in PARTIAL_STRUCTS with the reason; none is today;
- every ``#define VERNIER_*`` of the cdef is a header macro or enum value,
  and the compiled module's value equals the header's;
- every VERNIER_* constant the Python package names is declared in the
  cdef, and every status code of the header has an exception.

Each check is also run on modified copies of the texts, to show it fails.
"""
from __future__ import annotations

import re

import pytest

from vernier import _errors
from vernier import _lowlevel as ll

from conftest import REPO

HEADER = REPO / "libvernier" / "include" / "vernier.h"
CDEF = REPO / "python" / "src" / "vernier" / "_build" / "cdef.h"
PACKAGE = REPO / "python" / "src" / "vernier"

# struct name -> why the cdef may leave its tail to the compiler (`...;`)
PARTIAL_STRUCTS: dict = {}

_BUILTIN = {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
            "const", "volatile", "struct", "enum"}


# ---- parsing ---------------------------------------------------------------------

def _strip(text: str) -> tuple[str, dict]:
    """Text without comments and preprocessor lines, and its #defines
    (name -> value text)."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"\\\n", " ", text)
    defines = {}
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(VERNIER_\w+)[ \t]+([^\n]+)$", text, re.M):
        defines[m.group(1)] = m.group(2).strip()
    text = re.sub(r"^[ \t]*#[^\n]*$", " ", text, flags=re.M)
    return text, defines


def _type(tokens) -> str:
    t = re.sub(r"\s*\*\s*", " *", " ".join(tokens)).strip()
    return re.sub(r"\*\s+(?=\*)", "*", t)  # "vernier_eval **"


def split_decl(decl: str) -> tuple:
    """(type, name or None, array suffix or None) of one declarator."""
    decl = " ".join(decl.split())
    fp = re.fullmatch(r"(.*?)\(\s*\*\s*(\w*)\s*\)\s*\((.*)\)", decl)
    if fp:
        params = ", ".join(param_type(p) for p in _split_params(fp.group(3)))
        ret = _type(re.findall(r"[A-Za-z_]\w*|\*", fp.group(1)))
        return f"{ret} (*)({params})", fp.group(2) or None, None
    array = None
    m = re.search(r"\[([^\]]*)\]\s*$", decl)
    if m:
        array = "[" + "".join(m.group(1).split()) + "]"
        decl = decl[:m.start()]
    tokens = re.findall(r"[A-Za-z_]\w*|\*", decl)
    name = None
    if len(tokens) > 1 and tokens[-1] != "*" and tokens[-1] not in _BUILTIN:
        name = tokens.pop()
    return _type(tokens), name, array


def _split_params(params: str) -> list:
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur)
    out = [p.strip() for p in out if p.strip()]
    return [] if out == ["void"] else out


def param_type(param: str) -> str:
    t, _, array = split_decl(param)
    return t + " *" if array else t  # an array parameter is a pointer


def parse(text: str, *, api_only: bool) -> dict:
    """Functions (name -> (return type, parameter types)), structs (name ->
    list of fields (type, name, array) and whether it ends in `...;`),
    opaque struct typedefs, enum values (name -> value text) and #defines."""
    text, defines = _strip(text)
    structs, enums, opaque = {}, {}, set()

    def struct(m):
        fields, partial = [], False
        for f in m.group(2).split(";"):
            f = f.strip()
            if f == "...":
                partial = True
            elif f:
                fields.append(split_decl(f))
        structs[m.group(3)] = (fields, partial)
        return ";"

    def enum(m):
        value = -1
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = (s.strip() for s in item.partition("="))
            value = int(expr, 0) if expr else value + 1
            enums[name] = str(value)
        return ";"

    text = re.sub(r"typedef\s+struct\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;", struct, text, flags=re.S)
    text = re.sub(r"typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;", enum, text, flags=re.S)
    text = re.sub(r'extern\s+"C"\s*\{|[{}]', " ", text)
    functions = {}
    for stmt in text.split(";"):
        stmt = " ".join(stmt.split())
        m = re.fullmatch(r"typedef struct (\w+) (\w+)", stmt)
        if m:
            opaque.add(m.group(2))
            continue
        m = re.fullmatch(r"(.*?)\b(vernier_\w+)\s*\((.*)\)", stmt, re.S)
        if not m:
            continue
        ret = m.group(1)
        if api_only:
            if not ret.startswith("VERNIER_API "):
                continue
            ret = ret[len("VERNIER_API "):]
        functions[m.group(2)] = (_type(re.findall(r"[A-Za-z_]\w*|\*", ret)),
                                 tuple(param_type(p) for p in _split_params(m.group(3))))
    return {"functions": functions, "structs": structs, "opaque": opaque, "enums": enums,
            "defines": defines}


def header_values(header: dict) -> dict:
    """The integer value of every header macro and enum value that has one."""
    raw = {**header["defines"], **header["enums"]}
    values = {}

    def value(name, depth=0):
        if name in values or depth > 20:
            return values.get(name)
        expr = raw.get(name)
        if expr is None:
            return None
        expr = re.sub(r"\b(\d+)[uUlL]+\b", r"\1", expr)
        for ref in set(re.findall(r"\bVERNIER_\w+\b", expr)):
            v = value(ref, depth + 1)
            if v is None:
                return None
            expr = re.sub(rf"\b{ref}\b", str(v), expr)
        if not re.fullmatch(r"[\d\s()+\-*/]+", expr):
            return None  # a string or something this check does not evaluate
        values[name] = int(eval(expr, {"__builtins__": {}}))  # digits and operators only
        return values[name]

    for name in raw:
        value(name)
    return values


# ---- the check ---------------------------------------------------------------------

def mismatches(header_text: str, cdef_text: str, compiled: dict, used: set) -> list:
    """Every disagreement between the header and the cdef (empty: none).
    ``compiled`` maps constant names to the values the compiled module has;
    ``used`` is the VERNIER_* names the Python package refers to."""
    h = parse(header_text, api_only=True)
    c = parse(cdef_text, api_only=False)
    out = []
    for name in sorted(set(h["functions"]) - set(c["functions"])):
        out.append(f"function {name} is not declared in the cdef")
    for name in sorted(set(c["functions"]) - set(h["functions"])):
        out.append(f"function {name} of the cdef is not a VERNIER_API function of the header")
    for name in sorted(set(h["functions"]) & set(c["functions"])):
        (hr, hp), (cr, cp) = h["functions"][name], c["functions"][name]
        if hr != cr:
            out.append(f"{name}: returns {hr!r} in the header, {cr!r} in the cdef")
        if hp != cp:
            out.append(f"{name}: parameters {hp} in the header, {cp} in the cdef")
    for name, (cfields, partial) in sorted(c["structs"].items()):
        if name not in h["structs"]:
            out.append(f"struct {name} is not defined in the header")
            continue
        if partial and name not in PARTIAL_STRUCTS:
            out.append(f"struct {name} ends in '...;' without a documented reason")
        hfields = h["structs"][name][0]
        if partial and name in PARTIAL_STRUCTS:
            hfields = hfields[:len(cfields)]
        if len(hfields) != len(cfields):
            out.append(f"struct {name}: {len(hfields)} fields in the header, "
                       f"{len(cfields)} in the cdef")
        for i, (hf, cf) in enumerate(zip(hfields, cfields)):
            same_array = hf[2] == cf[2] or (cf[2] == "[...]" and hf[2] is not None)
            if hf[:2] != cf[:2] or not same_array:
                out.append(f"struct {name} field {i}: {hf} in the header, {cf} in the cdef")
    for name in sorted(c["opaque"]):
        if name not in h["opaque"] and name not in h["structs"]:
            out.append(f"type {name} of the cdef is not in the header")
    hvalues = header_values(h)
    for name, text in sorted(c["defines"].items()):
        if name not in hvalues:
            out.append(f"constant {name} of the cdef has no integer value in the header")
        elif text != "..." and header_values(c).get(name) != hvalues[name]:
            out.append(f"constant {name}: {text} in the cdef, {hvalues[name]} in the header")
        elif compiled.get(name) != hvalues[name]:
            out.append(f"constant {name}: {compiled.get(name)} in the compiled module, "
                       f"{hvalues[name]} in the header")
    for name in sorted(used - set(c["defines"])):
        out.append(f"constant {name} is used by Python but not declared in the cdef")
    return out


def used_constants() -> set:
    """VERNIER_* constants the package names (literally, or built from
    _lowlevel's status-name table), restricted to names the header has."""
    header = parse(HEADER.read_text(encoding="utf-8"), api_only=True)
    known = set(header["defines"]) | set(header["enums"])
    names = {"VERNIER_" + n for n in ll._CODE_NAMES}
    for path in PACKAGE.glob("*.py"):
        names |= set(re.findall(r"\bVERNIER_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
    return names & known


def compiled_values(cdef_text: str) -> dict:
    return {name: int(getattr(ll.lib, name)) for name in parse(cdef_text, api_only=False)["defines"]}


@pytest.fixture(scope="module")
def texts():
    return HEADER.read_text(encoding="utf-8"), CDEF.read_text(encoding="utf-8")


def test_cdef_matches_the_header(texts):
    header, cdef = texts
    parsed = parse(header, api_only=True)
    assert len(parsed["functions"]) > 60 and parsed["structs"] and parsed["enums"]
    assert parse(cdef, api_only=False)["structs"].keys() == {
        "vernier_error", "vernier_allocator", "vernier_eval_options", "vernier_memory_usage",
        "vernier_worker_options", "vernier_partial_info", "vernier_stat_info",
        "vernier_results_columns", "vernier_dataset_columns"}
    used = used_constants()
    assert {"VERNIER_OK", "VERNIER_MAX_THREADS", "VERNIER_IOU_KEYPOINTS"} <= used
    assert mismatches(header, cdef, compiled_values(cdef), used) == []


def test_every_status_code_has_an_exception(texts):
    codes = {n for n in parse(texts[0], api_only=True)["enums"]
             if re.fullmatch(r"VERNIER_(OK|E_[A-Z_]+)", n) and n != "VERNIER_E__LAST"}
    assert codes == {"VERNIER_" + n for n in ll._CODE_NAMES}
    assert set(_errors._CLASSES) == set(ll._CODE_NAMES) - {"OK"}


def test_limits_come_from_the_compiled_module(texts):
    values = header_values(parse(texts[0], api_only=True))
    for name in ("MAX_MAX_DETS", "MAX_THREADS", "MAX_IOU_THRESHOLDS", "MAX_RECALL_THRESHOLDS",
                 "MAX_AREA_RANGES", "MAX_AREA_LABEL"):
        assert getattr(ll, name) == values["VERNIER_" + name]


def test_parameter_names_and_spacing_do_not_matter():
    a = "VERNIER_API const char *vernier_f(const  vernier_x * x, uint8_t out[VERNIER_N]);"
    b = "const char* vernier_f(const vernier_x*, uint8_t *);"
    assert parse(a, api_only=True)["functions"] == parse(b, api_only=False)["functions"]


# each mutation: (text to change: "header" or "cdef", old, new, what the report says)
MUTATIONS = [
    ("cdef", "int vernier_dataset_clear_cache(vernier_dataset *);",
     "int vernier_dataset_clear_cache(const vernier_dataset *);", "vernier_dataset_clear_cache"),
    ("cdef", "size_t vernier_results_num_detections(", "int vernier_results_num_detections(", "returns"),
    ("cdef", "void vernier_partial_free(vernier_partial *);\n", "", "not declared"),
    ("cdef", "int vernier_worker_submit(vernier_worker *, vernier_results *, double, "
     "vernier_error *);", "int vernier_worker_submit(vernier_worker *, vernier_results *, "
     "float, vernier_error *);", "vernier_worker_submit"),
    ("header", "VERNIER_API size_t vernier_eval_num_stats(",
     "VERNIER_API size_t vernier_eval_num_stats_v2(", "vernier_eval_num_stats"),
    ("cdef", "    size_t records;\n    size_t scores;\n",
     "    size_t scores;\n    size_t records;\n", "vernier_memory_usage field"),
    ("cdef", "    int keep_records;\n", "", "vernier_eval_options"),
    ("cdef", "    int64_t index;\n", "    int index;\n", "vernier_error field"),
    ("cdef", "    double shutdown_grace_seconds;\n",
     "    double shutdown_grace_seconds;\n    ...;\n", "without a documented reason"),
    ("header", "    size_t requested;", "    size_t requested;\n    size_t extra;",
     "vernier_memory_usage: 11 fields"),
    ("header", "#define VERNIER_MAX_AREA_RANGES 16", "#define VERNIER_MAX_AREA_RANGES 17",
     "VERNIER_MAX_AREA_RANGES"),
    ("header", "VERNIER_E_RLE = -7,", "VERNIER_E_RLE = -70,", "VERNIER_E_RLE"),
    ("cdef", "#define VERNIER_MAX_THREADS ...\n", "", "VERNIER_MAX_THREADS is used"),
]


@pytest.mark.parametrize("where,old,new,says", MUTATIONS, ids=[m[3] for m in MUTATIONS])
def test_a_mismatch_is_reported(texts, where, old, new, says):
    header, cdef = texts
    if where == "header":
        assert old in header
        header = header.replace(old, new, 1)
    else:
        assert old in cdef
        cdef = cdef.replace(old, new, 1)
    found = mismatches(header, cdef, compiled_values(CDEF.read_text(encoding="utf-8")),
                       used_constants())
    assert found, "the modified text still matches"
    assert any(says in line for line in found), found
