# The forget-gate bias trick: the gate sees bias_ih + bias_hh, so set the sum.
import torch
from torch import nn

torch.manual_seed(0)
H = 4
lstm = nn.LSTM(3, H, num_layers=2)
f = slice(H, 2 * H)  # rows of the forget gate in the order i, f, g, o


def forget_gate_at_rest(lstm):
    # one step on a zero input from h_0 = 0: c_1 = f * c_0 + i * g, so f is
    # how much c_1 moves when c_0 goes from 0 to 1 (layer 0)
    x, h_0 = torch.zeros(1, 1, 3), torch.zeros(2, 1, H)  # (L, N, H_in), (layers, N, H)
    with torch.no_grad():
        c_one = lstm(x, (h_0, torch.ones(2, 1, H)))[1][1][0]
        c_zero = lstm(x, (h_0, torch.zeros(2, 1, H)))[1][1][0]
    return [round(v, 3) for v in (c_one - c_zero)[0].tolist()]


def bias_sum(lstm):
    return [round(v, 3) for v in (lstm.bias_ih_l0 + lstm.bias_hh_l0)[f].tolist()]


with torch.no_grad():
    lstm.bias_hh_l0[f] = 1.0  # the trick as often written: one of the two biases
print("bias_hh[f] = 1 only: b_if + b_hf =", bias_sum(lstm))
print("  forget gate at rest:", forget_gate_at_rest(lstm))
with torch.no_grad():  # every layer: b_if = 1 and b_hf = 0, so the sum is 1
    for k in range(lstm.num_layers):
        getattr(lstm, f"bias_ih_l{k}")[f] = 1.0
        getattr(lstm, f"bias_hh_l{k}")[f] = 0.0
print("sum set to 1:        b_if + b_hf =", bias_sum(lstm))
print("  forget gate at rest:", forget_gate_at_rest(lstm))
print("sigmoid(1) =", round(torch.sigmoid(torch.tensor(1.0)).item(), 3))
