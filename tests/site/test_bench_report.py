"""The Performance page shows the committed bench results: tables and figures redraw
from the JSON, and the page's commentary holds for it."""

import json

from rnn_ref.experiments.bench import PARTS
from rnn_ref.site import bench_report, paths
from rnn_ref.site.bench_tables import targets
from rnn_ref.site.words import packing_headline, rise_word, speed_word, time_word

DEFAULT_OUT = paths.results() / "bench.json"
ROOT = paths.root()


def test_committed_tables_are_rendered_from_committed_json(check_bench_results):
    results = json.loads(DEFAULT_OUT.read_text())
    committed = bench_report.tables_path(DEFAULT_OUT).read_text()
    assert committed == bench_report.render_tables(results), (
        "run `rnn-ref bench --redraw`"
    )
    assert results["quick"] is False  # the site shows the full run
    check_bench_results(results, PARTS)


def test_committed_figures_redraw_byte_for_byte(tmp_path, assert_same_svg):
    results = json.loads(DEFAULT_OUT.read_text())
    fresh = bench_report.draw_figures(results, tmp_path)
    assert [p.name for p in fresh] == ["bench_padding.svg", "scan_sweep.svg"]
    for new in fresh:
        assert_same_svg(new, paths.figures() / new.name, "rnn-ref bench --redraw")


SENTENCES = [
    "rnn_sentence",
    "compile_sentence",
    "bucketing",
    "fastest",
    "packed_sentence",
    "scan_sentence",
    "gpu_measured",
    "targets_sentence",
]


def _shape(s: dict) -> str:
    return f"({s['T']}, {s['N']}, {s['H_in']}, {s['H']}, {s['layers']})"


