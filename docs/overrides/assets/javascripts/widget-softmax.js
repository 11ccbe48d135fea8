/* Softmax with cross-entropy: stable (log-sum-exp) against naive exp/sum, in float32
   as TensorFlow computes it (Math.fround after every operation; results below the
   smallest normal float32 are flushed to 0, as TensorFlow's CPU kernels do). */
(function () {
  "use strict";
  var TINY = 1.1754943508222875e-38; // smallest normal float32
  var SUB = ["\u2080", "\u2081", "\u2082"];
  var TEXT = {
    en: {
      z: function (i) { return "z" + SUB[i] + " (logit of class " + i + ")"; },
      label: "true class", naive: "naive formula: exp(z) / \u03a3 exp(z), then \u2212log p",
      cls: function (i) { return "class " + i; },
      p: "probability p", g: "gradient p \u2212 y", loss: "loss", logScale: "loss (on a log(1 + loss) scale)",
      answer: "dashed box: the answer, y = 1 for the true class",
      svg: "Bars of the probabilities, the gradient and the loss, as in the table below.",
      stable: function (m) { return "Stable formula: it subtracts the largest logit first (m = " + m + "), so every exp(z \u2212 m) \u2264 1: finite."; },
      rescue: function (w) { return " The naive formula would give " + w + " here."; },
      over: "exp(z) overflowed float32 (largest \u2248 3.4e38): inf/inf = nan.",
      overInf: " The true class gets finite/inf = 0: loss = \u2212log 0 = inf.",
      sumOver: "Each exp(z) fits in float32, but their sum overflowed (largest \u2248 3.4e38): every p = x/inf = 0, loss = inf.",
      allUnder: "Every exp(z) underflowed to 0 in float32 (smallest normal \u2248 1.2e\u221238): 0/0 = nan.",
      under: "p of the true class underflowed to 0 in float32: loss = \u2212log 0 = inf.",
      ok: "Naive formula: no overflow or underflow for these logits, so it agrees with the stable one up to rounding."
    },
    zh: {
      z: function (i) { return "z" + SUB[i] + "（类别 " + i + " 的 logit）"; },
      label: "正确类别", naive: "朴素公式：先算 exp(z) / \u03a3 exp(z)，再算 \u2212log p",
      cls: function (i) { return "类别 " + i; },
      p: "概率 p", g: "梯度 p \u2212 y", loss: "损失", logScale: "损失（按 log(1 + 损失) 的刻度）",
      answer: "虚线框标出正确类别（答案 y 在这一类为 1，其余为 0）",
      svg: "概率、梯度和损失的柱状图，数值见下表。",
      stable: function (m) { return "稳定公式：先减去最大的 logit（m = " + m + "），每个 exp(z \u2212 m) 都 \u2264 1，不会上溢，结果是有限值。"; },
      rescue: function (w) { return "朴素公式在这里会得到 " + w + "。"; },
      over: "有一类的 exp(z) 超出 float32 的最大值（约 3.4e38），上溢成 inf：它的概率是 inf/inf = nan。",
      overInf: "正确类别的概率是有限数除以 inf，等于 0：损失 = \u2212log 0 = inf。",
      sumOver: "每个 exp(z) 都没有上溢，但它们的和上溢了（float32 最大约 3.4e38）：每个 p 都是有限数/inf = 0，损失为 inf。",
      allUnder: "每个 exp(z) 都下溢为 0（float32 最小的正规数约 1.2e\u221238）：0/0 = nan。",
      under: "正确类别的概率小于 float32 最小的正规数（约 1.2e\u221238），被当作 0：损失 = \u2212log 0 = inf。",
      ok: "朴素公式：这组 logits 既不上溢也不下溢，结果与稳定公式一致（只差舍入误差）。"
    }
  };

  function f(x) { // float32 rounding with flush-to-zero
    var y = Math.fround(x);
    return (y !== 0 && Math.abs(y) < TINY) ? 0 * y : y;
  }

  function stable(z, k) {
    var a = 0, j;
    for (j = 1; j < 3; j++) if (z[j] > z[a]) a = j;
    var m = z[a], e = [], s = 0, total = 0;
    for (j = 0; j < 3; j++) e.push(f(Math.exp(f(z[j] - m))));
    for (j = 0; j < 3; j++) { total = f(total + e[j]); if (j !== a) s = f(s + e[j]); }
    var inv = f(1 / f(1 + s)), p = [], g = [];
    for (j = 0; j < 3; j++) {
      p.push(f(e[j] / total));
      g.push(f(f(e[j] * inv) - (j === k ? 1 : 0)));
    }
    return { p: p, g: g, loss: f(f(Math.log1p(s)) - f(z[k] - m)), m: m };
  }

  function naive(z, k) {
    var e = [], sum = 0, p = [], g = [], j;
    for (j = 0; j < 3; j++) { e.push(f(Math.exp(z[j]))); sum = f(sum + e[j]); }
    for (j = 0; j < 3; j++) {
      p.push(f(e[j] / sum));
      g.push(f(p[j] - (j === k ? 1 : 0)));
    }
    return { p: p, g: g, loss: f(-f(Math.log(p[k]))), e: e, sum: sum };
  }

  function fmt(x, digits) {
    if (x !== x) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "\u2212inf";
    if (x === 0) return "0";
    var a = Math.abs(x), s;
    if (a < 1e-3 || a >= 1e5) {
      s = a.toExponential(digits - 1).replace("e+", "e").replace(/\.?0+e/, "e").replace("e-", "e\u2212");
    }
    else s = String(Number(a.toPrecision(digits)));
    return (x < 0 ? "\u2212" : "") + s;
  }

  var count = 0;
  function build(root, data, lang) {
    var T = TEXT[lang], id = "lb-softmax-" + (++count), i;
    function el(tag, cls, text, parent, attrs) {
      var n = document.createElement(tag);
      if (cls) n.className = cls;
      if (text != null) n.textContent = text;
      for (var key in attrs || {}) n.setAttribute(key, attrs[key]);
      if (parent) parent.appendChild(n);
      return n;
    }
    var box = el("div", "lb-softmax"), controls = el("div", "lb-softmax-controls", null, box);
    var zIn = [], zShow = [], radios = [], row;
    for (i = 0; i < 3; i++) {
      row = el("div", "lb-softmax-row", null, controls);
      el("label", null, T.z(i), row, { "for": id + "-z" + i });
      zIn.push(el("input", null, null, row, { type: "range", id: id + "-z" + i, min: data.min, max: data.max,
        step: data.step, value: String(data.logits[i]), "data-in": "z" + i }));
      zShow.push(el("span", "lb-softmax-val", null, row));
    }
    row = el("fieldset", "lb-softmax-radios", null, controls);
    el("legend", null, T.label, row);
    for (i = 0; i < 3; i++) {
      var span = el("span", "lb-softmax-radio", null, row);
      radios.push(el("input", null, null, span, { type: "radio", name: id + "-label", value: String(i),
        id: id + "-label" + i, "data-in": "label" }));
      radios[i].checked = i === data.label;
      el("label", null, " " + i, span, { "for": id + "-label" + i });
    }
    row = el("div", "lb-softmax-check", null, controls);
    var cb = el("input", null, null, row, { type: "checkbox", id: id + "-naive", "data-in": "naive" });
    el("label", null, T.naive, row, { "for": id + "-naive" });

    var fig = el("div", "lb-softmax-fig", null, box, { role: "img", "aria-label": T.svg });
    el("p", "lb-softmax-key", T.answer, box);  // in HTML, so it wraps at a phone's width
    var status = el("p", "lb-softmax-status", null, box, { "data-out": "status", "aria-live": "polite" });
    var table = el("table", "lb-softmax-table", null, el("div", "lb-softmax-tablewrap", null, box)), outs = {};
    row = el("tr", null, null, table);
    el("th", null, null, row);
    for (i = 0; i < 3; i++) el("th", null, T.cls(i), row);
    [["p", T.p], ["g", T.g], ["loss", T.loss]].forEach(function (rw) {
      var tr = el("tr", null, null, table);
      el("th", null, rw[1], tr);
      for (var j = 0; j < (rw[0] === "loss" ? 1 : 3); j++) {
        var key = rw[0] === "loss" ? "loss" : rw[0] + j, td = el("td", null, null, tr);
        if (key === "loss") td.colSpan = 3;
        outs[key] = el("span", null, null, td, { "data-out": key });
      }
    });
    root.appendChild(box);

    function out(key, x) {
      outs[key].setAttribute("data-raw", String(x));
      outs[key].textContent = fmt(x, 4);
      outs[key].classList.toggle("lb-softmax-bad", !isFinite(x));
    }

    function svg(r, k) {
      var pat = id + "-hatch", s = [];
      var W = 360, top = 34, bot = 164, H = bot - top, mid = (top + bot) / 2;
      function t(x, y, str, cls, anchor) {
        s.push('<text x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" text-anchor="' + (anchor || "middle") +
          '" class="' + (cls || "") + '">' + str + "</text>");
      }
      function rect(x, y, w, h, cls, extra) {
        s.push('<rect x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + Math.max(0, w).toFixed(1) +
          '" height="' + Math.max(0, h).toFixed(1) + '" class="' + cls + '"' + (extra || "") + "/>");
      }
      function bad(x, y, w, h, v) {
        rect(x, y, w, h, "lb-softmax-badbar", ' fill="url(#' + pat + ')"');
        var tw = 8 * fmt(v, 2).length + 6;
        rect(x + w / 2 - tw / 2, y + h / 2 - 9, tw, 16, "lb-softmax-badbg");
        t(x + w / 2, y + h / 2 + 4, fmt(v, 2), "lb-softmax-badtext");
      }
      s.push('<svg viewBox="0 0 ' + W + ' 282">');
      s.push('<defs><pattern id="' + pat + '" patternUnits="userSpaceOnUse" width="6" height="6" ' +
        'patternTransform="rotate(45)"><line x1="1" y1="0" x2="1" y2="6" class="lb-softmax-hatchline"/></pattern></defs>');
      [[0, T.p], [184, T.g]].forEach(function (pn) { t(pn[0] + 4, 14, pn[1], "lb-softmax-title", "start"); });
      // probabilities: 0..1
      s.push('<line x1="4" x2="176" y1="' + bot + '" y2="' + bot + '" class="lb-softmax-axis"/>');
      // gradient: -1..1 around a zero line
      s.push('<line x1="188" x2="356" y1="' + mid + '" y2="' + mid + '" class="lb-softmax-axis"/>');
      for (var j = 0; j < 3; j++) {
        var px = 10 + j * 56, gx = 194 + j * 56, bw = 44, v = r.p[j], g = r.g[j];
        if (j === k) rect(px - 1, top, bw + 2, H, "lb-softmax-answer");
        if (!isFinite(v)) bad(px, top, bw, H, v);
        else {
          rect(px, bot - v * H, bw, v * H, "lb-softmax-pbar");
          t(px + bw / 2, bot - v * H - 4, fmt(v, 2), "lb-softmax-num");
        }
        if (!isFinite(g)) bad(gx, top, bw, H, g);
        else {
          var gh = Math.min(1, Math.abs(g)) * H / 2;
          rect(gx, g >= 0 ? mid - gh : mid, bw, gh, "lb-softmax-gbar");
          t(gx + bw / 2, g >= 0 ? mid - gh - 4 : mid + gh + 13, fmt(g, 2), "lb-softmax-num");
        }
        var c = j === k ? "lb-softmax-cls lb-softmax-true" : "lb-softmax-cls";
        t(px + bw / 2, 194, T.cls(j), c); t(gx + bw / 2, 194, T.cls(j), c);
      }
      // loss: horizontal bar on a log(1 + loss) scale
      var x0 = 10, x1 = 350, lmax = Math.log1p(250), L = r.loss, ly = 228, lh = 20;
      function lx(v) { return x0 + (x1 - x0) * Math.min(1, Math.log1p(Math.max(0, v)) / lmax); }
      t(4, ly - 6, T.logScale, "lb-softmax-title", "start");
      [0, 1, 10, 100].forEach(function (tk) {
        s.push('<line x1="' + lx(tk).toFixed(1) + '" x2="' + lx(tk).toFixed(1) + '" y1="' + (ly + lh) + '" y2="' +
          (ly + lh + 4) + '" class="lb-softmax-axis"/>');
        t(lx(tk), ly + lh + 16, String(tk), "lb-softmax-tick");
      });
      s.push('<line x1="' + x0 + '" x2="' + x1 + '" y1="' + (ly + lh) + '" y2="' + (ly + lh) + '" class="lb-softmax-axis"/>');
      if (!isFinite(L)) bad(x0, ly, x1 - x0, lh, L);
      else {
        rect(x0, ly, lx(L) - x0, lh, "lb-softmax-lbar");
        var right = lx(L) > 280;
        t(right ? lx(L) - 4 : lx(L) + 4, ly + 15, fmt(L, 3), right ? "lb-softmax-num lb-softmax-inbar" : "lb-softmax-num",
          right ? "end" : "start");
      }
      s.push("</svg>");
      return s.join("");
    }

    function update() {
      var z = [], k = 0, j;
      for (j = 0; j < 3; j++) {
        z.push(f(Number(zIn[j].value)));
        zShow[j].textContent = fmt(Number(zIn[j].value), 4);
      }
      radios.forEach(function (rd) { if (rd.checked) k = Number(rd.value); });
      var st = stable(z, k), nv = naive(z, k), r = cb.checked ? nv : st, msg;
      if (!cb.checked) {
        msg = T.stable(fmt(st.m, 4));
        if (!isFinite(nv.loss)) msg += T.rescue(fmt(nv.loss, 2));
      } else if (nv.e.some(function (x) { return x === Infinity; })) {
        msg = T.over + (nv.loss === Infinity ? T.overInf : "");
      } else if (nv.sum === Infinity) msg = T.sumOver;
      else if (nv.sum === 0) msg = T.allUnder;
      else if (nv.p[k] === 0) msg = T.under;
      else msg = T.ok;
      for (j = 0; j < 3; j++) { out("p" + j, r.p[j]); out("g" + j, r.g[j]); }
      out("loss", r.loss);
      status.textContent = msg;
      fig.innerHTML = svg(r, k);
    }
    controls.addEventListener("input", update);  // ranges, radios, checkbox: once a change
    update();
  }

  document.querySelectorAll('.lossbook-widget[data-widget="softmax"]').forEach(function (root) {
    var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
    var lang = (document.documentElement.lang || "en").slice(0, 2) === "zh" ? "zh" : "en";
    build(root, data, lang);
    root.classList.add("lossbook-widget--ready");
  });
})();
