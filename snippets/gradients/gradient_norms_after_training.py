# ‖∂h_T/∂h_t‖ of the training page's two GRU classifiers (rnn_ref.site.learned.MODELS:
# one trained on lengths 1-20, one on lengths 2-5), of the weights both start from,
# and of a tanh RNN from the same seed, at T = 5, 20 and 100 (16 digit sequences).
# trains: on another CPU or torch, its last digits may come out otherwise
from rnn_ref.site.gradient_figures import training_jacobians
from rnn_ref.site.learned import MODELS

for name, config in MODELS.items():
    print(f"{name}: {config.steps} steps at batch {config.batch_size}, lr {config.lr}")
ks = (1, 5, 10, 20, 50, 100)
print(f"{'':34}{'T':>4}" + "".join(f"{f'k={k}':>10}" for k in ks))
for name, by_length in training_jacobians().items():
    for T, c in by_length.items():
        norms = [f"{c['jacobian'][k - 1]:10.2e}" if k <= int(T) else "" for k in ks]
        print(f"{name:34}{T:>4}" + "".join(norms))
