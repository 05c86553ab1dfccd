# torch's default init of weight_hh, and its singular values.
import torch

torch.manual_seed(0)
H = 64
rnn = torch.nn.RNN(H, H)
w = rnn.weight_hh_l0.detach()  # (H, H)
print(f"1/sqrt(H) = {H**-0.5:.4f}; weight_hh_l0 in [{w.min():.4f}, {w.max():.4f}]")
print(f"std {w.std():.4f}; U(-a, a) has std a/sqrt(3) = {(3 * H) ** -0.5:.4f}")
s = torch.linalg.svdvals(w)  # descending
print(f"singular values: max {s[0]:.3f}, median {s.median():.3f}, min {s[-1]:.4f}")
rho = torch.linalg.eigvals(w).abs().max()
print(f"largest |eigenvalue| {rho:.3f}")
for k in (1, 10, 20, 40):
    print(f"bound sigma_max^{k:<2} = {s[0] ** k:9.3g}   rho^{k:<2} = {rho**k:9.3g}")
