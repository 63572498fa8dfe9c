"""dllm-atlas: the catalog of diffusion language model research, as checked data.

The pipeline, one module per stage: :mod:`~dllm_atlas.load` (YAML → typed entries with positions)
→ :mod:`~dllm_atlas.check` (cross-entry rules) → :mod:`~dllm_atlas.index` (relations both ways,
topics, lineages) → outputs (:mod:`~dllm_atlas.readme`, :mod:`~dllm_atlas.export`). The CLI in
:mod:`~dllm_atlas.cli` is a thin shell over them.
"""

__version__ = "0.1.0"
