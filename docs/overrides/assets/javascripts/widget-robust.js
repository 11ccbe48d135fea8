/* Robust regression: drag one day of the yogurt data; the lines y = a + b*s that mean
   squared error, mean absolute error and Huber (delta = 1) fit follow (float64). */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var S0 = 0, S1 = 2, Y0 = -1, Y1 = 6;           // plot box = slider ranges
  var W = 480, H = 360, L = 52, R = 10, T = 10, B = 42, PW = W - L - R, PH = H - T - B;
  var KEYS = ["mse", "mae", "huber"];
  var TEXT = {
    en: {
      note: "For the picture each loss fits a line with an intercept, y = a + b·s, in one input s = x₁ + x₂ (not the lesson's model: two weights, no bias). Drag a point or use the sliders; choosing another day puts the previous one back.",
      names: { mse: "Mean squared error", mae: "Mean absolute error", huber: "Huber (δ = 1)" },
      point: "Day dragged", px: "its s = x₁ + x₂", py: "its sales y",
      bad: " (recorded ×5)", head: ["Loss", "intercept a", "slope b"],
      xlab: "s = x₁ + x₂", ylab: "sales y", crosses: "the three days recorded ×5", mine: "the day you drag",
      plot: "The {n} days, sales y against s = x₁ + x₂, with the lines of the mean squared error, the mean absolute error and Huber; drag a day to move it",
      home: "Day {p} is where it was recorded. Drag it, or use the sliders.",
      moved: "Day {p} moved to s = {s}, y = {y}. At that s each line moved by: {m}.",
      capped: " The mean absolute error and Huber lines did not move: this day's pull no longer grows with its error (always 1 for MAE, capped at δ for Huber).",
      sep: ", ", colon: ": "
    },
    zh: {
      note: "为了画在平面上，这里只用一个输入 s = x₁ + x₂，拟合带截距的直线 y = a + b·s（本课的模型是两个权重、没有偏置）。拖动一个点，或者用滑块调节；换一天拖动时，上一天会回到原处。",
      names: { mse: "均方误差", mae: "平均绝对误差", huber: "Huber（δ = 1）" },
      point: "拖动的日子", px: "它的 s = x₁ + x₂", py: "它的销量 y",
      bad: "（记成了 5 倍）", head: ["损失", "截距 a", "斜率 b"],
      xlab: "s = x₁ + x₂", ylab: "销量 y", crosses: "记成 5 倍的三天", mine: "拖动的那一天",
      plot: "{n} 天的销量 y 与 s = x₁ + x₂ 的散点图，以及均方误差、平均绝对误差和 Huber 的三条拟合直线；可以拖动任意一天",
      home: "第 {p} 天还在原来记录的位置。拖动它，或者用下面的滑块。",
      moved: "第 {p} 天移到了 s = {s}，y = {y}。在这个 s 处，各条直线的预测值变化了：{m}。",
      capped: "平均绝对误差和 Huber 的直线纹丝不动：这个点的拉力大小不再随误差增大（平均绝对误差恒为 1，Huber 封顶为 δ）。",
      sep: "，", colon: "："
    }
  };

  function fmt(x) {
    if (isNaN(x)) return "nan";
    if (!isFinite(x)) return x > 0 ? "inf" : "−inf";
    return String(Number(x.toPrecision(4))).replace("-", "−");
  }
  function shift(x) {
    var t = Math.abs(x).toFixed(3);
    return Number(t) === 0 ? "0" : (x > 0 ? "+" : "−") + t;
  }

  function lsq(s, y) {                            // least squares, closed form
    var n = s.length, ms = 0, my = 0, sxx = 0, sxy = 0, i;
    for (i = 0; i < n; i++) { ms += s[i] / n; my += y[i] / n; }
    for (i = 0; i < n; i++) { sxx += (s[i] - ms) * (s[i] - ms); sxy += (s[i] - ms) * (y[i] - my); }
    return [my - sxy / sxx * ms, sxy / sxx];
  }

  // Least absolute deviations, as lossbook's exact_asymmetric_fit: the line through
  // points i < j (in order) first reaching the strictly smallest sum of |residuals|;
  // pairs whose 2x2 matrix has a singular value <= 1e-10 * ||X||_2 are skipped.
  function lad(s, y) {
    var n = s.length, i, j, k, s1 = 0, s2 = 0, best = Infinity, w = [NaN, NaN];
    for (i = 0; i < n; i++) { s1 += s[i]; s2 += s[i] * s[i]; }
    var scale = Math.sqrt((n + s2 + Math.sqrt((n - s2) * (n - s2) + 4 * s1 * s1)) / 2);
    for (i = 0; i < n; i++) {
      for (j = i + 1; j < n; j++) {
        var det = s[j] - s[i], fro = 2 + s[i] * s[i] + s[j] * s[j];
        var big = Math.sqrt((fro + Math.sqrt(Math.max(fro * fro - 4 * det * det, 0))) / 2);
        if (Math.abs(det) / big <= 1e-10 * scale) continue;
        var b = (y[j] - y[i]) / det, a = y[i] - s[i] * b, loss = 0;
        for (k = 0; k < n; k++) loss += Math.abs(y[k] - (a + s[k] * b));
        if (loss < best) { best = loss; w = [a, b]; }
      }
    }
    return w;
  }

  function hub(s, y, d, w) {                      // mean Huber loss, gradient, Hessian
    var n = s.length, f = 0, g = [0, 0], h = [0, 0, 0];
    for (var i = 0; i < n; i++) {
      var r = y[i] - w[0] - w[1] * s[i], q = Math.min(Math.abs(r), d);
      var p = Math.max(-d, Math.min(d, r));
      f += 0.5 * q * q + d * (Math.abs(r) - q);
      g[0] -= p / n; g[1] -= p * s[i] / n;
      if (Math.abs(r) <= d) { h[0] += 1 / n; h[1] += s[i] / n; h[2] += s[i] * s[i] / n; }
    }
    return { f: f / n, g: g, h: h };
  }
  // Damped Newton (as lossbook's newton_fit) from least squares, to a gradient <= 1e-12.
  function huber(s, y, d) {
    var w = lsq(s, y), P = hub(s, y, d, w), lam = 1e-8 * Math.max(1, P.h[0], P.h[2]);
    for (var it = 0; it < 500 && Math.max(Math.abs(P.g[0]), Math.abs(P.g[1])) > 1e-12; it++) {
      for (var Q = null; lam <= 1e30; lam = Math.max(lam * 10, 1e-12)) {
        var h0 = P.h[0] + lam, h2 = P.h[2] + lam, det = h0 * h2 - P.h[1] * P.h[1];
        var c = [w[0] - (h2 * P.g[0] - P.h[1] * P.g[1]) / det,
          w[1] - (h0 * P.g[1] - P.h[1] * P.g[0]) / det];
        Q = hub(s, y, d, c);
        if (Q.f <= P.f) break;
      }
      if (lam > 1e30) break;
      w = c; P = Q; lam /= 10;
    }
    return w;
  }
  function fits(s, y, d) { return { mse: lsq(s, y), mae: lad(s, y), huber: huber(s, y, d) }; }

  function el(tag, attrs, parent, text, svg) {
    var e = svg ? document.createElementNS(NS, tag) : document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function sv(tag, attrs, parent, text) { return el(tag, attrs, parent, text, true); }
  function X(s) { return L + (s - S0) / (S1 - S0) * PW; }
  function Y(y) { return T + (Y1 - y) / (Y1 - Y0) * PH; }

  function clip(w) {                              // y = a + b*s inside the plot box
    var lo = S0, hi = S1, a = w[0], b = w[1];
    if (!isFinite(a) || !isFinite(b)) return "";
    if (b !== 0) {
      var u = (Y0 - a) / b, v = (Y1 - a) / b;
      lo = Math.max(lo, Math.min(u, v)); hi = Math.min(hi, Math.max(u, v));
    } else if (a < Y0 || a > Y1) return "";
    return lo < hi ? "M" + X(lo) + "," + Y(a + b * lo) + "L" + X(hi) + "," + Y(a + b * hi) : "";
  }

  function build(root, data, lang) {
    var t = TEXT[lang], n = data.s.length, d = data.delta, i;
    var s0 = data.s.slice(), y0 = data.y.slice(), bad = {};
    data.bad.forEach(function (k) { bad[k] = true; });
    var base = fits(s0, y0, d), st = {};

    var box = el("div", { "class": "lb-robust" }, root);
    el("p", { "class": "lb-robust-note" }, box, t.note);
    var svg = sv("svg", { viewBox: "0 0 " + W + " " + H, "class": "lb-robust-svg", role: "img",
      "aria-label": t.plot.replace("{n}", n) }, box);
    var g = sv("g", {}, svg);
    function grid(x1, y1, x2, y2, tx, ty, anchor, label) {
      sv("line", { x1: x1, y1: y1, x2: x2, y2: y2, "class": "lb-robust-grid" }, g);
      sv("text", { x: tx, y: ty, "text-anchor": anchor }, g, label);
    }
    for (i = 0; i <= 4; i++) grid(X(i / 2), T, X(i / 2), H - B, X(i / 2), H - B + 21, "middle", fmt(i / 2));
    for (i = Y0; i <= Y1; i++) grid(L, Y(i), W - R, Y(i), L - 8, Y(i) + 6, "end", fmt(i));
    sv("rect", { x: L, y: T, width: PW, height: PH, "class": "lb-robust-frame" }, g);
    sv("text", { x: L + PW / 2, y: H - 4, "text-anchor": "middle" }, g, t.xlab);
    sv("text", { transform: "translate(20," + (T + PH / 2) + ") rotate(-90)", "text-anchor": "middle" }, g, t.ylab);

    var lines = {};
    KEYS.forEach(function (k) { lines[k] = sv("path", { "class": "lb-robust-line lb-robust-" + k }, g); });

    var ghost = sv("circle", { r: 6, "class": "lb-robust-ghost" }, svg);
    var tether = sv("line", { "class": "lb-robust-ghost" }, svg);
    var marks = [], hits = [];
    for (i = 0; i < n; i++) {
      marks.push(bad[i] ? sv("path", { "class": "lb-robust-bad" }, svg) : sv("circle", { r: 3.5, "class": "lb-robust-pt" }, svg));
    }
    var drag = sv("circle", { r: 8, "class": "lb-robust-drag" }, svg);
    for (i = 0; i < n; i++) hits.push(sv("circle", { r: 11, "class": "lb-robust-hit", "data-i": i }, svg));

    var keys = el("p", { "class": "lb-robust-keys" }, box);
    el("span", { "class": "lb-robust-badkey" }, keys, "×");
    el("span", {}, keys, " " + t.crosses + "  ");
    el("span", { "class": "lb-robust-minekey" }, keys, "●");
    el("span", {}, keys, " " + t.mine);

    var ctl = el("div", { "class": "lb-robust-controls" }, box), inputs = {}, shows = {};
    [["point", 0, n - 1, 1], ["px", S0, S1, 0.01], ["py", Y0, Y1, 0.01]].forEach(function (c) {
      var lab = el("label", { "class": "lb-robust-ctl" }, ctl);
      shows[c[0]] = el("span", { "class": "lb-robust-val" }, el("span", {}, lab, t[c[0]] + t.colon));
      inputs[c[0]] = el("input", { type: "range", min: c[1], max: c[2], step: c[3], "data-in": c[0] }, lab);
    });

    var table = el("table", { "class": "lb-robust-table" }, box), outs = {};
    var hr = el("tr", {}, el("thead", {}, table)), tb = el("tbody", {}, table);
    t.head.forEach(function (h) { el("th", {}, hr, h); });
    KEYS.forEach(function (k) {
      var tr = el("tr", {}, tb);
      var td = el("td", { "class": "lb-robust-" + k }, tr);
      sv("line", { x1: 1, x2: 27, y1: 5, y2: 5, "class": "lb-robust-line lb-robust-" + k },
        sv("svg", { viewBox: "0 0 28 10", "class": "lb-robust-swatch", "aria-hidden": "true" }, td));
      el("span", {}, td, t.names[k]);
      outs[k] = [0, 1].map(function (p) {
        return el("span", { "data-out": k + (p ? "_b" : "_a") }, el("td", {}, tr));
      });
    });
    var status = el("p", { "class": "lb-robust-status", "data-out": "status", "aria-live": "polite" }, box);

    function place(e, sx, sy) {
      if (e.tagName === "path") e.setAttribute("d", "M" + (X(sx) - 5) + "," + (Y(sy) - 5) + "l10,10m0,-10l-10,10");
      else { e.setAttribute("cx", X(sx)); e.setAttribute("cy", Y(sy)); }
    }
    function update() {
      var s = s0.slice(), y = y0.slice(), p = st.point, parts = [], still = true;
      s[p] = st.px; y[p] = st.py;
      var f = fits(s, y, d), home = st.px === s0[p] && st.py === y0[p];
      for (i = 0; i < n; i++) { place(marks[i], s[i], y[i]); place(hits[i], s[i], y[i]); }
      place(drag, st.px, st.py); place(ghost, s0[p], y0[p]);
      [["x1", X(s0[p])], ["y1", Y(y0[p])], ["x2", X(st.px)], ["y2", Y(st.py)]].forEach(function (a) {
        tether.setAttribute(a[0], a[1]);
      });
      ghost.style.display = tether.style.display = home ? "none" : "";
      shows.point.textContent = p + (bad[p] ? t.bad : "");
      shows.px.textContent = fmt(st.px);
      shows.py.textContent = fmt(st.py);
      KEYS.forEach(function (k) {
        lines[k].setAttribute("d", clip(f[k]));
        outs[k].forEach(function (o, j) {
          o.setAttribute("data-raw", String(f[k][j]));
          o.textContent = fmt(f[k][j]);
        });
        var dv = f[k][0] + f[k][1] * st.px - (base[k][0] + base[k][1] * st.px);
        parts.push(t.names[k] + " " + shift(dv));
        if (k === "mse" ? Math.abs(dv) <= 1e-6 : Math.abs(dv) > 1e-9) still = false;
      });
      status.textContent = home ? t.home.replace("{p}", p)
        : t.moved.replace("{p}", p).replace("{s}", fmt(st.px)).replace("{y}", fmt(st.py))
          .replace("{m}", parts.join(t.sep)) + (still ? t.capped : "");
    }
    function choose(k) {                          // a new day: every day back in place
      st = { point: k, px: s0[k], py: y0[k] };
      inputs.point.value = k;
      inputs.px.value = s0[k];
      inputs.py.value = y0[k];
      update();
    }
    function onInput(e) {
      var k = e.target.getAttribute("data-in"), v = parseFloat(e.target.value);
      if (k === "point") choose(Math.round(v));
      else if (isFinite(v)) {
        // The recorded values are off the sliders' grid: back within half a step of
        // where the day was recorded is back home.
        var home = (k === "px" ? s0 : y0)[st.point];
        st[k] = Math.abs(v - home) <= parseFloat(e.target.step) / 2 + 1e-12 ? home : v;
        update();
      }
    }
    Object.keys(inputs).forEach(function (k) {
      inputs[k].addEventListener("input", onInput);
    });

    var dragging = null;
    svg.addEventListener("pointerdown", function (e) {
      var k = e.target.getAttribute("data-i");
      if (k === null) return;
      // Hit circles overlap: take the day nearest the pointer, not the one drawn last.
      var m = svg.getScreenCTM();
      if (m) {
        var q = svg.createSVGPoint(), best = Infinity;
        q.x = e.clientX; q.y = e.clientY;
        q = q.matrixTransform(m.inverse());
        hits.forEach(function (h, j) {
          var dx = +h.getAttribute("cx") - q.x, dy = +h.getAttribute("cy") - q.y;
          if (dx * dx + dy * dy < best) { best = dx * dx + dy * dy; k = j; }
        });
      }
      e.preventDefault();
      if (+k !== st.point) choose(+k);
      dragging = e.pointerId;
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", function (e) {
      var m = svg.getScreenCTM();
      if (dragging !== e.pointerId || !m) return;
      var pt = svg.createSVGPoint();
      pt.x = e.clientX; pt.y = e.clientY;
      pt = pt.matrixTransform(m.inverse());
      st.px = Math.min(S1, Math.max(S0, S0 + (pt.x - L) / PW * (S1 - S0)));
      st.py = Math.min(Y1, Math.max(Y0, Y1 - (pt.y - T) / PH * (Y1 - Y0)));
      inputs.px.value = st.px;
      inputs.py.value = st.py;
      update();
    });
    function stop(e) { if (dragging === e.pointerId) dragging = null; }
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointercancel", stop);
    choose(data.point);
  }

  document.querySelectorAll('.lossbook-widget[data-widget="robust"]').forEach(function (root) {
    var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
    var lang = (document.documentElement.lang || "en").slice(0, 2) === "zh" ? "zh" : "en";
    build(root, data, lang);
    root.classList.add("lossbook-widget--ready");
  });
})();