def test_generated_sentences_hold_for_every_case_they_cover():
    """The Performance page's sentences about the measurements are rendered from
    bench.json (`docs/templates/bench_tables.md.j2`); each fragment here is checked
    against the committed results with the quantifier a reader reads: "every cell" is
    every cell in bench.json, "faster" is `speed_word`'s 5 %, "several times" is
    `times_word`'s 3. A rerun that changes a word fails here until this test says what
    the new sentence says."""
    r = json.loads(DEFAULT_OUT.read_text())
    page = (ROOT / "docs" / "performance.md").read_text()
    for name in SENTENCES:
        assert f'bench_tables.md:{name}"' in page
    text = " ".join(bench_report.tables_path(DEFAULT_OUT).read_text().split())
    rnn, compiled, m = r["rnn"], r["compile"], r["machine"]
    S = [_shape(row["shape"]) for row in rnn]
    fb = [row["forward_backward"]["ratio_to_torch"]["hoisted"] for row in rnn]
    fw = [row["forward"]["ratio_to_torch"]["hoisted"] for row in rnn]
    gain = [
        row["forward_backward"]["ratio_to_torch"]["hoisted"]
        / row["forward_backward"]["ratio_to_torch"]["naive"]
        for row in rnn
    ]
    wide = max(range(3), key=lambda i: rnn[i]["shape"]["H"])
    thin = max(range(3), key=lambda i: rnn[i]["shape"]["T"])
    smallest_steps = min(
        range(3), key=lambda i: rnn[i]["shape"]["N"] * rnn[i]["shape"]["H"]
    )
    eager = {_shape(row["shape"]): row["ratio_to_torch"]["eager"] for row in compiled}

    def fraction(i):
        v = rnn[i]["forward"]["fraction_of_matmul"].values()
        return f"{min(v):.2f} to {max(v):.2f}"

    mixes = {m_: v["variants"] for m_, v in r["training"]["mixes"].items()}
    speed = {
        m_: {k: x["speedup_vs_random_padded"] for k, x in v.items()}
        for m_, v in mixes.items()
    }
    bucketing = [
        sp[f"bucketed_{lay}"] / sp[f"random_{lay}"]
        for sp in speed.values()
        for lay in ("padded", "packed")
    ]
    heavy = speed["heavy_tail"]
    heavy_gain = (
        heavy["bucketed_padded"] / heavy["random_padded"],
        heavy["bucketed_packed"] / heavy["random_packed"],
    )
    eff = {
        m_: {k: x["padding_efficiency"] for k, x in v.items()}
        for m_, v in mixes.items()
    }
    modes = r["packed"]["modes"]

    def cells(key):
        return {c: v[key] for c, v in modes.items()}

    tp, ot, op = (
        cells("torch_packed_over_padded"),
        cells("ours_over_torch_packed"),
        cells("ours_over_padded"),
    )
    timed = [row for row in r["scan"] if "loop_over_scan" in row]
    x = [row["loop_over_scan"] for row in timed]
    peak = max(range(len(x)), key=x.__getitem__)
    graphs = [
        g for row in compiled for c in row["compile"].values() for g in c["graphs"]
    ]
    by_step = sorted(
        compiled,
        key=lambda row: -row["shape"]["N"] * row["shape"]["H"] ** 2,
    )
    slow = [
        row["ratio_to_torch"]["step"] / row["ratio_to_torch"]["eager"]
        for row in by_step
    ]
    whole = [row for row in compiled if "whole" in row["ratio_to_torch"]]
    q = whole[0]["ratio_to_torch"]["whole"] / whole[0]["ratio_to_torch"]["eager"]
    seconds = [c["first_call_s"] for row in compiled for c in row["compile"].values()]
    w, st = (whole[0]["compile"][k]["first_call_s"] for k in ("whole", "step"))
    missed = [t["part"] for t in targets(r) if not t["met"]]
    claims = {
        # rnn_sentence
        (
            f"was at most {max(fb):.2f}× torch's CPU kernels forward+backward on every "
            "shape, which meets the target"
        ): all(v <= 1 for v in fb),
        (
            f"forward alone it was about as fast as torch on {S[0]} ({fw[0]:.2f}×) and "
            f"{S[2]} ({fw[2]:.2f}×), slower than torch on {S[1]} ({fw[1]:.2f}×)"
        ): [time_word(v) for v in fw]
        == ["about as fast as", "slower than", "about as fast as"],
        (
            f"On the wide shape, {S[wide]}, it was about as fast as torch "
            f"forward+backward ({fb[wide]:.2f}×), and the same eager loop, timed again "
            "in the compile part below, was about as fast as torch on that shape "
            f"({eager[S[wide]]:.2f}×): differences this small are within this "
            "machine's noise"
        ): time_word(fb[wide]) == time_word(eager[S[wide]]) == "about as fast as",
        "That torch is beaten at all": any(time_word(v) == "faster than" for v in fb),
        (
            "so hoisting helps them most where steps are many and small: on the long, "
            f"thin shape, {S[thin]}, the hoisted forward+backward took "
            f"{gain[thin]:.2f}× the naive one's time, against {gain[0]:.2f}× and "
            f"{gain[1]:.2f}× on the other shapes"
        ): thin == smallest_steps == min(range(3), key=gain.__getitem__) == 2,
        (
            f"the wide shape gets {fraction(wide)} of a plain matmul's FLOP/s, the "
            f"long, thin one {fraction(thin)}"
        ): True,
        # bucketing
        "**Bucketing buys speed.**": all(
            speed_word(v) == "faster than" for v in bucketing
        ),
        (
            "Bucketed batches carried at most "
            f"{1 - min(e['bucketed_padded'] for e in eff.values()):.0%} padding on "
            "either mix, and on the heavy-tailed mix, where random batches were "
            f"{1 - eff['heavy_tail']['random_padded']:.0%} padding"
        ): True,
        (
            "bucketing multiplied the throughput several times over, padded "
            f"({heavy_gain[0]:.2f}×) or packed ({heavy_gain[1]:.2f}×)"
        ): min(heavy_gain) >= 3,
        # fastest
        (
            "on this CPU, bucketed and padded (read at the last real step) was "
            "fastest on both mixes."
        ): all(max(v, key=v.get) == "bucketed_padded" for v in speed.values()),
        # packed_sentence
        "torch's packed path was slower than the padded run for every cell": all(
            time_word(v) == "slower than" for v in tp.values()
        ),
        (
            f"from {tp['RNN']:.2f}× its time (RNN) to {tp['LSTM']:.2f}× (LSTM), "
            "several times slower for the GRU and the LSTM"
        ): min(tp, key=tp.get) == "RNN"
        and max(tp, key=tp.get) == "LSTM"
        and [c for c, v in tp.items() if v >= 3] == ["GRU", "LSTM"],
        (
            "beat torch's packed path for every cell, by the most for the LSTM "
            f"({ot['LSTM']:.2f}× its time), then the GRU ({ot['GRU']:.2f}×) and the "
            f"RNN ({ot['RNN']:.2f}×)"
        ): all(time_word(v) == "faster than" for v in ot.values())
        and sorted(ot, key=ot.get) == ["LSTM", "GRU", "RNN"],
        (
            "and beat the padded run for every cell, the plain RNN included "
            f"({min(op.values()):.2f}× to {max(op.values()):.2f}× its time)"
        ): all(time_word(v) == "faster than" for v in op.values()),
        # scan_sentence
        (
            "The scan was about as fast as the loop at the shortest length "
            f"(T = {timed[0]['T']:,}, {x[0]:.2f}×) and faster than it at every longer "
            f"length, by up to {x[peak]:.2f}× (T = {timed[peak]['T']:,})"
        ): speed_word(x[0]) == "about as fast as"
        and all(speed_word(v) == "faster than" for v in x[1:]),
        "With 1 thread, that gain is not parallel hardware": m["torch_threads"] == 1,
        (
            f"its advantage peaked at T = {timed[peak]['T']:,} and fell after it, to "
            f"{x[-1]:.2f}× at T = {timed[-1]['T']:,}"
        ): x[-1] < x[peak],
        # compile_sentence
        (
            "Inductor left the matrix products to the library (`addmm` or `mm`) in "
            "every graph and fused only the elementwise work around them"
        ): all(g["extern"] and not any("mm" in k for k in g["fused"]) for g in graphs),
        "for the step, the `tanh` forward and its backward": {
            k for g in compiled[0]["compile"]["step"]["graphs"] for k in g["fused"]
        }
        == {"cpp_fused_tanh", "cpp_fused_tanh_backward"},
        "the compiled variants did not reach the target": "compile" in missed,
        (
            f"the whole loop was faster than the eager loop on {S[0]} ({q:.2f}× its "
            "time)"
        ): len(whole) == 1 and time_word(q) == "faster than",
        "the step-only variant was slower than the eager loop on every shape": all(
            time_word(v) == "slower than" for v in slow
        ),
        (
            "its time relative to the eager loop's rose at every shape: "
            + ", ".join(
                f"{v:.2f}× on {_shape(row['shape'])}"
                for v, row in zip(slow[:-1], by_step, strict=False)
            )
            + f" and {slow[-1]:.2f}× on {_shape(by_step[-1]['shape'])}"
        ): all(b > a for a, b in zip(slow, slow[1:], strict=False)),
        f"Each compile took {min(seconds):.0f} to {max(seconds):.0f} s here": True,
        (
            "compiling the whole loop took several times as long as compiling the "
            f"step ({w:.0f} s against {st:.0f} s)"
        ): w / st >= 3,
        # targets_sentence, gpu_measured
        "The compile target is the one not met": missed == ["compile"],
        "This run was measured with 1 thread": m["torch_threads"] == 1,
        "This page was measured on the CPU": m["device"] == "cpu",
    }
    missing = [c for c in claims if c not in text]
    assert not missing, f"update this test with the rendered wording: {missing}"
    false = [c for c, holds in claims.items() if not holds]
    assert not false, f"the rendered sentences contradict bench.json: {false}"


