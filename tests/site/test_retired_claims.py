"""Sentences the claims audit (issue 10) found false or too broad, kept off the pages.

Each entry is a phrase that once stood on a page, and the claim test that shows why it
is wrong as a reader reads it. A phrase coming back (a revert, a copy from an old
branch) fails here; the claim test that refutes it is cited from the page that now
states the truth.
"""

import pytest

from rnn_ref.site import paths

ROOT = paths.root()

# (file, phrase that must not come back, the test that refutes it)
RETIRED = [
    (
        "docs/truncated-bptt.md",
        "trained with carried state it never learns the task at all",
        "tests/site/test_tbptt_report.py::test_the_verdict_sentences_follow_the_data",
    ),
    (
        "docs/packing-explorer.md",
        "ties keep\n   their input order (that is what `torch.sort` does on the CPU)",
        "tests/claims/test_packing_explorer.py::"
        "test_ties_keep_input_order_up_to_16_sequences_only",
    ),
    (
        "docs/assets/javascripts/packing-explorer.js",
        "ties keep their input order, as torch's CPU sort does",
        "tests/claims/test_packing_explorer.py::"
        "test_explorer_script_matches_torch_for_up_to_64_sequences",
    ),
    (
        "docs/stacking.md",
        "The docstring has since been corrected.",
        "tests/claims/test_stacking.py::"
        "test_docstring_loop_in_installed_torch_fails_under_backward",
    ),
    (
        "snippets/stacking/docstring_loop_before_the_fix.py",
        "pytorch issue #153620",  # a pull request, not an issue
        "tests/claims/test_stacking.py::test_docstring_loop_before_the_fix_is_wrong",
    ),
    (
        "docs/bidirectional.md",
        "its backward half is the backward RNN's *first* step, computed from $h_0 = 0$ "
        "and `x[-1]` alone.",
        "tests/claims/test_bidirectional.py::"
        "test_backward_half_of_last_output_needs_one_layer_and_no_hx",
    ),
    (
        "docs/cell.md",
        "the state before and after step $t$; $h_t$ is `output[t]` |",
        "tests/claims/test_cell.py::test_output_is_the_top_layer_state_only",
    ),
    (
        "docs/cell.md",
        "There is no separate output vector. `output[t]` *is* $h_t$",
        "tests/claims/test_cell.py::test_output_is_the_top_layer_state_only",
    ),
    (
        "docs/shapes.md",
        "the same tensor as `output[:, -1]`",
        "tests/claims/test_shapes.py::"
        "test_many_to_one_h_n_top_layer_is_the_last_output_step",
    ),
    (
        "docs/lstm-gru.md",
        "forget-gate bias to 1: that is the second block of $H$ entries, "
        "`bias_hh_l0[H:2*H]`)",
        "tests/claims/test_lstm_gru.py::test_forget_gate_bias_is_the_sum_of_both_biases",
    ),
    (
        "docs/shapes.md",
        "That loop computes exactly what one call on the whole sequence would",
        "tests/claims/test_shapes.py::test_stepping_with_carried_state_equals_one_call",
    ),
    (
        "docs/index.md",
        "Every code block on a page is a file in the repository",
        "tests/site/test_fences.py::test_every_fence_is_tested",
    ),
    (
        "docs/index.md",
        "(outputs, final states and gradients) over every configuration.",
        "tests/test_loops.py::test_parity_grid",
    ),
    (
        "docs/index.md",
        "PyTorch's docstring loop, wrong before its fix.",
        "tests/claims/test_stacking.py::"
        "test_docstring_loop_in_installed_torch_fails_under_backward",
    ),
    (
        "docs/bidirectional.md",
        "side by side.\n\nThe backward half is an ordinary RNN",
        "tests/claims/test_bidirectional.py::test_output_is_forward_then_backward",
    ),
    (
        "docs/stacking.md",
        'it ignores `nonlinearity="relu"`, `bias=False`',
        "tests/claims/test_stacking.py::test_docstring_loop_in_installed_torch_is_right",
    ),
    (
        "docs/pitfalls.md",
        "`True` and `False` compute the same bits, gradients included; on unsorted",
        "tests/claims/test_pitfalls.py::"
        "test_enforce_sorted_true_and_false_compute_identical_results",
    ),
    (
        "docs/variable-length.md",
        "The numbers are the same as if you had sorted by hand:\n\n```py",
        "tests/claims/test_variable_length.py::"
        "test_enforce_sorted_false_returns_results_in_callers_order",
    ),
]


