"""``python -m dllm_atlas``: the same command as ``dllm-atlas``."""

import sys

from .cli import main

sys.exit(main())
