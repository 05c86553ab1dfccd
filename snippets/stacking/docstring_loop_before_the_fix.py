# nn.RNN's docstring loop ("Efficient implementation equivalent to ...")
# BEFORE it was corrected, transcribed line for line as quoted from PyTorch's
# rnn.py in pytorch pull request #147490 (Feb 2025; issue #145368 quotes an
# older release that named hx h_0). Pull request #153620 proposed the fix.
# It feeds x[t] to EVERY layer, and its output aliases h_t.
import torch
from torch import nn


def forward(x, hx=None):  # --- the docstring, verbatim ---
    if batch_first:
        x = x.transpose(0, 1)
    seq_len, batch_size, _ = x.size()
    if hx is None:
        hx = torch.zeros(num_layers, batch_size, hidden_size)
    h_t_minus_1 = hx
    h_t = hx
    output = []
    for t in range(seq_len):
        for layer in range(num_layers):
            h_t[layer] = torch.tanh(
                x[t] @ weight_ih[layer].T
                + bias_ih[layer]
                + h_t_minus_1[layer] @ weight_hh[layer].T
                + bias_hh[layer]
            )
        output.append(h_t[-1])
        h_t_minus_1 = h_t
    output = torch.stack(output)
    if batch_first:
        output = output.transpose(0, 1)
    return output, h_t


torch.manual_seed(0)
batch_first = False
for input_size, hidden_size, num_layers in [(4, 4, 1), (4, 4, 2), (3, 4, 2)]:
    rnn = nn.RNN(input_size, hidden_size, num_layers)
    # the docstring's free variables, from rnn:
    weight_ih, bias_ih, weight_hh, bias_hh = (
        [getattr(rnn, f"{kind}_l{k}").detach() for k in range(num_layers)]
        for kind in ("weight_ih", "bias_ih", "weight_hh", "bias_hh")
    )
    x = torch.randn(5, 2, input_size)  # (L, N, H_in)
    out, h_n = rnn(x)
    print(f"RNN({input_size}, {hidden_size}, num_layers={num_layers}):", end=" ")
    try:
        doc_out, doc_h_n = forward(x)
        print(
            f"h_n equal: {torch.allclose(h_n, doc_h_n, atol=1e-6)}; output equal: "
            f"{torch.allclose(out, doc_out, atol=1e-6)} "
            "(every output[t] is the last state: "
            f"{bool((doc_out == doc_out[-1]).all())})"
        )
    except RuntimeError as e:
        print("RuntimeError:", str(e).split(" (")[0])
