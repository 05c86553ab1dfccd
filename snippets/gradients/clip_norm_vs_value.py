# clip_grad_norm_ rescales the whole gradient; clip_grad_value_ cuts each entry.
import torch
from torch import nn

a, b = nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2))
g = torch.tensor([8.0, 0.5, -0.1, -3.0, 0.2])  # one gradient, over both parameters


def set_gradient():
    a.grad, b.grad = g[:3].clone(), g[3:].clone()


def report(name):
    new = torch.cat([a.grad, b.grad])
    cos = torch.dot(new, g) / (new.norm() * g.norm())
    print(f"{name:22} {[round(v, 4) for v in new.tolist()]}")
    print(f"{'':22} norm {new.norm():.4f}, cosine with the original {cos:.4f}")


print(f"{'gradient':22} {[round(v, 4) for v in g.tolist()]}, norm {g.norm():.4f}")
set_gradient()
total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
print(f"clip_grad_norm_ returned {total:.4f}: the norm before clipping")
report("clip_grad_norm_(1.0)")
set_gradient()
nn.utils.clip_grad_value_([a, b], clip_value=1.0)
report("clip_grad_value_(1.0)")
