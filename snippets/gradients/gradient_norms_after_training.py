# The classifier's gradients going back in time, before and after a short training
# run (TRAINED: H 64, lr 5e-3, clip 1, 600 steps on lengths 2-5), measured on
# sequences of length T = 30.
# trains: on another CPU or torch, its last digits may come out otherwise
from rnn_ref.experiments.gradients import TRAINED, training_curves

print("training run:", {k: TRAINED[k] for k in ("hidden_size", "lr", "steps")})
curves = training_curves(T=30, N=64, seed=1)
ks = (1, 10, 20, 30)
print(f"{'':22}" + " ".join(f"{f'k={k}':>9}" for k in ks))
for cell, c in curves.items():
    print(f"{cell}: accuracy after training {c['accuracy']:.1%}")
    for when in ("init", "trained"):
        for key, what in (("jacobian", "|dh_T/dh_t|"), ("loss", "|dL/dh_t|")):
            norms = " ".join(f"{c[when][key][k - 1]:9.2e}" for k in ks)
            print(f"  {when:8}{what:12}{norms}")
