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
    """A table of a :class:`Summary`: named columns of equal length, as
    numpy arrays (read-only), and the same rows as one numpy structured
    array (``data``, built on first use).  ``name`` says which table
    (``"per_class"``, ``"per_image"``, ``"per_detection"``,
    ``"per_gt"``).  ``table["AP"]`` is a column, ``len(table)`` the number
    of rows, ``table.columns`` the column names in order."""

    # a dict: help() shows each attribute's documentation
    __slots__ = {
        "name": "Which table: \"per_class\", \"per_image\", \"per_detection\" or \"per_gt\".",
        "_cols": None, "_data": None,
    }

    def __init__(self, name: str, columns: dict):
        self.name = name
        self._cols = {}
        for k, v in columns.items():
            v = np.asarray(v)
            v.setflags(write=False)
            self._cols[k] = v
        self._data = None

    @property
    def columns(self) -> tuple:
        """The column names, in order."""
        return tuple(self._cols)

    @property
    def data(self) -> np.ndarray:
        """The rows as a numpy structured array (one field per column, in
        order; read-only), built on first use."""
        if self._data is None:
            out = np.empty(len(self), dtype=[(k, v.dtype) for k, v in self._cols.items()])
            for k, v in self._cols.items():
                out[k] = v
            out.setflags(write=False)
            self._data = out
        return self._data

    def __len__(self) -> int:
        return len(next(iter(self._cols.values()))) if self._cols else 0

    def __getitem__(self, column: str) -> np.ndarray:
        return self._cols[column]

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Table):
            return NotImplemented
        return (self.name == other.name and self.columns == other.columns
                and all(a.dtype == b.dtype and np.array_equal(a, b)
                        for a, b in zip(self._cols.values(), other._cols.values())))

    __hash__ = None

    def __getstate__(self) -> dict:
        return {"name": self.name, "columns": self._cols}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["name"], state["columns"])

    def rows(self) -> list:
        """The rows as dicts of Python values, in order."""
        names = self.columns
        return [dict(zip(names, r)) for r in zip(*(v.tolist() for v in self._cols.values()))]

    def to_csv(self, path=None) -> str | None:
        """The table as CSV (a header line, then one line per row; floats in
        their shortest round-trip form, flags as 0/1).  With ``path``
        (``str`` or ``os.PathLike``) it is written there and None returned,
        else the text is returned."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        cols = [[_cell(x) for x in v.tolist()] for v in self._cols.values()]
        w.writerows(zip(*cols))
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
            if isinstance(v, float):
                return format(v, floatfmt)
            return _cell(v).replace("|", "\\|")
        lines = ["| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" for _ in self.columns) + "|"]
        for row in zip(*(v.tolist() for v in self._cols.values())):
            lines.append("| " + " | ".join(fmt(v) for v in row) + " |")
        return "\n".join(lines) + "\n"

    def to_pandas(self):
        """A ``pandas.DataFrame`` of the table (pandas is imported here;
        :class:`MissingDependencyError`, an ImportError, names it when it
        is not installed)."""
        pd = _import("pandas", "pandas", "Table.to_pandas()")
        return pd.DataFrame(dict(self._cols))

    def to_arrow(self):
        """A ``pyarrow.Table`` of the table (pyarrow is imported here;
        :class:`MissingDependencyError` names it when it is not
        installed)."""
        pa = _import("pyarrow", "pyarrow", "Table.to_arrow()")
        return pa.table(dict(self._cols))

    def __repr__(self) -> str:
        return f"Table({self.name!r}, rows={len(self)}, columns={list(self.columns)!r})"
