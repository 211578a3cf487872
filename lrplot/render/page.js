// lrplot's interactive page: hover read-outs, line toggles and x zoom over lrplot's own SVG.
//
// The data (lrplot-data) names each axes' place in the SVG's user units, each drawn line (its run,
// param groups, colour, and the scale it is drawn in) and, per run, the steps the lines were drawn
// from with every group's lr (and momentum) there. Nothing is loaded from anywhere.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("lrplot-data").textContent);
  var svg = document.querySelector("#figure > svg");
  var figure = document.getElementById("figure");
  var readout = document.getElementById("readout");
  var reset = document.getElementById("reset");
  var NS = "http://www.w3.org/2000/svg";
  var hidden = {};  // line id -> true when toggled off

  var axes = data.axes.map(function (a) {
    var copy = Object.assign({}, a);
    copy.el = document.getElementById(a.id);
    copy.zoom = a.xlim.slice();
    copy.key = a.xlim.join(",");  // axes with the same x limits zoom together
    return copy;
  });

  // ------------------------------------------------------------------------------------------
  // Geometry: data x <-> SVG user units (y down), in each axes' current zoom

  function toPx(a, x) { return a.x0 + (x - a.zoom[0]) / (a.zoom[1] - a.zoom[0]) * (a.x1 - a.x0); }
  function toX(a, px) { return a.zoom[0] + (px - a.x0) / (a.x1 - a.x0) * (a.zoom[1] - a.zoom[0]); }
  function toPy(a, y) {
    var lo = a.ylim[0], hi = a.ylim[1];
    if (a.ylog) { y = Math.log10(y); lo = Math.log10(lo); hi = Math.log10(hi); }
    return a.bottom - (y - lo) / (hi - lo) * (a.bottom - a.top);
  }
  function svgPoint(evt) {
    var p = svg.createSVGPoint();
    p.x = evt.clientX; p.y = evt.clientY;
    return p.matrixTransform(svg.getScreenCTM().inverse());
  }
  function axesAt(p) {
    return axes.find(function (a) { return p.x >= a.x0 && p.x <= a.x1 && p.y >= a.top && p.y <= a.bottom; });
  }

  // ------------------------------------------------------------------------------------------
  // Numbers in words

  // lrplot's tick labels, one format along an axis as the static figures' (render/axes.CountFormatter):
  // 8k 10k 12k (never 8000 10k 12k), 100k, 1.5M; below 10,000 as they are
  function countUnit(values) {
    var big = Math.max.apply(null, values.map(Math.abs).concat([0]));
    return big >= 1e9 ? [1e9, "G"] : big >= 1e6 ? [1e6, "M"] : big >= 1e4 ? [1e3, "k"] : [1, ""];
  }
  function count(v, unit) {
    var text = String(+(v / unit[0]).toPrecision(4));
    return text === "0" || text === "-0" ? "0" : text + unit[1];
  }
  function tickLabel(a, v, unit) { return a.progress ? Math.round(v * 100) + "%" : count(v, unit); }
  function grouped(n) { return n.toLocaleString("en-US"); }
  // the shortest text that reads back as the same float; no value: a logged run's unlogged step, or
  // a step after a what-if's library raised
  function exact(v, kind) {
    return v !== null ? String(v) : kind === "whatif" ? "raised before" : kind === "metric" || kind === "best" ? "none fed yet" : "not logged";
  }

  // ------------------------------------------------------------------------------------------
  // Zoom: every element drawn in a zoomed axes moves; its x ticks are drawn anew

  function movable(a) {
    var out = [];
    a.el.querySelectorAll('[id^="' + a.id + '-z"]').forEach(function (root) {
      var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll("path, use, g[transform]")));
      nodes.forEach(function (n) {
        if (n.closest("defs")) return;  // glyphs and markers are drawn where they are used
        var parent = n.parentElement && n.parentElement.closest("g[transform]");
        if (parent && root.contains(parent)) return;  // placed by a moved group
        if (n.tagName === "path" && n.hasAttribute("d")) {
          var tokens = n.getAttribute("d").match(/[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g) || [];
          var isX = [], parity = 0;
          tokens.forEach(function (t) {
            if (/[A-Za-z]/.test(t)) { parity = 0; isX.push(false); } else { isX.push(parity % 2 === 0); parity++; }
          });
          out.push({ node: n, kind: "path", tokens: tokens, isX: isX });
        } else if (n.tagName === "use" && n.hasAttribute("x")) {
          out.push({ node: n, kind: "use", x: parseFloat(n.getAttribute("x")) });
        } else if (n.tagName === "g" && /^translate\(/.test(n.getAttribute("transform") || "")) {
          var m = /^translate\(([-+\d.eE]+)[ ,]+([-+\d.eE]+)\)(.*)$/.exec(n.getAttribute("transform"));
          if (m) out.push({ node: n, kind: "text", x: parseFloat(m[1]), y: m[2], rest: m[3], root: root });
        }
      });
    });
    return out;
  }

  axes.forEach(function (a) { a.movable = movable(a); a.ticks = null; });

  function redraw(a) {
    // x' = x0 + (X - zoom0) * scale, X the data x the original pixel stood for
    var span = a.xlim[1] - a.xlim[0], width = a.x1 - a.x0;
    var s = span / (a.zoom[1] - a.zoom[0]);
    var b = a.x0 + (a.xlim[0] - a.zoom[0]) / (a.zoom[1] - a.zoom[0]) * width;
    function move(px) { return b + (px - a.x0) * s; }
    a.movable.forEach(function (m) {
      if (m.kind === "path") {
        m.node.setAttribute("d", m.tokens.map(function (t, i) { return m.isX[i] ? String(+move(parseFloat(t)).toFixed(3)) : t; }).join(" "));
      } else if (m.kind === "use") {
        m.node.setAttribute("x", String(+move(m.x).toFixed(3)));
      } else {
        var anchor = data.anchors[m.root.id];  // an annotation keeps its offset from its point
        var x = anchor === undefined ? move(m.x) : m.x + move(anchor) - anchor;
        m.node.setAttribute("transform", "translate(" + x.toFixed(3) + " " + m.y + ")" + m.rest);
        m.root.style.visibility = x < a.x0 - 1 || x > a.x1 + 1 ? "hidden" : "";
      }
    });
    drawTicks(a);
  }

  function niceStep(range, count_) {
    var raw = range / count_, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
  }

  function drawTicks(a) {
    var own = document.getElementById(a.id + "-x");
    var top = document.getElementById(a.id + "-top");
    var zoomed = a.zoom[0] !== a.xlim[0] || a.zoom[1] !== a.xlim[1];
    [own, top].forEach(function (g) {
      if (g) g.querySelectorAll('g[id^="xtick"]').forEach(function (t) { t.style.visibility = zoomed ? "hidden" : ""; });
    });
    var inset = a.el.querySelector("#warmup-inset");
    if (inset) inset.style.visibility = zoomed ? "hidden" : "";
    if (a.ticks) { a.ticks.remove(); a.ticks = null; }
    if (!zoomed) return;
    var g = document.createElementNS(NS, "g");
    g.setAttribute("class", "lrplot-ticks");
    var labelled = own && own.querySelector('g[id^="xtick"] g[id^="text"]');
    var size = 10;
    if (labelled) {
      var scale = /scale\(([-+\d.eE]+)/.exec((labelled.querySelector("g[transform]") || labelled).getAttribute("transform") || "");
      if (scale) size = parseFloat(scale[1]) * 100;
    }
    function axisTicks(factor, atTop) {
      var lo = a.zoom[0] * factor, hi = a.zoom[1] * factor;
      var step = niceStep(hi - lo, Math.max(2, Math.floor((a.x1 - a.x0) / 70)));
      if (data.unit === "iteration" && factor === 1 && step < 1) step = 1;  // optimizer steps are whole
      var values = [];
      for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
      var unit = countUnit(values);
      values.forEach(function (v) {
        var px = toPx(a, v / factor), y = atTop ? a.top : a.bottom;
        if (!atTop && a.grid) line(g, px, a.top, px, a.bottom, a.grid, 0.6);
        line(g, px, y, px, atTop ? y - 3.5 : y + 3.5, a.ink, 0.8);
        if (labelled || atTop) {
          var t = document.createElementNS(NS, "text");
          t.setAttribute("x", px.toFixed(2));
          t.setAttribute("y", (atTop ? y - 3.5 - size * 0.35 : y + 3.5 + size * 1.05).toFixed(2));
          t.setAttribute("text-anchor", "middle");
          t.setAttribute("font-family", "DejaVu Sans, sans-serif");
          t.setAttribute("font-size", size);
          t.setAttribute("fill", a.ink);
          t.textContent = tickLabel(a, v, unit);
          g.appendChild(t);
        }
      });
    }
    axisTicks(1, false);
    if (top && a.secondary) axisTicks(a.secondary.factor, true);
    a.el.appendChild(g);
    a.ticks = g;
  }

  function line(g, x1, y1, x2, y2, color, width) {
    var l = document.createElementNS(NS, "line");
    l.setAttribute("x1", x1); l.setAttribute("y1", y1); l.setAttribute("x2", x2); l.setAttribute("y2", y2);
    l.setAttribute("stroke", color); l.setAttribute("stroke-width", width);
    g.appendChild(l);
    return l;
  }

  // ------------------------------------------------------------------------------------------
  // A legend inside an axes goes where the zoomed data is not: the usual places (corners, then
  // edges), each scored by the drawn points under it; back to where lrplot put it when zoomed out

  function legendOf(a) {
    var found = null;
    a.el.querySelectorAll('g[id^="legend"]').forEach(function (g) { if (!found && g.closest("svg") === svg) found = g; });
    if (found && !found.dataset.box) {
      var b = found.getBBox();
      found.dataset.box = [b.x, b.y, b.width, b.height].join(",");
    }
    return found;
  }

  function drawnPoints(a, index) {  // the visible lines' points in this axes, every 2 units along each segment
    var out = [];
    data.lines.forEach(function (ln) {
      if (ln.axes !== index || hidden[ln.id]) return;
      var run = data.runs[ln.run], last = null;
      run.steps.forEach(function (step, i) {
        var v = valuesOf(run, ln, i);
        if (v === null) { last = null; return; }
        var p = [toPx(a, step / run.per), toPy(a, v / ln.scale)];
        if (!isFinite(p[1])) { last = null; return; }
        if (last && !(Math.max(last[0], p[0]) < a.x0 || Math.min(last[0], p[0]) > a.x1)) {
          var n = Math.min(200, Math.ceil(Math.hypot(p[0] - last[0], p[1] - last[1]) / 2));
          for (var k = 1; k < n; k++) out.push([last[0] + (p[0] - last[0]) * k / n, last[1] + (p[1] - last[1]) * k / n]);
        }
        if (p[0] >= a.x0 && p[0] <= a.x1) out.push(p);
        last = p;
      });
    });
    return out;
  }

  function placeLegend(a, index) {
    var legend = legendOf(a);
    if (!legend) return;
    var zoomed = a.zoom[0] !== a.xlim[0] || a.zoom[1] !== a.xlim[1];
    if (!zoomed) { legend.removeAttribute("transform"); return; }
    var box = legend.dataset.box.split(",").map(parseFloat), w = box[2], h = box[3], pad = 4;
    var left = a.x0 + pad, right = a.x1 - pad - w, high = a.top + pad, low = a.bottom - pad - h;
    var midX = (a.x0 + a.x1 - w) / 2, midY = (a.top + a.bottom - h) / 2;
    var spots = [[box[0], box[1]], [right, high], [left, high], [left, low], [right, low], [midX, high], [midX, low], [right, midY], [left, midY]];
    var points = drawnPoints(a, index);
    var best = null;
    spots.forEach(function (s) {
      var under = points.filter(function (p) { return p[0] >= s[0] - 2 && p[0] <= s[0] + w + 2 && p[1] >= s[1] - 2 && p[1] <= s[1] + h + 2; }).length;
      if (best === null || under < best.under) best = { at: s, under: under };
    });
    legend.setAttribute("transform", "translate(" + (best.at[0] - box[0]).toFixed(3) + " " + (best.at[1] - box[1]).toFixed(3) + ")");
  }
  window.lrplotLegend = function (i) {  // an axes' legend box as shown (SVG units: x, y, width, height), for scripts
    var legend = legendOf(axes[i]);
    if (!legend) return null;
    var box = legend.dataset.box.split(",").map(parseFloat);
    var m = /translate\(([-+\d.eE]+) ([-+\d.eE]+)\)/.exec(legend.getAttribute("transform") || "") || [0, 0, 0];
    return [box[0] + parseFloat(m[1]), box[1] + parseFloat(m[2]), box[2], box[3]];
  };
  window.lrplotPoints = function (i) { return drawnPoints(axes[i], i); };

  function zoomTo(key, lo, hi) {
    axes.forEach(function (a, index) {
      if (a.key !== key) return;
      a.zoom = [Math.max(a.xlim[0], lo), Math.min(a.xlim[1], hi)];
      redraw(a);
      placeLegend(a, index);
    });
    reset.hidden = axes.every(function (a) { return a.zoom[0] === a.xlim[0] && a.zoom[1] === a.xlim[1]; });
  }
  function zoomOut() { axes.forEach(function (a) { zoomTo(a.key, a.xlim[0], a.xlim[1]); }); }

  // ------------------------------------------------------------------------------------------
  // Hover: the drawn step nearest the cursor, its numbers and the event there

  var overlay = document.createElementNS(NS, "g");
  overlay.setAttribute("id", "lrplot-hover");
  overlay.style.pointerEvents = "none";
  svg.appendChild(overlay);

  function nearest(steps, target) {  // index of the kept step closest to target
    var lo = 0, hi = steps.length - 1;
    if (hi < 0) return -1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (steps[mid] < target) lo = mid + 1; else hi = mid; }
    if (lo > 0 && Math.abs(steps[lo - 1] - target) <= Math.abs(steps[lo] - target)) lo -= 1;
    return lo;
  }

  function valuesOf(run, line_, i) {
    var rows = line_.kind === "momentum" ? run.momentum : line_.kind === "whatif" ? run.whatifs[line_.whatif].lr
      : line_.kind === "metric" ? run.metric : line_.kind === "best" ? run.best : run.lr;
    return rows[line_.group][i];
  }

  function hover(evt) {
    var p = svgPoint(evt);
    var a = axesAt(p);
    while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
    if (!a || drag) { readout.style.display = "none"; return; }
    var x = toX(a, p.x);
    var runs = a.run === null ? data.runs.map(function (_, r) { return r; }) : [a.run];
    var rows = [];
    var shared = axes.filter(function (b) { return b.key === a.key && (a.run === null || b.run === a.run); });
    runs.forEach(function (r) {
      var run = data.runs[r];
      var i = nearest(run.steps, Math.floor(x * run.per));
      if (i < 0) return;
      var step = run.steps[i];
      var px = toPx(a, step / run.per);
      shared.forEach(function (b) { line(overlay, px, b.top, px, b.bottom, "#888888", 0.6); });
      var head = (runs.length > 1 || a.run !== null ? "<b>" + esc(run.label) + "</b> " : "") + "step " + grouped(step);
      if (run.spe !== null) head += " \u00b7 epoch " + grouped(+(step / run.spe).toPrecision(12));
      rows.push(head);
      data.lines.forEach(function (ln) {
        if (ln.run !== r || hidden[ln.id]) return;
        var b = axes[ln.axes];
        var v = valuesOf(run, ln, i);
        if (v !== null && b.key === a.key) {
          var y = toPy(b, v / ln.scale);
          if (isFinite(y)) {
            var dot = document.createElementNS(NS, "circle");
            dot.setAttribute("cx", px); dot.setAttribute("cy", y); dot.setAttribute("r", 3);
            dot.setAttribute("fill", ln.color); dot.setAttribute("stroke", "#ffffff"); dot.setAttribute("stroke-width", 1);
            overlay.appendChild(dot);
          }
        }
        var metric = ln.kind === "metric" || ln.kind === "best";
        var what = ln.kind === "momentum" ? "momentum " : ln.kind === "whatif" ? run.whatifs[ln.whatif].label + ": "
          : metric ? (runs.length > 1 ? "" : ln.label) + " " : "lr ";
        ln.groups.forEach(function (name) {
          var g = metric ? 0 : run.groups.indexOf(name);
          var copy = Object.assign({}, ln, { group: g });
          var named = run.groups.length > 1 && !metric ? name + " " : "";
          rows.push('<span class="swatch" style="background:' + ln.color + '"></span>' + esc(what + named) + '<b class="value">' + exact(valuesOf(run, copy, i), ln.kind) + "</b>");
        });
      });
      run.events.forEach(function (e) {
        if (!eventsHidden && Math.abs(toPx(a, e.step / run.per) - p.x) <= 4) rows.push("<i>" + esc(e.kind) + ": " + esc(e.label) + "</i> at step " + grouped(e.step));
      });
    });
    readout.innerHTML = rows.join("<br>");
    readout.style.display = "block";
    var box = figure.getBoundingClientRect();
    var left = evt.clientX - box.left + 14, topPx = evt.clientY - box.top + 14;
    if (left + readout.offsetWidth > box.width) left = Math.max(0, evt.clientX - box.left - readout.offsetWidth - 14);
    if (topPx + readout.offsetHeight > box.height) topPx = Math.max(0, evt.clientY - box.top - readout.offsetHeight - 14);
    readout.style.left = left + "px";
    readout.style.top = topPx + "px";
  }

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  // ------------------------------------------------------------------------------------------
  // Dragging across an axes zooms its x

  var drag = null;
  svg.addEventListener("mousedown", function (evt) {
    if (evt.button !== 0) return;
    var p = svgPoint(evt), a = axesAt(p);
    if (!a) return;
    evt.preventDefault();
    var band = document.createElementNS(NS, "rect");
    band.setAttribute("y", a.top); band.setAttribute("height", a.bottom - a.top);
    band.setAttribute("fill", "rgba(100,100,100,0.18)");
    band.setAttribute("id", "lrplot-zoom-band");
    svg.appendChild(band);
    drag = { a: a, start: p.x, band: band };
    moveBand(p.x);
  });
  function moveBand(px) {
    var x = Math.min(Math.max(px, drag.a.x0), drag.a.x1);
    drag.end = x;
    drag.band.setAttribute("x", Math.min(drag.start, x));
    drag.band.setAttribute("width", Math.abs(x - drag.start));
  }
  svg.addEventListener("mousemove", function (evt) { if (drag) moveBand(svgPoint(evt).x); hover(evt); });
  window.addEventListener("mouseup", function () {
    if (!drag) return;
    var d = drag;
    drag = null;
    d.band.remove();
    if (Math.abs(d.end - d.start) > 4) zoomTo(d.a.key, toX(d.a, Math.min(d.start, d.end)), toX(d.a, Math.max(d.start, d.end)));
  });
  svg.addEventListener("mouseleave", function () {
    readout.style.display = "none";
    while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
  });
  svg.addEventListener("dblclick", zoomOut);
  window.lrplotZoom = function (i) { return axes[i].zoom.slice(); };  // an axes' shown x range, for scripts
  reset.addEventListener("click", zoomOut);

  // ------------------------------------------------------------------------------------------
  // Toggles: one per drawn line, and the events

  var toggles = document.getElementById("toggles");
  var eventsHidden = false;
  function toggle(label, color, on) {
    var l = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () { on(box.checked); });
    var swatch = document.createElement("span");
    swatch.className = "swatch"; swatch.style.background = color;
    l.appendChild(box); l.appendChild(swatch); l.appendChild(document.createTextNode(label));
    toggles.appendChild(l);
    return box;
  }
  data.lines.forEach(function (ln) {
    var run = data.runs[ln.run];
    var what = ln.kind === "momentum" ? "momentum: " : "";
    var label = ln.kind === "momentum" && run.groups.length === 1 ? "momentum" : ln.kind === "metric" || ln.kind === "best" ? ln.label : what + ln.label;
    toggle(label, ln.color, function (on) {
      hidden[ln.id] = !on;
      document.getElementById(ln.id).style.visibility = on ? "" : "hidden";
    }).setAttribute("data-line", ln.id);
  });
  if (data.events.length) {
    toggle("events", "#777777", function (on) {
      eventsHidden = !on;
      data.events.forEach(function (id) { var el = document.getElementById(id); if (el) el.style.visibility = on ? "" : "hidden"; });
    }).setAttribute("data-line", "events");
  }
})();
