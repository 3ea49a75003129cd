"""The generated `_outputs(rec, _P, _today)`: the values of a program's outputs for one record.

Written only for a program with outputs (a program without them compiles to the same module as
before). Every field an output reads is read and coerced; a value that cannot be read as its
field's type makes each output that reads it missing (the record is set aside only when a rule
reads it, as always). The SQL generator applies the same rule (compile/sql/outputs.py).
"""

from __future__ import annotations

from typing import Any


def write_outputs(module: Any) -> None:
    """Append `_outputs` to the generated module (a `pysource._Module`)."""
    p, em, w = module.p, module.em, module.w
    em.trace = False
    w("def _outputs(rec, _P, _today):")
    w("    get = rec.get")
    module.bind_populations("    ")
    reads = {name: p.reads(p.lets[name].decl.expr) for name in p.outputs}
    fields: set[str] = set()
    lets: set[str] = set(p.outputs)
    for r in reads.values():
        fields.update(r.fields)
        lets.update(r.lets)
    for i, name in enumerate(f for f in p.fields if f in fields):
        w("    try:")
        module.load("        ", name)
        w(f"        b_{i} = False")
        w("    except Bad:")
        w(f"        {em.field_var[name]} = None")
        w(f"        b_{i} = True")
    bad_index = {name: i for i, name in enumerate(f for f in p.fields if f in fields)}
    for name in p.lets:
        if name in lets:
            module.let("    ", name)
    items = []
    for name, r in reads.items():
        v = em.let_var[name]
        flags = [f"b_{bad_index[f]}" for f in r.fields]
        items.append(f"(None if {' or '.join(flags)} else {v})" if flags else v)
    w("    return (" + "".join(i + ", " for i in items) + ")")
    w("")
