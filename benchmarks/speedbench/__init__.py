"""The pieces of ``benchmarks/speed.py``: one module per kind of figure.

* :mod:`.common`: targets, timing, GPU utilisation, machine facts, the
  environment of child processes;
* :mod:`.figures`: figures measured in this process (digits, KEEL, CTGAN,
  sampling);
* :mod:`.processes`: figures measured in child processes (scaling with peak
  memory, DDP under torchrun), and :mod:`.scaling_child`, the child;
* :mod:`.report`: the Markdown table.
"""
