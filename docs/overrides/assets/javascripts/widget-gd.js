/* Gradient descent on the MSE of y = x @ w (yogurt data): contours, path, learning rate. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var SVGTAGS = /^(svg|g|defs|clipPath|rect|line|ellipse|circle|polyline|path|text)$/;
  var TOL = 1e-3; // "within 0.001 of w*": Euclidean distance
  var TEXT = {
    en: {
      aria: "MSE contours over w₁, w₂ and the gradient-descent path",
      lr: "Learning rate η (log scale)", steps: "Steps",
      note: "note: 0.002",
      w0: "final w₁", w1: "final w₂", loss: "its MSE",
      limit: "Limit 2/λ_max", diverges: "Diverges", yes: "yes", no: "no",
      keyPath: "path", keyStart: "start w_init", keyStar: "least squares w*",
      keyCont: "ellipses: equal MSE", steep: "steep", shallow: "shallow",
      conv: "Converges: per step w − w* is multiplied by {s} along the shallow direction, by {f} along the steep one.",
      osc: "Oscillates but converges: η > 1/λ_max = {h}, so along the steep direction w − w* flips sign every step (×{f}; shallow: ×{s}).",
      reach: " Within 0.001 of w* after {n} steps: the steps shown ({k}) {ok}.",
      enough: "get there", notEnough: "are not enough",
      div: "Diverges: η ≥ 2/λ_max = {l}, so along the steep direction w − w* grows {g}× per step.",
      left: " From step {k} on, the path is far outside the plot and is not drawn."
    },
    zh: {
      aria: "w₁、w₂ 平面上均方误差的等高线和梯度下降的路径",
      lr: "学习率 η（对数刻度）", steps: "步数",
      note: "原笔记：0.002",
      w0: "最终的 w₁", w1: "最终的 w₂", loss: "最终的均方误差",
      limit: "学习率上限 2/λ_max", diverges: "发散", yes: "是", no: "否",
      keyPath: "路径", keyStart: "起点 w_init", keyStar: "最小二乘解 w*",
      keyCont: "椭圆：等高线（均方误差相同）", steep: "陡峭", shallow: "平缓",
      conv: "收敛：每走一步，w − w* 沿平缓方向的分量变为原来的 {s} 倍，沿陡峭方向的分量变为 {f} 倍。",
      osc: "振荡但收敛：η 大于 1/λ_max = {h}，w − w* 沿陡峭方向的分量每步变号（乘以 {f}），沿平缓方向的分量乘以 {s}。",
      reach: "要走 {n} 步，与 w* 的距离才会小于 0.001；现在的 {k} 步{ok}。",
      enough: "够了", notEnough: "还不够",
      div: "发散：η ≥ 2/λ_max = {l}，w − w* 沿陡峭方向的分量每步变号，绝对值变为原来的 {g} 倍。",
      left: "从第 {k} 步起，路径远在图外，不再画出。"
    }
  };
  var uid = 0;

  function fmt(x, d) {
    if (x !== x) return "nan";
    if (Math.abs(x) === Infinity) return x > 0 ? "inf" : "−inf";
    var a = Math.abs(x), s;
    if (a && (a >= 1e5 || a < 1e-3)) s = x.toExponential((d || 4) - 1).replace(/\.?0+e/, "e").replace("e+", "e");
    else s = String(Number(x.toPrecision(d || 4)));
    return s.replace(/-/g, "−");
  }
  // A factor per step, with enough digits not to print 0.9996 as 1.
  function fac(r) { return fmt(r, Math.min(8, Math.max(3, 2 + Math.ceil(-Math.log10(Math.abs(1 - Math.abs(r))))))); }
  function fill(t, o) { return t.replace(/\{(\w+)\}/g, function (m, k) { return o[k]; }); }
  // An element; a.c is its class after "lb-gd-"; numbers are rounded to 0.01.
  function el(tag, a, parent, text) {
    var e = SVGTAGS.test(tag) ? document.createElementNS(SVGNS, tag) : document.createElement(tag);
    for (var k in a) {
      var v = a[k];
      e.setAttribute(k === "c" ? "class" : k, k === "c" ? "lb-gd-" + v : typeof v === "number" ? Math.round(v * 100) / 100 : v);
    }
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function out(e, v, text) { e.setAttribute("data-raw", String(v)); e.textContent = text; }
  function dot(u, v) { return u[0] * v[0] + u[1] * v[1]; }

  function build(root, data, lang) {
    var T = TEXT[lang], id = "lb-gd-" + (++uid);
    var X = data.x, Y = data.y, n = X.length, i, t, s;
    // A = X^T X and b = X^T y in float64; the gradient is (2/n)(A w - b).
    var a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0;
    for (i = 0; i < n; i++) {
      var p = X[i][0], q = X[i][1];
      a11 += p * p; a12 += p * q; a22 += q * q; b1 += p * Y[i]; b2 += q * Y[i];
    }
    // Eigen-decomposition of H = (2/n) A (symmetric 2x2).
    var h11 = 2 / n * a11, h12 = 2 / n * a12, h22 = 2 / n * a22;
    var lmax = (h11 + h22) / 2 + Math.hypot((h11 - h22) / 2, h12), lmin = (h11 * h22 - h12 * h12) / lmax;
    var vx = h12, vy = lmax - h11, vn = Math.hypot(vx, vy);
    var vmax = vn ? [vx / vn, vy / vn] : [1, 0], vmin = [-vmax[1], vmax[0]];
    var det = a11 * a22 - a12 * a12, ws = [(a22 * b1 - a12 * b2) / det, (a11 * b2 - a12 * b1) / det];
    var limit = 2 / lmax, w0 = data.w_init;
    var e0 = [w0[0] - ws[0], w0[1] - ws[1]], c0 = dot(vmax, e0), c1 = dot(vmin, e0);
    // w* + a along the steep and b along the shallow direction
    function at(a, b) { return [ws[0] + a * vmax[0] + b * vmin[0], ws[1] + a * vmax[1] + b * vmin[1]]; }

    // The view (equal scales): the start, w* and where the first step lands at the limit
    // (the steep error mirrored, the shallow one shrunk).
    var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
    [w0, ws, at(-c0, c1 * (1 - limit * lmin))].forEach(function (w) {
      for (var j = 0; j < 2; j++) { lo[j] = Math.min(lo[j], w[j]); hi[j] = Math.max(hi[j], w[j]); }
    });
    var span = Math.max(hi[0] - lo[0], hi[1] - lo[1]) * 1.35;
    var x0 = (lo[0] + hi[0] - span) / 2, y0 = (lo[1] + hi[1] - span) / 2;
    var W = 480, ML = 46, MT = 10, P = W - ML - 10, H = P + MT + 42, k = P / span;
    function sx(v) { return ML + (v - x0) * k; }
    function sy(v) { return MT + P - (v - y0) * k; }
    function room(w) { return Math.min(w[0] - x0, x0 + span - w[0], w[1] - y0, y0 + span - w[1]); }

    var box = el("div", { c: "box" }, root);
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, c: "plot", role: "img", "aria-label": T.aria }, box);
    var frame = { x: ML, y: MT, width: P, height: P };
    el("rect", frame, el("clipPath", { id: id }, el("defs", {}, svg)));
    var plot = el("g", { "clip-path": "url(#" + id + ")" }, svg);
    // Contours: MSE = L* + h where (1/2) e^T H e = h, e = w - w*: ellipses with
    // semi-axes sqrt(2h/lambda) along the eigenvectors; h shrinks by 0.4 per level.
    var hmax = 0, Sx = sx(ws[0]), Sy = sy(ws[1]);
    [[0, 0], [1, 0], [0, 1], [1, 1]].forEach(function (f) {
      var e = [x0 + f[0] * span - ws[0], y0 + f[1] * span - ws[1]], a = dot(vmax, e), b = dot(vmin, e);
      hmax = Math.max(hmax, (lmax * a * a + lmin * b * b) / 2);
    });
    var rot = "rotate(" + [-Math.atan2(vmax[1], vmax[0]) * 180 / Math.PI, Sx, Sy].map(function (v) { return v.toFixed(2); }).join(" ") + ")";
    for (var h = hmax, lev = 0; lev < 9; lev++, h *= 0.4) {
      el("ellipse", { c: "cont", cx: Sx, cy: Sy, rx: Math.sqrt(2 * h / lmax) * k, ry: Math.sqrt(2 * h / lmin) * k, transform: rot }, plot);
    }
    // The two eigen-directions through w*, each labelled where there is room.
    [[span, 0, T.steep], [0, span, T.shallow]].forEach(function (d) {
      var a = at(-d[0], -d[1]), b = at(d[0], d[1]), l = ws;
      el("line", { c: "axis", x1: sx(a[0]), y1: sy(a[1]), x2: sx(b[0]), y2: sy(b[1]) }, plot);
      for (t = 0.25; t > 0.05 && l === ws; t -= 0.05) {
        for (s = -t; s <= t; s += 2 * t) if (l === ws && room(at(s * d[0], s * d[1])) > 0.08 * span) l = at(s * d[0], s * d[1]);
      }
      el("text", { c: "axlab", x: sx(l[0]) + 6, y: sy(l[1]) + 5 }, plot, d[2]);
    });
    var line = el("polyline", { c: "path" }, plot), dots = el("g", { c: "dots" }, plot);
    el("circle", { c: "start", cx: sx(w0[0]), cy: sy(w0[1]), r: 6 }, plot);
    el("path", { c: "star", d: "M" + (Sx - 6).toFixed(2) + " " + (Sy - 6).toFixed(2) + "l12 12m0-12l-12 12" }, plot);
    frame.c = "frame";
    el("rect", frame, svg);
    var tk = span > 4 ? 1 : 0.5;
    for (t = Math.ceil(x0 / tk) * tk; t <= x0 + span; t += tk) el("text", { c: "tick", x: sx(t), y: MT + P + 19 }, svg, fmt(t));
    for (t = Math.ceil(y0 / tk) * tk; t <= y0 + span; t += tk) el("text", { c: "tick lb-gd-ty", x: ML - 5, y: sy(t) + 5 }, svg, fmt(t));
    el("text", { c: "lab", x: ML + P / 2, y: H - 3 }, svg, "w₁");
    el("text", { c: "lab", x: 14, y: MT + P / 2 }, svg, "w₂");

    var key = el("p", { c: "key" }, box);
    ["—●— " + T.keyPath, "○ " + T.keyStart, "× " + T.keyStar, T.keyCont].forEach(function (v, j) {
      el("span", j ? {} : { c: "k-path" }, key, v);
    });

    function control(key, label, a) {
      var d = el("div", { c: "ctl" }, box), lab = el("label", { "for": id + key }, d, label + " ");
      a.type = "range"; a.id = id + key; a["data-in"] = key;
      // One live region (the status); the slider reads its value out (aria-valuetext).
      return [el("output", { "for": id + key, "aria-live": "off" }, lab), lab, el("input", a, d), d];
    }
    // Learning rate: the slider holds log10(lr), on a grid of 0.01 from -3 to about
    // log10(1.25 * limit).
    var top = (-3 + Math.floor((Math.log10(1.25 * limit) + 3) / 0.01 + 1e-9) * 0.01).toFixed(2);
    function pct(v) { return (Math.log10(v) + 3) / (Number(top) + 3) * 100 + "%"; }
    var cl = control("lr", T.lr, { min: "-3.00", max: top, step: "0.01", value: (Math.round(Math.log10(data.lr) * 100) / 100).toFixed(2) });
    var lrOut = cl[0], lrIn = cl[2], ratio = el("span", { c: "ratio" }, cl[1]);
    lrOut.setAttribute("data-out", "lr");
    var scale = el("div", { c: "scale", "aria-hidden": "true" }, cl[3]);
    [[0.001, limit / 2, "conv"], [limit / 2, limit, "osc"], [limit, 1e9, "div"]].forEach(function (z) {
      el("span", { c: "z lb-gd-z-" + z[2], style: "left:" + pct(z[0]) + ";right:calc(100% - " + pct(Math.min(z[1], Math.pow(10, top))) + ")" }, scale);
    });
    el("span", { c: "mark", style: "left:" + pct(limit) }, scale, "2/λ_max = " + fmt(limit) + " ↑");
    el("span", { c: "mark lb-gd-mark-l", style: "left:" + pct(0.002) }, scale, "↑ " + T.note);
    var cs = control("steps", T.steps, { min: "1", max: "200", step: "1", value: String(data.steps) });
    var stOut = cs[0], stIn = cs[2];

    var dl = el("dl", { c: "out" }, box), outs = {};
    ["w0", "w1", "loss", "limit", "diverges"].forEach(function (key) {
      var d = el("div", {}, dl);
      el("dt", {}, d, T[key]);
      outs[key] = el("dd", { "data-out": key }, d);
    });
    var status = el("p", { c: "status", "data-out": "status", "aria-live": "polite" }, box);

    function update() {
      var lr = Math.pow(10, Number(lrIn.value)), steps = Math.round(Number(stIn.value));
      out(lrOut, lr, "= " + fmt(lr));
      lrIn.setAttribute("aria-valuetext", "η = " + fmt(lr));
      ratio.textContent = " (" + fmt(lr / limit, 3) + " × 2/λ_max)";
      stOut.textContent = String(steps);
      var state = lr >= limit ? "div" : lr > 1 / lmax ? "osc" : "conv";
      box.setAttribute("data-state", state);
      // w <- w - lr (2/n) X^T (X w - y). The drawing stops at the first point outside a
      // generous box (the view enlarged 3 times), far beyond the visible plot.
      var w = w0.slice(), pts = [w], left = 0;
      for (s = 1; s <= steps; s++) {
        w = [w[0] - lr * 2 / n * (a11 * w[0] + a12 * w[1] - b1), w[1] - lr * 2 / n * (a12 * w[0] + a22 * w[1] - b2)];
        if (!left && Math.max(Math.abs(w[0] - x0 - span / 2), Math.abs(w[1] - y0 - span / 2)) <= 1.5 * span) pts.push(w);
        else left = left || s;
      }
      line.setAttribute("points", pts.map(function (p) { return sx(p[0]).toFixed(2) + "," + sy(p[1]).toFixed(2); }).join(" "));
      dots.textContent = "";
      pts.forEach(function (p, j) {
        el("circle", { cx: sx(p[0]), cy: sy(p[1]), r: j === pts.length - 1 && !left ? 4.5 : 2.5 }, dots);
      });
      var L = 0;
      for (i = 0; i < n; i++) { var r = X[i][0] * w[0] + X[i][1] * w[1] - Y[i]; L += r * r; }
      L /= n;
      out(outs.w0, w[0], fmt(w[0], 6));
      out(outs.w1, w[1], fmt(w[1], 6));
      out(outs.loss, L, fmt(L, 5));
      out(outs.limit, limit, fmt(limit, 5));
      out(outs.diverges, state === "div", state === "div" ? T.yes : T.no);
      var rf = 1 - lr * lmax, rs = 1 - lr * lmin, msg;
      if (state === "div") {
        msg = fill(T.div, { l: fmt(limit), g: fmt(-rf, 3) }) + (left ? fill(T.left, { k: left }) : "");
      } else {
        // Steps until |w - w*| <= 0.001, from the exact error (I - lr H)^m (w_init - w*).
        var far = function (m) { return c0 * c0 * Math.pow(rf, 2 * m) + c1 * c1 * Math.pow(rs, 2 * m) > TOL * TOL; };
        var a = 0, b = far(0) ? 1 : 0;
        if (b) {
          while (far(b) && b < 1e9) { a = b; b *= 2; }
          while (b - a > 1) { var m = Math.floor((a + b) / 2); if (far(m)) a = m; else b = m; }
        }
        msg = fill(T[state], { s: fac(rs), f: fac(rf), h: fmt(1 / lmax) }) +
          fill(T.reach, { n: b, k: steps, ok: steps >= b ? T.enough : T.notEnough });
      }
      status.textContent = msg;
    }
    [lrIn, stIn].forEach(function (e) { e.addEventListener("input", update); });
    update();
  }

  document.querySelectorAll('.lossbook-widget[data-widget="gd"]').forEach(function (root) {
    var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
    var lang = (document.documentElement.lang || "en").slice(0, 2) === "zh" ? "zh" : "en";
    build(root, data, lang);
    root.classList.add("lossbook-widget--ready");
  });
})();