def test_typed_sentences_hold_for_the_committed_results():
    """The few sentences docs/performance.md still types about the measurements."""
    r = json.loads(DEFAULT_OUT.read_text())
    page = (ROOT / "docs" / "performance.md").read_text().replace("\n", " ")
    mixes = r["training"]["mixes"].values()
    claims = {
        "Bucketed and packed together are both correct and cheap in padding": all(
            m["variants"]["bucketed_packed"]["padding_efficiency"] == 1 for m in mixes
        ),
    }
    missing = [c for c in claims if c not in page]
    assert not missing, f"update this test with the page's wording: {missing}"
    assert all(claims.values())


def test_generated_comparisons_follow_the_word_rules():
    """The Performance page's generated sentences about packing and `xp[t]` say what
    the word rules say about the committed numbers, as strictly as the words read:
    "faster than" means at least 5 % more tokens/s (`speed_word`), "rose at every
    length" a rise from each length to the next (`rise_word`)."""
    r = json.loads(DEFAULT_OUT.read_text())
    page = (ROOT / "docs" / "performance.md").read_text()
    tables = " ".join(bench_report.tables_path(DEFAULT_OUT).read_text().split())
    for name in ("indexing_sentence", "packing_speed"):
        assert f'bench_tables.md:{name}"' in page
    speed = {
        m: {k: x["speedup_vs_random_padded"] for k, x in v["variants"].items()}
        for m, v in r["training"]["mixes"].items()
    }
    ratios = []
    for mix in speed.values():
        for plan in ("random", "bucketed"):
            x = mix[f"{plan}_packed"] / mix[f"{plan}_padded"]
            ratios.append(x)
            assert f"{plan} packed was {speed_word(x)} {plan} padded" in tables
    heavy = speed["heavy_tail"]["random_packed"]
    assert heavy > 1.05 and speed_word(heavy) == "faster than"  # 1.22: not "close"
    headline = packing_headline(ratios)
    assert headline == "correctness, and speed only sometimes"
    assert f"**On CPU, packing buys {headline}.**" in tables
    over = [row["index_over_unbind"] for row in r["indexing"]]
    assert all(b > a for a, b in zip(over, over[1:], strict=False))
    assert f"relative to `unbind` {rise_word(over, 'length')} measured" in tables
    assert "rose at every length" in tables
    worst = max(row["ratio_to_torch"]["unbind"] for row in r["indexing"])
    assert f"took at most {worst:.2f}× the time of `nn.RNN` at every length" in tables


