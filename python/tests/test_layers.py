"""tools/layers.py: libvernier's layering check and README's generated table.

The checker runs as a plain subprocess on a temporary copy of
libvernier/src, libvernier/include and libvernier/README.md, so these tests
need neither the extension nor a compiler.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKER = os.path.join(ROOT, "tools", "layers.py")
SRC = os.path.join(ROOT, "libvernier", "src")


def run(root, *args):
    return subprocess.run([sys.executable, CHECKER, "--root", str(root), *args],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def tree(tmp_path):
    lib = tmp_path / "libvernier"
    lib.mkdir()
    shutil.copytree(SRC, lib / "src")
    shutil.copytree(os.path.join(ROOT, "libvernier", "include"), lib / "include")
    shutil.copy(os.path.join(ROOT, "libvernier", "README.md"), lib / "README.md")
    return tmp_path


def add_line_after_includes(path, line):
    """Adds `line` after the file's last #include (or its first line)."""
    text = path.read_text(encoding="utf-8").split("\n")
    last = max((i for i, s in enumerate(text) if s.startswith("#include")), default=0)
    text.insert(last + 1, line)
    path.write_text("\n".join(text), encoding="utf-8")
    return last + 2  # 1-based line number of the added line


def test_unmodified_tree_passes(tree):
    r = run(tree)
    assert r.returncode == 0, r.stderr
    assert "layers: ok" in r.stdout
    assert r.stderr == ""


def test_the_repository_itself_passes():
    r = subprocess.run([sys.executable, CHECKER], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_upward_include_fails_naming_file_line_and_include(tree):
    f = tree / "libvernier" / "src" / "common" / "sort.c"
    line = add_line_after_includes(f, '#include "incremental/session.h"')
    r = run(tree)
    assert r.returncode != 0
    assert f'libvernier/src/common/sort.c:{line}: #include "incremental/session.h"' in r.stderr
    assert "above" in r.stderr


def test_circle_between_two_files_of_one_folder_fails(tree):
    common = tree / "libvernier" / "src" / "common"
    add_line_after_includes(common / "hashmap.h", '#include "common/sort.h"')
    add_line_after_includes(common / "sort.h", '#include "common/hashmap.h"')
    r = run(tree)
    assert r.returncode != 0
    m = re.search(r"circle between files[^\n]*", r.stderr)
    assert m, r.stderr
    assert "libvernier/src/common/hashmap" in m.group(0)
    assert "libvernier/src/common/sort" in m.group(0)
    # and nothing else is wrong: both includes stay inside one layer
    assert "above" not in r.stderr


def test_circle_through_a_header_and_its_c_file_fails(tree):
    # sort.c calls into hashmap (includes its header) and hashmap.c into
    # sort: a circle although no header includes the other
    common = tree / "libvernier" / "src" / "common"
    add_line_after_includes(common / "sort.c", '#include "common/hashmap.h"')
    add_line_after_includes(common / "hashmap.c", '#include "common/sort.h"')
    r = run(tree)
    assert r.returncode != 0
    assert "circle between files" in r.stderr


def test_unresolvable_include_fails(tree):
    f = tree / "libvernier" / "src" / "eval" / "plan.c"
    line = add_line_after_includes(f, '#include "vn_alloc.h"')
    r = run(tree)
    assert r.returncode != 0
    assert f'libvernier/src/eval/plan.c:{line}: #include "vn_alloc.h": cannot be resolved' \
        in r.stderr


def test_header_declaring_another_files_function_fails(tree):
    h = tree / "libvernier" / "src" / "eval" / "checks.h"
    text = h.read_text(encoding="utf-8")
    h.write_text(text.replace("#endif", "int vn_accumulate_elsewhere(int x);\n\n#endif"),
                 encoding="utf-8")
    r = run(tree)
    assert r.returncode != 0
    assert "libvernier/src/eval/checks.h: declares vn_accumulate_elsewhere()" in r.stderr


def test_file_outside_the_layer_folders_fails(tree):
    (tree / "libvernier" / "src" / "stray.c").write_text("/* stray.c — nothing. */\n")
    r = run(tree)
    assert r.returncode != 0
    assert "libvernier/src/stray.c: not in a layer folder" in r.stderr


def test_stale_readme_table_fails_and_write_regenerates_it(tree):
    f = tree / "libvernier" / "src" / "common" / "sort.c"
    text = f.read_text(encoding="utf-8")
    first = text.split("\n", 1)[0]
    assert first.startswith("/* sort.c — ")
    f.write_text(text.replace(first, "/* sort.c — sorts, described anew. */", 1),
                 encoding="utf-8")
    r = run(tree)
    assert r.returncode != 0
    assert "libvernier/README.md: the layering table is stale" in r.stderr
    w = run(tree, "--write")
    assert w.returncode == 0, w.stderr
    readme = (tree / "libvernier" / "README.md").read_text(encoding="utf-8")
    assert "| `sort.c` | sorts, described anew |" in readme
    assert run(tree).returncode == 0


def test_new_file_makes_the_table_stale(tree):
    (tree / "libvernier" / "src" / "mask" / "extra.c").write_text(
        '/* extra.c — an extra file. */\n#include "mask/rle.h"\n', encoding="utf-8")
    r = run(tree)
    assert r.returncode != 0
    assert "stale" in r.stderr


def source_files():
    out = []
    for d, _, files in os.walk(SRC):
        for f in files:
            out.append(os.path.relpath(os.path.join(d, f), SRC).replace(os.sep, "/"))
    return sorted(out)


def test_every_source_file_and_folder_is_named_in_the_readme():
    with open(os.path.join(ROOT, "libvernier", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    files = source_files()
    assert len(files) > 20
    for rel in files:
        assert f"`{os.path.basename(rel)}`" in readme, rel
    for folder in sorted({rel.split("/")[0] for rel in files}):
        assert f"`{folder}/`" in readme, folder


def test_every_source_folder_is_named_in_the_architecture_doc():
    with open(os.path.join(ROOT, "docs", "explanation", "architecture.md"), encoding="utf-8") as f:
        doc = f.read()
    folders = sorted({rel.split("/")[0] for rel in source_files()})
    assert folders == ["common", "eval", "incremental", "mask", "parse"]
    for folder in folders:
        assert f"src/{folder}/" in doc, folder
