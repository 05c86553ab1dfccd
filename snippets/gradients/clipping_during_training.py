# How often clip_grad_norm_ (--clip 1) fires while the classifier trains: the metrics
# log the gradient norm before clipping and the fraction of steps clipped.
# trains: on another CPU or torch, its last digits may come out otherwise
import torch

from rnn_ref.config import TrainConfig
from rnn_ref.train import train

torch.set_num_threads(1)
runs = {  # the training page's GRU, and the ladder's short_combined_clip rung (seed 1)
    "GRU 64x1": dict(cell="gru", hidden_size=64, steps=600, eval_every=100, seed=0),
    "tanh RNN 32x3": dict(
        cell="rnn", num_layers=3, hidden_size=32, steps=3000, eval_every=500, seed=1
    ),
}
for name, kwargs in runs.items():
    config = TrainConfig(**kwargs, batch_size=64, lr=5e-3, clip=1.0)
    print(f"{name}, clip 1: steps, mean and max norm before clipping, clipped")
    for m in train(config).metrics:
        first = m["step"] - config.eval_every + 1
        print(
            f"  {first:4}-{m['step']:4}  {m['grad_norm']:6.3f}  "
            f"{m['grad_norm_max']:6.3f}  {m['clipped']:6.1%}  (accuracy "
            f"{m['accuracy']:.0%})"
        )