def test_deployment_sentences_hold_for_the_committed_results():
    """docs/deployment.md's sentences about the classifier_compile measurements are
    rendered from bench.json; each fragment is checked against it, with the word rules'
    thresholds."""
    t = json.loads(DEFAULT_OUT.read_text())["classifier_compile"]["training"]
    page = (ROOT / "docs" / "deployment.md").read_text()
    for name in ("classifier_verdict", "classifier_padded"):
        assert f'bench_tables.md:{name}"' in page
    text = " ".join(bench_report.tables_path(DEFAULT_OUT).read_text().split())

    def steps(k):  # recurrent steps computed per second, padding included
        return t[k]["tokens_per_s"] / t[k]["padding_efficiency"]

    cp, cd = t["compiled_packed"], t["compiled_padded"]
    per_step = steps("compiled_padded") / steps("eager_padded")
    claims = {
        "On this CPU, compiling did not pay.": all(
            speed_word(t[k]["speedup_vs_eager"]) != "faster than"
            for k in ("compiled_packed", "compiled_padded")
        ),
        (
            "Compiling the packed classifier left its training about as fast as eager "
            f"({cp['speedup_vs_eager']:.2f}× its tokens/s)"
        ): speed_word(cp["speedup_vs_eager"]) == "about as fast as",
        "Its 2 graphs are one graph compiled twice:": cp["graphs_compiled"] == 2,
        (
            "The compiled padded variant was slower than the eager padded one "
            f"({cd['speedup_vs_eager']:.2f}× its tokens/s), but it lost to padding, "
            "not "
            "to compiling"
        ): speed_word(cd["speedup_vs_eager"]) == "slower than"
        and speed_word(per_step) == "faster than",
        (
            f"a padding efficiency of {cd['padding_efficiency']:.2f} against "
            f"{t['eager_padded']['padding_efficiency']:.2f} for bucketed batches"
        ): True,
        (
            "per computed step it was faster than the eager padded variant: it "
            "computed "
            f"{per_step:.2f} times as many steps per second"
        ): speed_word(per_step) == "faster than",
        f"{cd['first_pass_s']:.0f} s for 1 graph of a single length": (
            cd["graphs_compiled"] == 1
        ),
        "The fastest variant was the eager padded classifier on bucketed batches": (
            max(t, key=lambda k: t[k]["tokens_per_s"]) == "eager_padded"
        ),
    }
    missing = [c for c in claims if c not in text]
    assert not missing, f"update this test with the rendered wording: {missing}"
    false = [c for c, holds in claims.items() if not holds]
    assert not false, f"the committed bench results contradict the page: {false}"


def _committed_with(**parts) -> dict:
    results = json.loads(DEFAULT_OUT.read_text())
    results.update(parts)
    return results


def test_a_quick_run_renders_and_says_what_it_skipped():
    """A quick run has no torch.compile parts and no loop at the longest scan length;
    the tables still render, saying so, and no sentence reads a part that is absent."""
    r = json.loads(DEFAULT_OUT.read_text())
    scan = [dict(row) for row in r["scan"]]
    del scan[-1]["loop_over_scan"], scan[-1]["median_s"]["loop"]
    text = bench_report.render_tables(
        _committed_with(compile=[], classifier_compile={}, scan=scan, quick=True)
    )
    assert text.count("Not measured in this run") == 4
    for name in ("compile", "fused", "classifier_graphs", "classifier_compile"):
        assert f"[start:{name}]" in text
    assert "[start:compile_sentence]" not in text
    assert "| 65,536 | not run |" in text
    assert f"to {scan[-2]['loop_over_scan']:.2f}× at T = 16,384" in text


def test_sentences_follow_the_data_when_it_changes():
    """Each word comes from the data: a slower bucketed run and a packed path as fast
    as padding change the words, not only the numbers."""
    r = json.loads(DEFAULT_OUT.read_text())
    modes = {c: dict(v) for c, v in r["packed"]["modes"].items()}
    modes["RNN"]["ours_over_padded"] = 1.01
    training = json.loads(json.dumps(r["training"]))
    training["mixes"]["uniform"]["variants"]["bucketed_packed"][
        "speedup_vs_random_padded"
    ] = 0.4
    text = " ".join(
        bench_report.render_tables(
            _committed_with(packed={**r["packed"], "modes": modes}, training=training)
        ).split()
    )
    assert "**Bucketing buys speed only sometimes.**" in text
    assert "beat the padded run for 2 of 3 cells (" in text
    assert "the plain RNN included" not in text
