# ||dh_T/dh_t|| at k = T - t steps back, at initialization (H = 64, T = 40).
from rnn_ref.experiments.gradients import init_curves

curves = init_curves(T=40, H=64, N=32, seed=0)
ks = (1, 10, 20, 40)
print(f"{'':28} sigma_max " + " ".join(f"{f'k={k}':>9}" for k in ks))
for label, c in curves.items():
    norms = " ".join(f"{c['jacobian'][k - 1]:9.2e}" for k in ks)
    sigma = "-" if c["sigma_max"] is None else f"{c['sigma_max']:.3f}"
    print(f"{label:28} {sigma:>9} {norms}")