# issue 25, the third audit
RETIRED += [
    (
        "docs/pitfalls.md",
        "cuDNN's RNN dropout masks ignore `torch.manual_seed`",
        "tests/claims/test_pitfalls.py::"
        "test_cudnn_rnn_dropout_repeats_after_reseeding_not_after_set_rng_state",
    ),
    (
        "docs/pitfalls.md",
        "PyTorch's RNN documentation carries a cuDNN determinism note",
        "tests/claims/test_pitfalls.py::"
        "test_rnn_and_lstm_docstrings_include_the_cudnn_determinism_warning",
    ),
    (
        "docs/pitfalls.md",
        "## 1. `lengths` must be a list or a 1-D CPU int64 tensor",
        "tests/claims/test_pitfalls.py::test_float_list_lengths_are_truncated_silently",
    ),
    (
        "docs/training.md",
        "with Adam, the step no larger",
        "tests/claims/test_training.py::test_with_adam_a_bigger_batch_takes_a_bigger_step",
    ),
    (
        "docs/deployment.md",
        "dynamo runs a frame that calls `nn.RNN`",
        "tests/claims/test_deployment.py::"
        "test_dynamo_compiles_what_precedes_the_first_rnn_access",
    ),
    (
        "docs/performance.md",
        "dynamo will not trace a frame that holds an `nn.RNN`",
        "tests/claims/test_deployment.py::"
        "test_dynamo_compiles_what_precedes_the_first_rnn_access",
    ),
    (
        "docs/deployment.md",
        "a third shape reuses that second graph",
        "tests/claims/test_deployment.py::"
        "test_compiled_packed_classifier_makes_dynamic_only_the_sizes_that_changed",
    ),
    (
        "docs/cell.md",
        "moving any amount from one to the other changes nothing. (In the",
        "tests/claims/test_cell.py::"
        "test_moving_bias_changes_outputs_by_rounding_that_grows_with_the_amount",
    ),
    (
        "docs/stacking.md",
        "the next step writes into `h_t` in place",
        "tests/claims/test_stacking.py::"
        "test_docstring_loop_in_installed_torch_fails_under_backward",
    ),
    (
        "docs/lstm-gru.md",
        "never output directly",
        "tests/claims/test_lstm_gru.py::"
        "test_lstm_outputs_h_at_every_step_and_c_only_as_c_n",
    ),
    (
        "docs/gradients.md",
        "the norm becomes `max_norm`. Below `max_norm` nothing changes.",
        "tests/claims/test_gradients.py::"
        "test_clip_grad_norm_starts_rescaling_just_below_max_norm",
    ),
    (  # the GRU that holds the running sum to 1,000 vanishes (issue 25, item 2)
        "docs/gradients.md",
        "trained gates stop it",
        "tests/claims/test_gradients.py::"
        "test_the_gru_that_holds_the_running_sum_has_a_vanishing_gradient",
    ),
    (  # its norm above 1 came from a GRU drifting off its clusters (issue 25, item 2)
        "docs/gradients.md",
        "learns to pass the state through almost unchanged, and that path carries the "
        "gradient too",
        "tests/claims/test_gradients.py::"
        "test_the_gru_that_drifts_has_a_norm_above_one_past_its_lengths",
    ),
    (  # the untrained GRU passes more gradient than a tanh RNN (issue 25, item 2)
        "docs/gradients.md",
        "Their advantage appears only once they are trained",
        "tests/claims/test_gradients.py::"
        "test_gated_cells_start_with_more_gradient_and_learned_more_reliably",
    ),
    (  # 1.22x is faster, not close (issue 25, item 5)
        "docs/performance.md",
        "random packed came close to random padded",
        "tests/site/test_bench_report.py::"
        "test_generated_comparisons_follow_the_word_rules",
    ),
    (  # random packed was 1.22x random padded on the heavy-tailed mix
        "docs/performance.md",
        "On CPU, packing buys correctness, not speed",
        "tests/site/test_bench_report.py::"
        "test_generated_comparisons_follow_the_word_rules",
    ),
    (  # index_over_unbind rose at every length (issue 25, item 13)
        "docs/performance.md",
        "it did not rise steadily over the shorter lengths",
        "tests/site/test_bench_report.py::"
        "test_generated_comparisons_follow_the_word_rules",
    ),
    (  # the experiment could not show a difference by construction (item 16c)
        "docs/truncated-bptt.md",
        "A learned `h0` adds a parameter vector per layer and buys, here, nothing",
        "tests/experiments/test_tbptt.py::"
        "test_step0_logits_from_any_h0_are_logits_the_head_bias_alone_can_give",
    ),
    # the Performance page's typed comparisons that the bench results did not support,
    # now rendered from bench.json by the word rules
    (  # 1.03x and 1.06x torch's time: within 5 % on the first, slower on the second
        "docs/performance.md",
        "forward alone it was slower than torch on the two shorter shapes",
        "tests/site/test_bench_report.py::"
        "test_generated_sentences_hold_for_every_case_they_cover",
    ),
    (  # 1.02x torch's time: about as fast
        "docs/performance.md",
        "came out slower than torch on that shape",
        "tests/site/test_bench_report.py::"
        "test_generated_sentences_hold_for_every_case_they_cover",
    ),
    (  # every compile of the part took 3 to 23 s
        "docs/performance.md",
        "Each compile cost seconds to minutes",
        "tests/site/test_bench_report.py::"
        "test_generated_sentences_hold_for_every_case_they_cover",
    ),
    (  # the bench ran with one thread
        "docs/performance.md",
        "On two CPU cores that gain is not parallel hardware",
        "tests/site/test_bench_report.py::"
        "test_generated_sentences_hold_for_every_case_they_cover",
    ),
]

