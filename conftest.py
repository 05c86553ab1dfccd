"""Pin torch's kernels for the whole test session, before anything loads torch.

The committed outputs were computed with `rnn_ref.site.platform.PINS` (one kernel set,
one MKL code path, one thread), so every x86-64 CPU reruns them bit for bit. Those are
environment variables read when torch loads: this file sets them first. It loads
`platform.py` by path, since importing the `rnn_ref` package would load torch.
"""

import importlib.util
import os
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_rnn_ref_platform", Path(__file__).parent / "rnn_ref" / "site" / "platform.py"
)
_platform = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_platform)
if "torch" not in sys.modules:  # too late otherwise: the outputs say so, and skip
    os.environ.update(_platform.pinned_env())
