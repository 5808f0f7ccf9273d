"""Table: one of a Summary's tables (per class, per image, per detection,
per ground truth) as a numpy structured array, with CSV and Markdown
writers and lazy conversions to pandas and pyarrow."""
from __future__ import annotations

import csv
import io
import os

import numpy as np


class MissingDependencyError(ImportError):
    """An optional dependency of vernier is not installed.  ``extra`` names
    the package to install (``pip install <extra>``)."""

    def __init__(self, extra: str, what: str):
        super().__init__(f"{what} needs {extra}, which is not installed: "
                         f"pip install {extra}")
        self.extra = extra
        self.name = extra


def _import(module: str, extra: str, what: str):
    try:
        return __import__(module)
    except ImportError as e:
        raise MissingDependencyError(extra, what) from e


def _cell(v) -> str:
    """A value as CSV / Markdown text: floats in their shortest round-trip
    form (repr), booleans as 0/1, the rest as str."""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v)


class Table:
    """A table of a :class:`Summary`: ``data`` is a numpy structured array
    (one field per column, one row per entry), ``name`` says which table
    (``"per_class"``, ``"per_image"``, ``"per_detection"``,
    ``"per_gt"``).  ``table["AP"]`` is a column, ``len(table)`` the number
    of rows, ``table.columns`` the column names in order."""

    # a dict: help() shows each attribute's documentation
    __slots__ = {
        "name": "Which table: \"per_class\", \"per_image\", \"per_detection\" or \"per_gt\".",
        "data": "The rows, a numpy structured array (one field per column).",
    }

    def __init__(self, name: str, data: np.ndarray):
        self.name = name
        self.data = data

    @property
    def columns(self) -> tuple:
        """The column names, in order (the fields of ``data``)."""
        return tuple(self.data.dtype.names)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, column: str) -> np.ndarray:
        return self.data[column]

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return (self.name == other.name and self.data.dtype == other.data.dtype
                and np.array_equal(self.data, other.data))

    __hash__ = None

    def rows(self) -> list:
        """The rows as dicts of Python values, in order."""
        return [dict(zip(self.columns, r)) for r in self.data.tolist()]

    def to_csv(self, path=None) -> str | None:
        """The table as CSV (a header line, then one line per row; floats in
        their shortest round-trip form, flags as 0/1).  With ``path``
        (``str`` or ``os.PathLike``) it is written there and None returned,
        else the text is returned."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for row in self.data:
            w.writerow([_cell(v) for v in row])
        text = buf.getvalue()
        if path is None:
            return text
        with open(os.fspath(path), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return None

    def to_markdown(self, floatfmt: str = ".3f") -> str:
        """The table as a GitHub-flavoured Markdown table, floats formatted
        with ``floatfmt`` (-1 is pycocotools' "undefined")."""
        def fmt(v):
            if isinstance(v, (float, np.floating)):
                return format(float(v), floatfmt)
            return _cell(v).replace("|", "\\|")
        lines = ["| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        for row in self.data:
            lines.append("| " + " | ".join(fmt(v) for v in row) + " |")
        return "\n".join(lines) + "\n"

    def to_pandas(self):
        """A ``pandas.DataFrame`` of the table (pandas is imported here;
        :class:`MissingDependencyError`, an ImportError, names it when it
        is not installed)."""
        pd = _import("pandas", "pandas", "Table.to_pandas()")
        return pd.DataFrame({c: self.data[c] for c in self.columns})

    def to_arrow(self):
        """A ``pyarrow.Table`` of the table (pyarrow is imported here;
        :class:`MissingDependencyError` names it when it is not
        installed)."""
        pa = _import("pyarrow", "pyarrow", "Table.to_arrow()")
        return pa.table({c: self.data[c] for c in self.columns})

    def __repr__(self) -> str:
        return f"Table({self.name!r}, rows={len(self)}, columns={list(self.columns)!r})"
