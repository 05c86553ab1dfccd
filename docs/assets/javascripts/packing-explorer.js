// Packing explorer: what torch.nn.utils.rnn.pack_padded_sequence(..., enforce_sorted=False) builds
// from a list of lengths. Plain JavaScript, no dependencies; mounts on every
// <div class="packing-explorer"></div> of the page. The browser test
// (tests/site/test_browser.py) holds its output equal to torch's for random lengths.
(function () {
  "use strict";

  var MAX_SEQUENCES = 32;
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

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { pack: pack, parseLengths: parseLengths };   // node, for the tests
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
