# rnn_ref's GRU and LSTM cells, run by rnn_ref.reference_forward,
# against nn.GRU and nn.LSTM.
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from rnn_ref import reference_forward

torch.manual_seed(0)
x = torch.randn(6, 3, 4, dtype=torch.float64)  # (L, N, H_in)
packed = pack_padded_sequence(x, [6, 2, 4], enforce_sorted=False)
modules = {
    "GRU, 2 layers, bidirectional": nn.GRU(4, 5, num_layers=2, bidirectional=True),
    "LSTM, 2 layers, bidirectional": nn.LSTM(4, 5, num_layers=2, bidirectional=True),
    "LSTM, proj_size=3": nn.LSTM(4, 5, num_layers=2, proj_size=3),
}
for name, module in modules.items():
    module = module.double()
    for kind, inp in (("padded", x), ("packed", packed)):
        out, state = module(inp)
        ref_out, ref_state = reference_forward(module, inp)
        if kind == "packed":
            out, ref_out = out.data, ref_out.data
        states = state if isinstance(state, tuple) else (state,)
        ref_states = ref_state if isinstance(ref_state, tuple) else (ref_state,)
        diff = max(
            (a - b).abs().max().item()
            for a, b in zip((out, *states), (ref_out, *ref_states), strict=True)
        )
        print(f"{name:30} {kind}: max |diff| over output and final states = {diff:.1e}")
