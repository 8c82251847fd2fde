"""Importing crmmine (and every submodule) has no side effects (DESIGN.md: "No side effects on import")."""

from __future__ import annotations

import subprocess
import sys

CHECK = r"""
import logging, pkgutil, warnings, importlib
# the dependencies first: what they do on import is theirs, not crmmine's
import numpy, pandas, scipy.optimize, scipy.sparse, scipy.stats, sklearn.cluster, sklearn.linear_model
import plotly.graph_objects, plotly.subplots, plotly.tools, plotly.io as pio
filters = list(warnings.filters)
options = repr(pandas.options.display.max_rows)
renderer = pio.renderers.default
template = pio.templates.default
handlers = list(logging.getLogger().handlers)
import crmmine
for mod in pkgutil.walk_packages(crmmine.__path__, "crmmine."):
    if not mod.name.endswith("__main__"):
        importlib.import_module(mod.name)
new = [f for f in warnings.filters if f not in filters]
assert not new, f"warning filters added on import: {new}"
assert repr(pandas.options.display.max_rows) == options
assert pio.renderers.default == renderer, pio.renderers.default
assert pio.templates.default == template, pio.templates.default
assert logging.getLogger().handlers == handlers
print("ok")
"""


def test_import_has_no_side_effects():
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
