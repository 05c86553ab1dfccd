// Packing explorer: what torch.nn.utils.rnn.pack_padded_sequence(..., enforce_sorted=False) builds
// from a list of lengths. Plain JavaScript, no dependencies; mounts on every
// <div class="packing-explorer"></div> of the page. The browser test
// (tests/site/test_browser.py) holds its output equal to torch's for random lengths.
(function () {
  "use strict";

  var MAX_SEQUENCES = 32;
  var MAX_LENGTH = 24;
  // the explorer's sections sit right under the page's title (its H1): H2, so the
  // page's outline skips no level
  var SECTION = "h2";

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

  // torch.sort(lengths, descending=True) on the CPU, tie order included: torch sorts
  // (length, index) pairs with the C++ library's std::sort (libstdc++'s introsort), which
  // keeps ties in input order for 16 sequences or fewer (it only insertion-sorts those)
  // and reorders them from 17 on. This is that algorithm, step for step, comparing
  // lengths only; tests/claims/test_packing_explorer.py holds it equal to torch for
  // every batch size from 1 to 64.
  function torchSortDescending(lengths) {
    var a = lengths.map(function (_, i) { return i; });   // indices, compared by length
    function comp(x, y) { return lengths[x] > lengths[y]; }
    function swap(i, j) { var t = a[i]; a[i] = a[j]; a[j] = t; }
    function unguardedLinearInsert(j) {
      var val = a[j];
      while (comp(val, a[j - 1])) { a[j] = a[j - 1]; j--; }
      a[j] = val;
    }
    function insertionSort(first, last) {
      for (var i = first + 1; i < last; i++) {
        var val = a[i];
        if (comp(val, a[first])) {
          for (var j = i; j > first; j--) a[j] = a[j - 1];
          a[first] = val;
        } else {
          unguardedLinearInsert(i);
        }
      }
    }
    function moveMedianToFirst(r, x, y, z) {
      var s;
      if (comp(a[x], a[y])) {
        s = comp(a[y], a[z]) ? y : (comp(a[x], a[z]) ? z : x);
      } else {
        s = comp(a[x], a[z]) ? x : (comp(a[y], a[z]) ? z : y);
      }
      swap(r, s);
    }
    function partition(first, last, pivot) {
      for (;;) {
        while (comp(a[first], a[pivot])) first++;
        last--;
        while (comp(a[pivot], a[last])) last--;
        if (!(first < last)) return first;
        swap(first, last);
        first++;
      }
    }
    function adjustHeap(first, hole, len, value) {
      var top = hole, child = hole;
      while (child < Math.floor((len - 1) / 2)) {
        child = 2 * (child + 1);
        if (comp(a[first + child], a[first + child - 1])) child--;
        a[first + hole] = a[first + child];
        hole = child;
      }
      if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
        child = 2 * (child + 1);
        a[first + hole] = a[first + child - 1];
        hole = child - 1;
      }
      var parent = Math.floor((hole - 1) / 2);
      while (hole > top && comp(a[first + parent], value)) {
        a[first + hole] = a[first + parent];
        hole = parent;
        parent = Math.floor((hole - 1) / 2);
      }
      a[first + hole] = value;
    }
    function heapSort(first, last) {
      var n = last - first;
      for (var parent = Math.floor((n - 2) / 2); parent >= 0; parent--) {
        adjustHeap(first, parent, n, a[first + parent]);
      }
      while (last - first > 1) {
        last--;
        var value = a[last];
        a[last] = a[first];
        adjustHeap(first, 0, last - first, value);
      }
    }
    function introsortLoop(first, last, depth) {
      while (last - first > 16) {
        if (depth === 0) { heapSort(first, last); return; }
        depth--;
        moveMedianToFirst(first, first + 1, first + Math.floor((last - first) / 2), last - 1);
        var cut = partition(first + 1, last, first);
        introsortLoop(cut, last, depth);
        last = cut;
      }
    }
    var n = a.length;
    if (n > 1) {
      introsortLoop(0, n, 2 * (31 - Math.clz32(n)));
      if (n > 16) {
        insertionSort(0, 16);
        for (var i = 16; i < n; i++) unguardedLinearInsert(i);
      } else {
        insertionSort(0, n);
      }
    }
    return a;
  }

  // The PackedSequence fields for these lengths, as pack_padded_sequence computes them:
  // sort by length, longest first (torch's order, ties included), then step t holds the
  // first batch_sizes[t] sorted sequences.
  function pack(lengths) {
    var order = torchSortDescending(lengths);
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

  // One colour per sequence, MAX_SEQUENCES of them, as far apart as they can be: a
  // greedy farthest-point pick (CIE76 distance in CIELAB) among HSL colours light enough
  // (L* >= 60) that dark text stays legible on each. The browser test holds every pair
  // of the 32 at least 20 apart.
  function hslToRgb(h, s, l) {
    s /= 100; l /= 100;
    var a = s * Math.min(l, 1 - l);
    return [0, 8, 4].map(function (n) {
      var k = (n + h / 30) % 12;
      return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
    });
  }
  function toLab(rgb) {
    var lin = rgb.map(function (v) {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var f = function (t) { return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116; };
    var fx = f((0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047);
    var fy = f(0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]);
    var fz = f((0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883);
    return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
  }
  var COLOURS = (function () {
    var candidates = [];
    for (var h = 0; h < 360; h += 5) {
      [40, 70, 100].forEach(function (s) {
        [45, 60, 75, 88].forEach(function (l) {
          var rgb = hslToRgb(h, s, l), lab = toLab(rgb);
          if (lab[0] >= 60) candidates.push({ rgb: rgb, lab: lab });
        });
      });
    }
    function distance(a, b) { return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]); }
    var nearest = candidates.map(function (c) { return distance(c.lab, candidates[0].lab); });
    var chosen = [candidates[0]];
    while (chosen.length < MAX_SEQUENCES) {
      var best = 0;
      for (var i = 1; i < candidates.length; i++) if (nearest[i] > nearest[best]) best = i;
      chosen.push(candidates[best]);
      candidates.forEach(function (c, j) {
        nearest[j] = Math.min(nearest[j], distance(c.lab, candidates[best].lab));
      });
    }
    return chosen.map(function (c) { return "rgb(" + c.rgb.join(", ") + ")"; });
  })();

  function label(seq, step) { return "s" + seq + "t" + step; }

  function cell(seq, step) {
    var c = el("span", "pe-cell", label(seq, step));
    c.style.setProperty("--pe-colour", COLOURS[seq % COLOURS.length]);
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

    out.appendChild(el(SECTION, null, "1. The padded batch (input order)"));
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

    out.appendChild(el(SECTION, null, "2. Sorted, longest first"));
    var sorted = el("div", "pe-sorted");
    p.order.forEach(function (seq) {
      var chip = cell(seq, 0);
      chip.textContent = "s" + seq + " (" + lengths[seq] + ")";
      sorted.appendChild(chip);
    });
    out.appendChild(sorted);

    out.appendChild(el(SECTION, null, "3. The PackedSequence"));
    out.appendChild(field("batch_sizes", "pe-batch-sizes", p.batchSizes,
                          "how many sequences are still running at each step"));
    out.appendChild(field("sorted_indices", "pe-sorted-indices", p.sortedIndices,
                          "row k of each step is sequence sorted_indices[k]"));
    out.appendChild(field("unsorted_indices", "pe-unsorted-indices", p.unsortedIndices,
                          "where sequence i went: h_n[:, i] = sorted h_n[:, unsorted_indices[i]]"));

    out.appendChild(el(SECTION, null, "4. data, step by step (rows of PackedSequence.data)"));
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

    out.appendChild(el(SECTION, null, "5. data as one tensor (" + p.data.length + " rows)"));
    var strip = el("div", "pe-data");
    p.data.forEach(function (d, i) {
      var c = cell(d.seq, d.step);
      c.setAttribute("data-row", String(i));
      strip.appendChild(c);
    });
    out.appendChild(strip);

    out.appendChild(el(SECTION, null, "6. An RNN consuming it, step by step"));
    out.appendChild(stepThrough(lengths, p));

    out.appendChild(el(SECTION, null, "7. The same batch in Python"));
    var details = el("details", "pe-python");
    details.appendChild(el("summary", null, "Show the Python (the Copy as Python button copies it)"));
    details.appendChild(el("pre", "pe-python-text", python(lengths)));
    out.appendChild(details);
  }

  // Row k of the RNN's hidden state h holds sequence order[k] (sorted position k). At
  // step t it reads the batch_sizes[t] rows of data for step t and updates h[0:n]; rows
  // n and below have finished, and h[k] is sequence order[k]'s h_n from its last step on.
  function describe(lengths) {
    var p = pack(lengths);
    return lengths.length + (lengths.length === 1 ? " sequence" : " sequences") +
      " packed into " + p.data.length + " rows: batch_sizes " + list(p.batchSizes) +
      ", sorted_indices " + list(p.sortedIndices) +
      ", unsorted_indices " + list(p.unsortedIndices) + ".";
  }

  function stepThrough(lengths, p) {
    var box = el("div", "pe-rnn");
    var last = p.batchSizes.length - 1;
    var controls = el("div", "pe-step-controls");
    var prev = el("button", "md-button pe-step-prev", "\u25c0 Previous");
    var next = el("button", "md-button pe-step-next", "Next step \u25b6");
    prev.type = next.type = "button";
    var slider = el("input", "pe-step-slider");
    slider.type = "range";
    slider.min = "0";
    slider.max = String(last);
    slider.setAttribute("aria-label", "time step t");
    controls.appendChild(prev);
    controls.appendChild(slider);
    controls.appendChild(next);
    var status = el("p", "pe-step-status");
    status.setAttribute("aria-live", "polite");
    var grid = el("div", "pe-grid pe-rnn-grid");
    var rows = p.order.map(function (seq, k) {
      var row = el("div", "pe-row");
      row.appendChild(el("span", "pe-rowhead", "h[" + k + "]: s" + seq));
      var cells = [];
      for (var t = 0; t <= last; t++) {
        var c = t < lengths[seq] ? cell(seq, t) : el("span", "pe-cell pe-pad", "\u2013");
        cells.push(c);
        row.appendChild(c);
      }
      var hn = el("span", "pe-hn", "h_n[:, " + seq + "]");
      hn.title = "sequence " + seq + "'s final state: h[" + k + "] after step " + (lengths[seq] - 1);
      row.appendChild(hn);
      grid.appendChild(row);
      return { seq: seq, cells: cells, hn: hn };
    });

    function show(t) {
      t = Math.max(0, Math.min(last, t));
      slider.value = String(t);
      slider.setAttribute("aria-valuetext", "step " + t + " of " + last);
      // a button that turns disabled under the keyboard's focus would drop the focus to
      // the page's start: hand it to the slider, which steps on with the arrow keys
      var focused = document.activeElement;
      prev.disabled = t === 0;
      next.disabled = t === last;
      if ((focused === prev || focused === next) && focused.disabled) slider.focus();
      var n = p.batchSizes[t];
      var first = p.batchSizes.slice(0, t).reduce(function (a, b) { return a + b; }, 0);
      var ending = [];
      rows.forEach(function (r, k) {
        var end = lengths[r.seq] - 1;   // the sequence's last step
        r.cells.forEach(function (c, u) {
          c.classList.toggle("pe-now", u === t && k < n);
          c.classList.toggle("pe-later", u > t);
        });
        r.hn.classList.toggle("pe-hn-taken", end <= t);
        r.hn.classList.toggle("pe-hn-now", end === t);
        if (end === t) ending.push("s" + r.seq + " (h[" + k + "] \u2192 h_n[:, " + r.seq + "])");
      });
      status.textContent = "Step t = " + t + " of " + last + ": batch_sizes[" + t + "] = " + n +
        ", so the RNN reads " + (n > 1 ? "rows " + first + "\u2013" + (first + n - 1) : "row " + first) +
        " of data and updates h[0:" + n + "]" +
        (n < p.order.length ? "; h[" + n + ":] have finished and stay as they are" : "") +
        ". " + (ending.length ? "Last step of " + ending.join(", ") : "No sequence ends here") + ".";
    }
    // a step the reader picks stays in view when the grid scrolls (a long batch, a phone)
    function go(t) {
      show(t);
      var c = rows[0].cells[Number(slider.value)];
      grid.scrollLeft = Math.max(0, c.offsetLeft - grid.clientWidth / 2);
    }
    prev.addEventListener("click", function () { go(Number(slider.value) - 1); });
    next.addEventListener("click", function () { go(Number(slider.value) + 1); });
    slider.addEventListener("input", function () { go(Number(slider.value)); });
    box.appendChild(controls);
    box.appendChild(status);
    box.appendChild(grid);
    show(0);
    return box;
  }

  // A torch program that builds this batch and prints what the explorer shows. Entry
  // (t, s) of the padded batch is 1000 s + t, so data names its steps as the cells do.
  function python(lengths) {
    var items = lengths.map(String), lines = [], line = "lengths = torch.tensor([";
    items.forEach(function (item, i) {
      var piece = item + (i < items.length - 1 ? ", " : "");
      if ((line + piece).trimEnd().length > 78) {
        lines.push(line.trimEnd());
        line = "    ";
      }
      line += piece;
    });
    lines.push(line + "])");
    return [
      "import torch",
      "from torch.nn.utils.rnn import pack_padded_sequence",
      "",
    ].concat(lines, [
      "t = torch.arange(int(lengths.max())).unsqueeze(1)  # (L, 1)",
      "s = torch.arange(len(lengths)).unsqueeze(0)  # (1, N)",
      "padded = (1000 * s + t).float()  # (L, N): entry (t, s) is 1000 s + t",
      "packed = pack_padded_sequence(padded, lengths, enforce_sorted=False)",
      'print("batch_sizes", packed.batch_sizes.tolist())',
      'print("sorted_indices", packed.sorted_indices.tolist())',
      'print("unsorted_indices", packed.unsorted_indices.tolist())',
      'print("data", [f"s{int(v) // 1000}t{int(v) % 1000}" for v in packed.data])',
    ]).join("\n") + "\n";
  }

  // The clipboard API where the page may use it (https or localhost), else the older
  // select-and-copy; says what happened either way.
  function copyText(text, say) {
    function fallback() {
      var area = el("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      say(ok ? "Copied." : "Could not copy: open \u201c7. The same batch in Python\u201d and copy it from there.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say("Copied."); }, fallback);
    } else {
      fallback();
    }
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
    var copy = el("button", "md-button pe-copy-python", "Copy as Python");
    copy.type = "button";
    copy.title = "Copy a torch program that builds this batch and prints its fields";
    var copied = el("span", "pe-copied");
    copied.setAttribute("role", "status");
    form.appendChild(lab);
    form.appendChild(input);
    form.appendChild(random);
    form.appendChild(copy);
    form.appendChild(copied);

    var error = el("p", "pe-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    var out = el("div", "pe-output");
    // what a screen reader hears after each change: the fields in one sentence (the
    // whole output would be read out again on every keystroke); errors are an alert
    var summary = el("p", "pe-summary");
    summary.setAttribute("aria-live", "polite");

    function update() {
      var parsed = parseLengths(input.value);
      if (parsed.error) {
        error.textContent = parsed.error;
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        out.textContent = "";
        summary.textContent = "";
        copy.disabled = true;
        return;
      }
      error.hidden = true;
      error.textContent = "";
      input.removeAttribute("aria-invalid");
      copy.disabled = false;
      current = parsed.lengths;
      render(out, parsed.lengths);
      summary.textContent = describe(parsed.lengths);
      if (window.rnnRefScrollRegions) window.rnnRefScrollRegions(); // the new grids
    }
    var current = null;
    copy.addEventListener("click", function () {
      copied.textContent = "";
      if (current) copyText(python(current), function (m) { copied.textContent = m; });
    });

    input.addEventListener("input", update);
    form.addEventListener("submit", function (e) { e.preventDefault(); update(); });
    random.addEventListener("click", function () {
      input.value = randomLengths().join(", ");
      update();
    });

    root.appendChild(form);
    root.appendChild(error);
    root.appendChild(summary);
    root.appendChild(out);
    update();
  }

  function mountAll() {
    document.querySelectorAll(".packing-explorer").forEach(mount);
  }

  if (typeof module !== "undefined" && module.exports) {
    // node, for the tests
    module.exports = { pack: pack, parseLengths: parseLengths, python: python, colours: COLOURS };
    return;
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(mountAll);         // Material: also after instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
