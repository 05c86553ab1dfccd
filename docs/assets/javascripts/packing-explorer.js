// Packing explorer: what torch.nn.utils.rnn.pack_padded_sequence(..., enforce_sorted=False) builds
// from a list of lengths. Plain JavaScript, no dependencies; mounts on every
// <div class="packing-explorer"></div> of the page. The browser test
// (tests/site/test_browser.py) holds its output equal to torch's for random lengths.
(function () {
  "use strict";

  var MAX_SEQUENCES = 16;
  var MAX_LENGTH = 24;

  // "4, 2, 1" -> {lengths: [4, 2, 1]} or {error: "..."}
  function parseLengths(text) {
    var tokens = text.split(/[\s,;]+/).filter(function (t) { return t !== ""; });
    if (tokens.length === 0) {
      return { error: "Enter at least one length, e.g. 4, 2, 1." };
    }
    if (tokens.length > MAX_SEQUENCES) {
      return { error: "At most " + MAX_SEQUENCES + " sequences here (got " + tokens.length + ")." };
    }
    var lengths = [];
    for (var i = 0; i < tokens.length; i++) {
      var tok = tokens[i];
      var where = " (sequence " + i + ")";
      if (!/^[+-]?\d+$/.test(tok)) {
        return { error: "\"" + tok + "\" is not a whole number" + where + ": lengths count time steps, e.g. 4, 2, 1." };
      }
      var n = parseInt(tok, 10);
      if (n < 0) {
        return { error: "Length " + n + where + " is negative: a sequence has 1 or more steps." };
      }
      if (n === 0) {
        return { error: "Length 0" + where + ": every sequence needs at least one step " +
                        "(torch raises \"Length of all samples has to be greater than 0\")." };
      }
      if (n > MAX_LENGTH) {
        return { error: "Length " + n + where + " is longer than this grid shows (at most " + MAX_LENGTH + ")." };
      }
      lengths.push(n);
    }
    return { lengths: lengths };
  }

  // The PackedSequence fields for these lengths, as pack_padded_sequence computes them:
  // sort by length, longest first (ties keep their input order, as torch's CPU sort does),
  // then step t holds the first batch_sizes[t] sorted sequences.
  function pack(lengths) {
    var order = lengths.map(function (_, i) { return i; });
    order.sort(function (a, b) { return lengths[b] - lengths[a] || a - b; });
    var unsorted = new Array(order.length);
    order.forEach(function (seq, pos) { unsorted[seq] = pos; });
    var longest = lengths[order[0]];
    var batchSizes = [];
    var data = [];   // [{seq, step}] in the order of PackedSequence.data's rows
    for (var t = 0; t < longest; t++) {
      var n = 0;
      for (var k = 0; k < order.length && lengths[order[k]] > t; k++) {
        data.push({ seq: order[k], step: t });
        n++;
      }
      batchSizes.push(n);
    }
    return { order: order, sortedIndices: order, unsortedIndices: unsorted, batchSizes: batchSizes, data: data };
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function label(seq, step) { return "s" + seq + "t" + step; }

  function cell(seq, step) {
    var c = el("span", "pe-cell", label(seq, step));
    c.style.setProperty("--pe-hue", String((seq * 67) % 360));
    c.title = "sequence " + seq + ", step " + step;
    return c;
  }

  function list(values) { return "[" + values.join(", ") + "]"; }

  function field(name, cls, values, note) {
    var row = el("div", "pe-field");
    row.appendChild(el("code", "pe-name", name));
    row.appendChild(el("code", cls, list(values)));
    if (note) row.appendChild(el("span", "pe-note", note));
    return row;
  }

  function render(out, lengths) {
    var p = pack(lengths);
    out.textContent = "";

    out.appendChild(el("h4", null, "1. The padded batch (input order)"));
    var padded = el("div", "pe-grid pe-padded");
    var longest = p.batchSizes.length;
    lengths.forEach(function (len, seq) {
      var row = el("div", "pe-row");
      row.appendChild(el("span", "pe-rowhead", "s" + seq + " (" + len + ")"));
      for (var t = 0; t < longest; t++) {
        row.appendChild(t < len ? cell(seq, t) : el("span", "pe-cell pe-pad", "pad"));
      }
      padded.appendChild(row);
    });
    out.appendChild(padded);

    out.appendChild(el("h4", null, "2. Sorted, longest first"));
    var sorted = el("div", "pe-sorted");
    p.order.forEach(function (seq) {
      var chip = cell(seq, 0);
      chip.textContent = "s" + seq + " (" + lengths[seq] + ")";
      sorted.appendChild(chip);
    });
    out.appendChild(sorted);

    out.appendChild(el("h4", null, "3. The PackedSequence"));
    out.appendChild(field("batch_sizes", "pe-batch-sizes", p.batchSizes,
                          "how many sequences are still running at each step"));
    out.appendChild(field("sorted_indices", "pe-sorted-indices", p.sortedIndices,
                          "row k of each step is sequence sorted_indices[k]"));
    out.appendChild(field("unsorted_indices", "pe-unsorted-indices", p.unsortedIndices,
                          "where sequence i went: h_n[:, i] = sorted h_n[:, unsorted_indices[i]]"));

    out.appendChild(el("h4", null, "4. data, step by step (rows of PackedSequence.data)"));
    var steps = el("div", "pe-grid pe-steps");
    var row0 = 0;
    p.batchSizes.forEach(function (n, t) {
      var row = el("div", "pe-row");
      row.appendChild(el("span", "pe-rowhead", "t" + t + (n === 1 ? ": row " + row0 : ": rows " + row0 + "–" + (row0 + n - 1))));
      for (var k = 0; k < n; k++) row.appendChild(cell(p.order[k], t));
      steps.appendChild(row);
      row0 += n;
    });
    out.appendChild(steps);

    out.appendChild(el("h4", null, "5. data as one tensor (" + p.data.length + " rows)"));
    var strip = el("div", "pe-data");
    p.data.forEach(function (d, i) {
      var c = cell(d.seq, d.step);
      c.setAttribute("data-row", String(i));
      strip.appendChild(c);
    });
    out.appendChild(strip);
  }

  function randomLengths() {
    var n = 2 + Math.floor(Math.random() * 5);
    var lengths = [];
    for (var i = 0; i < n; i++) lengths.push(1 + Math.floor(Math.random() * 8));
    return lengths;
  }

  function mount(root) {
    if (root.getAttribute("data-mounted") === "true") return;
    root.setAttribute("data-mounted", "true");
    root.textContent = "";

    var form = el("form", "pe-form");
    var id = "pe-input-" + Math.random().toString(36).slice(2, 8);
    var lab = el("label", null, "Lengths ");
    lab.setAttribute("for", id);
    var input = el("input", "pe-input");
    input.id = id;
    input.type = "text";
    input.value = root.getAttribute("data-lengths") || "2, 4, 1";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    var random = el("button", "md-button pe-random", "Random");
    random.type = "button";
    form.appendChild(lab);
    form.appendChild(input);
    form.appendChild(random);

    var error = el("p", "pe-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    var out = el("div", "pe-output");
    out.setAttribute("aria-live", "polite");

    function update() {
      var parsed = parseLengths(input.value);
      if (parsed.error) {
        error.textContent = parsed.error;
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        out.textContent = "";
        return;
      }
      error.hidden = true;
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      render(out, parsed.lengths);
    }

    input.addEventListener("input", update);
    form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
    random.addEventListener("click", function () {
      input.value = randomLengths().join(", ");
      update();
    });

    root.appendChild(form);
    root.appendChild(error);
    root.appendChild(out);
    update();
  }

  function mountAll() {
    document.querySelectorAll(".packing-explorer").forEach(mount);
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(mountAll);         // Material: also after instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