# the fourth expert read (issue 25's habit: the sentence's quantifier, and the
# counterexample a reviewer tries first)
RETIRED += [
    (  # the TorchScript exporter sorts inside the graph (TopK) with False
        "docs/pitfalls.md",
        "so that an exported ONNX graph needs no sorting step",
        "tests/claims/test_pitfalls.py::"
        "test_enforce_sorted_does_not_decide_whether_a_packed_model_exports",
    ),
    (
        "docs/pitfalls.md",
        "## 9. `enforce_sorted=True` only matters for ONNX export",
        "tests/claims/test_pitfalls.py::"
        "test_enforce_sorted_does_not_decide_whether_a_packed_model_exports",
    ),
    (
        "docs/variable-length.md",
        "keep it `True` for a model you export with sorted inputs",
        "tests/claims/test_pitfalls.py::"
        "test_enforce_sorted_does_not_decide_whether_a_packed_model_exports",
    ),
    (  # LSTM under no_grad keeps the length dynamic after one recompile
        "docs/deployment.md",
        "when training, under `torch.no_grad()`, and with `dynamic=True` alike",
        "tests/claims/test_deployment.py::"
        "test_compiled_padded_classifier_graphs_per_padded_length",
    ),
    (  # its test compares logits and gradients at one point, not accuracy
        "docs/deployment.md",
        "so it trains to the same accuracy",
        "tests/claims/test_deployment.py::"
        "test_padded_variant_gives_the_packed_models_logits_and_gradients",
    ),
    (  # the error fades with distance from the padding
        "docs/variable-length.md",
        "The backward half of `output` is wrong at **every real step** of a short "
        "sequence.",
        "tests/claims/test_variable_length.py::"
        "test_backward_error_from_padding_fades_with_distance",
    ),
    (
        "docs/pitfalls.md",
        "the backward half of `output` is wrong at every real step of every shorter "
        "sequence",
        "tests/claims/test_variable_length.py::"
        "test_backward_error_from_padding_fades_with_distance",
    ),
    (  # chunks of 7 of an LSTM differ in the last bits in float32
        "docs/truncated-bptt.md",
        "compute exactly what one pass over the whole stream computes",
        "tests/claims/test_truncated_bptt.py::"
        "test_carried_state_forward_is_not_always_bit_for_bit",
    ),
    (  # a shift of 10^4 moves the float32 output by about 1e-3
        "docs/cell.md",
        "the output moves in its last bits (about 1e-7 in float32)",
        "tests/claims/test_cell.py::"
        "test_moving_bias_changes_outputs_by_rounding_that_grows_with_the_amount",
    ),
    (  # a real last step equal to padding_value reads as padding
        "docs/variable-length.md",
        "it finds where each sequence's padding starts and raises if the lengths "
        "disagree",
        "tests/claims/test_variable_length.py::"
        "test_check_lengths_takes_a_real_last_step_equal_to_padding_for_padding",
    ),
    (  # torch's warning: known issues on some cuDNN and CUDA versions
        "docs/pitfalls.md",
        "cuDNN kernels are nondeterministic unless asked",
        "tests/claims/test_pitfalls.py::"
        "test_rnn_and_lstm_docstrings_include_the_cudnn_determinism_warning",
    ),
    (
        "docs/pitfalls.md",
        "which do not guarantee bit-identical results from one run to the next unless "
        "asked",
        "tests/claims/test_pitfalls.py::"
        "test_rnn_and_lstm_docstrings_include_the_cudnn_determinism_warning",
    ),
    (  # float32 sigmoids saturate to exactly 0 and 1
        "docs/lstm-gru.md",
        "*gates*: vectors in $(0, 1)$ that decide, feature by feature, how much of the "
        "old state to keep and how much of the new input to let in. Everything",
        "tests/claims/test_lstm_gru.py::"
        "test_gates_lie_in_0_1_in_exact_arithmetic_and_saturate_in_float32",
    ),
    (  # numbers the snippet prints are not retyped
        "docs/bidirectional.md",
        "$76 \\cdot 2 + 2 \\cdot (4 \\cdot 4) = 184$",
        "tests/claims/test_bidirectional.py::test_parameters_double_with_reverse_names",
    ),
    (
        "docs/variable-length.md",
        "Here it is 9 rows, not 12.",
        "tests/claims/test_variable_length.py::test_packed_data_has_sum_of_lengths_rows",
    ),
]

