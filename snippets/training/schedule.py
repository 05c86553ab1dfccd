# The learning rate: linear warmup to lr, then a cosine down to zero at the last step.
from rnn_ref.config import TrainConfig
from rnn_ref.train import lr_at

config = TrainConfig(
    lr=5e-3, warmup_steps=2000, steps=4000
)  # the tutorial's combined + warmup
for step in (0, 999, 1999, 2000, 2500, 3000, 3500, 3999):
    print(f"step {step:>4}: lr {lr_at(config, step):.6f}")
