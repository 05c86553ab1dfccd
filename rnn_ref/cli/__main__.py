"""`python -m rnn_ref.cli ...` (what `torchrun -m rnn_ref.cli train ...` runs)."""

import sys

from rnn_ref.cli import main

sys.exit(main())