# (file, a caveat the audit added that must stay, the test that backs it)
KEPT = [
    (
        "docs/pitfalls.md",
        "it does not replay the masks the saved run drew next",
        "tests/claims/test_pitfalls.py::"
        "test_cudnn_rnn_dropout_repeats_after_reseeding_not_after_set_rng_state",
    ),
    (
        "docs/pitfalls.md",
        "so it is the way to replay dropout after restoring a saved RNG state",
        "tests/claims/test_pitfalls.py::"
        "test_one_layer_rnns_with_nn_dropout_equal_rnn_dropout_on_cpu",
    ),
]


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    "file, phrase, refuted_by", RETIRED, ids=[f"{f}:{p[:30]}" for f, p, _ in RETIRED]
)
def test_retired_claim_stays_off_the_page(file, phrase, refuted_by):
    assert _words(phrase) not in _words((ROOT / file).read_text()), (
        f"{file} says {phrase!r} again; {refuted_by} shows why that is wrong"
    )
    path, name = refuted_by.split("::")
    assert f"def {name}(" in (ROOT / path).read_text(), f"{refuted_by} is gone"


@pytest.mark.parametrize(
    "file, phrase, backed_by", KEPT, ids=[f"{f}:{p[:30]}" for f, p, _ in KEPT]
)
def test_caveat_stays_on_the_page(file, phrase, backed_by):
    assert _words(phrase) in _words((ROOT / file).read_text()), (
        f"{file} no longer says {phrase!r}; {backed_by} shows why it must"
    )
    path, name = backed_by.split("::")
    assert f"def {name}(" in (ROOT / path).read_text(), f"{backed_by} is gone"
