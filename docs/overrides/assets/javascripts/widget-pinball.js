// Explorable figure of the custom-loss lesson: PROFIT and COST -> tau, the exact minimiser
// of the summed profit/cost loss on the yogurt data (without or with a bias column), its
// predictions against the sales, and the days it runs short, hits exactly and over-makes.
// The same vertex search as lossbook.train.exact_asymmetric_fit, in float64; the page's
// data and the Python results at PROFIT=99, COST=1 come from the build's run
// (snippets/custom_loss_quantile.py). tests/test_widgets.py compares it with lossbook.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var TOL = 1e-9; // |residual| <= TOL counts as exact (count_residuals(..., tol=1e-9))
  var TEXT = {
    zh: {
      profit: "PROFIT（少做一盒少赚的利润）",
      cost: "COST（多做一盒亏掉的成本）",
      bias: "带偏置（给 x 加一列 1）",
      weights: "精确最优解",
      counts: "天数",
      short: "少做",
      exact: "刚好",
      over: "多做",
      loss: "总损失",
      xAxis: "真实销量",
      yAxis: "预测值",
      holds: "不等式成立：N_short = {s} ≤ n(1−τ) = {l} ≤ N_short + N_exact = {se}",
      fails: "不等式 N_short ≤ n(1−τ) ≤ N_short + N_exact 不成立：N_short = {s}，n(1−τ) = {l}，N_short + N_exact = {se}（没有偏置时，不能保证这个不等式成立）",
      note: "虚线上方的点是多做的日子，下方是少做的日子；空心圆是刚好做够的日子（落在虚线上），拟合结果恰好穿过这几个样本。"
    },
    en: {
      profit: "PROFIT (lost on each cup too few)",
      cost: "COST (lost on each cup too many)",
      bias: "with a bias (a column of ones in x)",
      weights: "exact minimiser",
      counts: "days",
      short: "short",
      exact: "exact",
      over: "over",
      loss: "summed loss",
      xAxis: "sales",
      yAxis: "prediction",
      holds: "the inequality holds: N_short = {s} ≤ n(1−τ) = {l} ≤ N_short + N_exact = {se}",
      fails: "N_short ≤ n(1−τ) ≤ N_short + N_exact fails: N_short = {s}, n(1−τ) = {l}, N_short + N_exact = {se} (without a bias nothing guarantees it)",
      note: "Points above the dashed line are days with cups left over; below it, days that ran short; hollow circles are days hit exactly, which the fit passes through."
    }
  };

  function el(tag, attrs, parent, ns) {
    var node = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  // Solves a (k x k) w = b by Gaussian elimination with partial pivoting; null if singular
  // on the scale of the data.
  function solve(a, b, scale) {
    var k = b.length, m = a.map(function (row, i) { return row.concat([b[i]]); });
    for (var c = 0; c < k; c++) {
      var p = c;
      for (var r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
      if (Math.abs(m[p][c]) <= 1e-10 * scale) return null;
      var t = m[c]; m[c] = m[p]; m[p] = t;
      for (r = c + 1; r < k; r++) {
        var f = m[r][c] / m[c][c];
        for (var j = c; j <= k; j++) m[r][j] -= f * m[c][j];
      }
    }
    var w = new Array(k);
    for (var i = k - 1; i >= 0; i--) {
      var s = m[i][k];
      for (j = i + 1; j < k; j++) s -= m[i][j] * w[j];
      w[i] = s / m[i][i];
    }
    return w;
  }

  function predict(x, w) {
    return x.map(function (row) {
      var s = 0;
      for (var j = 0; j < w.length; j++) s += row[j] * w[j];
      return s;
    });
  }

  function lossOf(y, pred, profit, cost) {
    var total = 0;
    for (var i = 0; i < y.length; i++) {
      var r = y[i] - pred[i];
      total += r > 0 ? profit * r : -cost * r;
    }
    return total;
  }

  // Every k-subset of the rows, in lexicographic order (as itertools.combinations): the
  // plane through them, its loss; the first with the smallest loss wins.
  function exactFit(x, y, profit, cost) {
    var n = x.length, k = x[0].length, scale = 0, best = null, bestLoss = Infinity;
    x.forEach(function (row) { row.forEach(function (v) { scale = Math.max(scale, Math.abs(v)); }); });
    var idx = [];
    for (var i = 0; i < k; i++) idx.push(i);
    while (true) {
      var w = solve(idx.map(function (r) { return x[r].slice(); }),
                    idx.map(function (r) { return y[r]; }), scale);
      if (w) {
        var loss = lossOf(y, predict(x, w), profit, cost);
        if (loss < bestLoss) { bestLoss = loss; best = w; }
      }
      var pos = k - 1;
      while (pos >= 0 && idx[pos] === n - k + pos) pos--;
      if (pos < 0) break;
      idx[pos]++;
      for (var q = pos + 1; q < k; q++) idx[q] = idx[q - 1] + 1;
    }
    return { w: best, loss: bestLoss };
  }

  function fmt(v, digits) {
    if (!isFinite(v)) return isNaN(v) ? "nan" : (v > 0 ? "inf" : "−inf");
    return v.toFixed(digits).replace("-", "−");
  }

  function build(root, data, lang) {
    var t = TEXT[lang];
    var n = data.y.length;
    var box = el("div", { "class": "lb-pinball" }, root);
    var controls = el("div", { "class": "lb-pinball-controls" }, box);
    function slider(key, label, value) {
      var wrap = el("div", { "class": "lb-pinball-control" }, controls);
      var id = "lb-pinball-" + key;
      var lab = el("label", { "for": id }, wrap);
      lab.textContent = label + " ";
      // The value is read out by the slider itself; the status below is the one live
      // region (an <output> would be another).
      var shown = el("output", { "for": id, "aria-live": "off" }, lab);
      var input = el("input", { type: "range", id: id, min: "1", max: "99", step: "1",
                                value: String(value), "data-in": key }, wrap);
      return { input: input, shown: shown };
    }
    var profit = slider("profit", t.profit, data.profit);
    var cost = slider("cost", t.cost, data.cost);
    var biasWrap = el("div", { "class": "lb-pinball-control" }, controls);
    var bias = el("input", { type: "checkbox", id: "lb-pinball-bias", "data-in": "bias" }, biasWrap);
    el("label", { "for": "lb-pinball-bias" }, biasWrap).textContent = " " + t.bias;

    var facts = el("p", { "class": "lb-pinball-facts" }, box);
    function out(parent, key, before) {
      if (before) parent.appendChild(document.createTextNode(before));
      return el("span", { "data-out": key }, parent);
    }
    var tau = out(facts, "tau", "τ = PROFIT / (PROFIT + COST) = ");
    var limit = out(facts, "limit", (lang === "zh" ? "；" : "; ") + "n(1−τ) = ");
    var wline = el("p", { "class": "lb-pinball-facts" }, box);
    wline.appendChild(document.createTextNode(t.weights + " w = ["));
    var w0 = out(wline, "w0"), w1 = out(wline, "w1", ", ");
    var w2wrap = el("span", {}, wline);
    var w2 = out(w2wrap, "w2", ", ");
    wline.appendChild(document.createTextNode("]"));
    var cline = el("p", { "class": "lb-pinball-facts" }, box);
    function key(kind, sep) {
      if (sep) cline.appendChild(document.createTextNode(sep));
      el("span", { "class": "lb-pinball-key lb-pinball-key-" + kind, "aria-hidden": "true" }, cline);
      return out(cline, kind, t[kind] + " ");
    }
    var short = key("short"), exact = key("exact", " · "), over = key("over", " · ");
    var loss = out(cline, "loss", " · " + t.loss + " ");

    var W = 480, H = 300, L = 52, R = 12, T = 12, B = 40;
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img",
                          "aria-label": t.note, "class": "lb-pinball-plot" }, box, true);
    var status = el("p", { "data-out": "status", "aria-live": "polite",
                           "class": "lb-pinball-status" }, box);
    el("p", { "class": "lb-pinball-note" }, box).textContent = t.note;

    function set(node, value, digits) {
      node.setAttribute("data-raw", String(value));
      node.textContent = typeof value === "number" && digits !== undefined ? fmt(value, digits) : String(value);
    }

    function draw(pred, kinds) {
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      var lo = Math.min.apply(null, data.y.concat(pred)), hi = Math.max.apply(null, data.y.concat(pred));
      var pad = 0.05 * (hi - lo);
      lo -= pad; hi += pad;
      function sx(v) { return L + (v - lo) / (hi - lo) * (W - L - R); }
      function sy(v) { return H - B - (v - lo) / (hi - lo) * (H - T - B); }
      el("rect", { x: L, y: T, width: W - L - R, height: H - T - B, "class": "lb-pinball-frame" }, svg, true);
      el("line", { x1: sx(lo), y1: sy(lo), x2: sx(hi), y2: sy(hi), "class": "lb-pinball-diagonal" }, svg, true);
      var ticks = [];
      var step = (hi - lo) > 1.2 ? 0.5 : 0.2;
      for (var v = Math.ceil(lo / step) * step; v <= hi; v += step) ticks.push(v);
      ticks.forEach(function (v) {
        el("text", { x: sx(v), y: H - B + 16, "class": "lb-pinball-tick", "text-anchor": "middle" }, svg, true).textContent = v.toFixed(1);
        el("text", { x: L - 6, y: sy(v) + 4, "class": "lb-pinball-tick", "text-anchor": "end" }, svg, true).textContent = v.toFixed(1);
      });
      el("text", { x: (L + W - R) / 2, y: H - 4, "class": "lb-pinball-axis", "text-anchor": "middle" }, svg, true).textContent = t.xAxis;
      el("text", { x: 14, y: (T + H - B) / 2, "class": "lb-pinball-axis", "text-anchor": "middle",
                   transform: "rotate(-90 14 " + (T + H - B) / 2 + ")" }, svg, true).textContent = t.yAxis;
      for (var i = 0; i < n; i++) {
        el("circle", { cx: sx(data.y[i]), cy: sy(pred[i]), r: kinds[i] === "exact" ? 6 : 4,
                       "class": "lb-pinball-" + kinds[i] }, svg, true);
      }
    }

    function update() {
      var p = Number(profit.input.value), c = Number(cost.input.value), withBias = bias.checked;
      profit.shown.textContent = "= " + p;
      cost.shown.textContent = "= " + c;
      var x = data.x.map(function (row) { return withBias ? row.concat([1]) : row.slice(); });
      var fit = exactFit(x, data.y, p, c);
      var pred = predict(x, fit.w);
      var counts = { short: 0, exact: 0, over: 0 }, kinds = [];
      for (var i = 0; i < n; i++) {
        var r = data.y[i] - pred[i];
        var kind = r > TOL ? "short" : (r < -TOL ? "over" : "exact");
        counts[kind]++;
        kinds.push(kind);
      }
      var tauValue = p / (p + c), lim = n * c / (p + c);
      set(tau, tauValue, 3);
      set(limit, lim, 2);
      set(w0, fit.w[0], 4);
      set(w1, fit.w[1], 4);
      w2wrap.hidden = !withBias;
      if (withBias) set(w2, fit.w[2], 4); else { w2.removeAttribute("data-raw"); w2.textContent = ""; }
      set(short, counts.short);
      set(exact, counts.exact);
      set(over, counts.over);
      set(loss, fit.loss, 4);
      var holds = counts.short <= lim + 1e-12 && lim <= counts.short + counts.exact + 1e-12;
      status.setAttribute("data-raw", String(holds));
      status.textContent = (holds ? t.holds : t.fails).replace("{s}", counts.short)
        .replace("{l}", lim.toFixed(2)).replace("{se}", counts.short + counts.exact);
      draw(pred, kinds);
    }
    [profit.input, cost.input, bias].forEach(function (input) {
      input.addEventListener("input", update);  // ranges, the checkbox: once a change
    });
    update();
  }

  document.querySelectorAll('.lossbook-widget[data-widget="pinball"]').forEach(function (root) {
    var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
    var lang = (document.documentElement.lang || "en").slice(0, 2) === "zh" ? "zh" : "en";
    build(root, data, lang);
    root.classList.add("lossbook-widget--ready");
  });
})();
