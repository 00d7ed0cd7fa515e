// The tune dashboard: every page reads the JSON API (see the Go package
// documentation) and draws with ECharts. User strings reach the page only
// through textContent, or through esc() in chart tooltips.
"use strict";

const T = { charts: {}, version: 0, lastTableMs: 0 };
window.tune = T;

function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// el builds an element: el("td", {class: "x"}, "text", child...).
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
  return e;
}

async function api(path) {
  const r = await fetch(path, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function num(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return v.toPrecision(4);
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

function val(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number" && !Number.isInteger(v)) return num(v);
  return String(v);
}

function dur(s) {
  if (s === null || s === undefined) return "–";
  if (s < 0.9995) return Math.round(s * 1000) + "ms"; // short trials are told apart
  if (s < 9.95) return s.toFixed(1) + "s";
  s = Math.round(s);
  if (s < 60) return s + "s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.floor(s % 3600 / 60)).padStart(2, "0") + "m";
}

function statusBadge(s) { return el("span", { class: "status " + s }, s); }

function card(k, v, s) {
  return el("div", { class: "card" }, el("div", { class: "k" }, k), el("div", { class: "v" }, v), s ? el("div", { class: "s" }, s) : null);
}

function replace(id, ...kids) {
  const e = document.getElementById(id);
  e.replaceChildren(...kids);
  return e;
}

function kvRows(obj, order) {
  const keys = order || Object.keys(obj).sort();
  return keys.filter(k => k in obj).map(k => el("tr", {}, el("td", {}, k), el("td", {}, val(obj[k]))));
}

function chart(id) {
  const dom = document.getElementById(id);
  let c = T.charts[id];
  if (!c || c.getDom() !== dom) {
    c = echarts.init(dom, null, { renderer: "canvas" });
    T.charts[id] = c;
  }
  return c;
}

function better(dir) { return dir === "max" ? (a, b) => a > b : (a, b) => a < b; }

const tooltipBase = { confine: true, backgroundColor: "#fff", textStyle: { fontSize: 12 } };

// ---- Overview

let study = null;

async function loadStudy() {
  study = await api("/api/study");
  const stale = document.getElementById("stale");
  stale.hidden = !study.stale;
  stale.textContent = study.stale || "";
  return study;
}

async function overviewPage() {
  const s = await loadStudy();
  const counts = Object.entries(s.counts).sort().map(([k, v]) => k + " " + v).join(", ");
  const best = s.best;
  replace("cards",
    card("objective", s.objective.name, s.objective.direction === "max" ? "maximized" : "minimized"),
    card("oracle", s.oracle || "–", s.pruner ? "pruner: " + s.pruner : "no pruner"),
    card("trials", s.max_trials ? s.total + " / " + s.max_trials : String(s.total), counts || "none yet"),
    card("best", best ? num(best.score) : "–", best ? "trial " + best.id : "no completed trial"),
    card("elapsed", dur(s.elapsed_seconds), s.started ? "since " + new Date(s.started).toLocaleString() : ""),
    card("ETA", s.eta_seconds === null ? (s.running ? "–" : "done") : dur(s.eta_seconds), s.running ? "searching" : "not running"),
    card("seed", String(s.seed), s.params.length + " hyperparameters"));
  if (best) {
    const c = document.querySelector("#cards .card:nth-child(4) .s");
    c.replaceChildren(el("a", { href: "/trials/" + best.id }, "trial " + best.id));
  }
  replace("space", ...s.params.map(p => el("tr", {}, el("td", {}, p.name), el("td", {},
    p.kind + (p.categories ? " " + JSON.stringify(p.categories) : " [" + p.min + ", " + p.max + "]") +
    (p.log ? " log" : "") + (p.condition ? " — when " + p.condition : "")))));
  document.getElementById("study-file").textContent = s.study_file || "(no study file: the search was run from Go)";
  await Promise.all([historyChart("chart-history"), importanceChart("chart-importance")]);
}

// ---- History

async function historyChart(id) {
  const [s, h] = [study || await loadStudy(), await api("/api/history")];
  chart(id).setOption({
    animation: false,
    tooltip: { ...tooltipBase, trigger: "item", formatter: p => "trial " + esc(p.data[0]) + "<br>" + esc(s.objective.name) + " " + esc(num(p.data[1])) },
    legend: { data: ["trial", "best so far"], top: 0, right: 10 },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: "value", name: "trial", minInterval: 1 },
    yAxis: { type: "value", name: s.objective.name, scale: true },
    series: [
      { name: "trial", type: "scatter", symbolSize: 6, data: h.map(p => [p.id, p.score]), large: h.length > 2000 },
      { name: "best so far", type: "line", step: "end", symbol: "none", data: bestSteps(h) },
    ],
  }, true);
}

// bestSteps returns the points where the best so far changes, and the
// last: the same step line as every point draws, at a fraction of the cost.
function bestSteps(h) {
  return h.filter((p, i) => i === 0 || i === h.length - 1 || p.best !== h[i - 1].best).map(p => [p.id, p.best]);
}

// ---- Importance

async function importanceChart(id) {
  const a = await api("/api/importance");
  const note = document.getElementById("importance-note");
  if (note) note.textContent = a.reason ? a.reason + "." : a.method + ", over the completed trials.";
  const imp = a.importances.slice().reverse();
  chart(id).setOption({
    animation: false,
    tooltip: { ...tooltipBase, formatter: p => esc(p.name) + ": " + esc(p.value.toFixed(3)) },
    grid: { left: 140, right: 40, top: 10, bottom: 30 },
    xAxis: { type: "value", max: 1 },
    yAxis: { type: "category", data: imp.map(x => x.name), axisLabel: { width: 130, overflow: "truncate" } },
    series: [{ type: "bar", data: imp.map(x => x.importance), label: { show: true, position: "right", formatter: p => p.value.toFixed(2) } }],
  }, true);
}

// ---- Trials table

const table = { sort: "id", order: "asc", statuses: [], ranges: [], offset: 0, limit: 50 };

function columns(s) {
  const cols = [
    { key: "id", label: "#", get: r => r.id },
    { key: "status", label: "status", get: r => statusBadge(r.status) },
    { key: "score", label: s.objective.name, get: r => num(r.score) },
    { key: "best_epoch", label: "best epoch", get: r => r.best_epoch === null ? "–" : r.best_epoch + 1 },
    { key: "epochs", label: "epochs", get: r => r.epochs },
    { key: "seconds", label: "time", get: r => dur(r.seconds) },
  ];
  for (const p of s.params) cols.push({ key: "param:" + p.name, label: p.name, get: r => val(r.values[p.name]), numeric: !p.categories });
  for (const m of s.metrics) if (m !== s.objective.name) cols.push({ key: "metric:" + m, label: m, get: r => num(r.metrics ? r.metrics[m] : null), numeric: true });
  cols.push({ key: "error", label: "error", get: r => r.error || "", nosort: true });
  return cols;
}

async function trialsPage() {
  const s = await loadStudy();
  const cols = columns(s);
  if (!document.getElementById("status-filter").querySelector("input")) buildFilters(s, cols);
  await loadTable(s, cols);
}

function buildFilters(s, cols) {
  const box = document.getElementById("status-filter");
  for (const st of ["completed", "running", "pruned", "failed", "stopped", "pending"]) {
    const cb = el("input", { type: "checkbox", value: st, "data-status": st });
    cb.addEventListener("change", () => {
      table.statuses = [...box.querySelectorAll("input:checked")].map(i => i.value);
      table.offset = 0;
      loadTable(s, cols);
    });
    box.append(el("label", {}, cb, " " + st + " (" + (s.counts[st] || 0) + ")"));
  }
  const sel = document.getElementById("range-column");
  for (const c of cols) if (c.key === "score" || c.key === "seconds" || c.key === "epochs" || c.numeric) sel.append(el("option", { value: c.key }, c.label));
  document.getElementById("range-add").addEventListener("click", () => {
    const lo = document.getElementById("range-lo").value, hi = document.getElementById("range-hi").value;
    if (lo === "" && hi === "") return;
    table.ranges.push({ column: sel.value, label: sel.selectedOptions[0].textContent, lo, hi });
    table.offset = 0;
    loadTable(s, cols);
  });
  document.getElementById("prev").addEventListener("click", () => { table.offset = Math.max(0, table.offset - table.limit); loadTable(s, cols); });
  document.getElementById("next").addEventListener("click", () => { table.offset += table.limit; loadTable(s, cols); });
}

async function loadTable(s, cols) {
  const t0 = performance.now();
  const q = new URLSearchParams({ sort: table.sort, order: table.order, offset: table.offset, limit: table.limit });
  if (table.statuses.length) q.set("status", table.statuses.join(","));
  for (const r of table.ranges) q.append("range", r.column + ":" + r.lo + ":" + r.hi);
  const page = await api("/api/trials?" + q);
  const thead = document.querySelector("#trials-table thead");
  thead.replaceChildren(el("tr", {}, ...cols.map(c => {
    const th = el("th", { "data-key": c.key, class: c.key === table.sort ? "sorted" : null },
      c.label + (c.key === table.sort ? (table.order === "asc" ? " ▲" : " ▼") : ""));
    if (!c.nosort) th.addEventListener("click", () => {
      table.order = table.sort === c.key && table.order === "asc" ? "desc" : "asc";
      table.sort = c.key;
      table.offset = 0;
      loadTable(s, cols);
    });
    return th;
  })));
  document.querySelector("#trials-table tbody").replaceChildren(...page.rows.map(r => {
    const tr = el("tr", { "data-id": r.id }, ...cols.map(c => el("td", { title: c.key === "error" ? r.error : null }, c.get(r))));
    tr.addEventListener("click", () => { location.href = "/trials/" + r.id; });
    return tr;
  }));
  replace("ranges", ...table.ranges.map((r, i) => el("span", { class: "chip" }, r.label + " in [" + (r.lo || "−∞") + ", " + (r.hi || "∞") + "]",
    el("button", { type: "button", title: "remove", onclick: () => { table.ranges.splice(i, 1); table.offset = 0; loadTable(s, cols); } }, "×"))));
  const last = Math.min(page.offset + page.limit, page.matched);
  document.getElementById("table-count").textContent = page.matched + " of " + page.total + " trials" + (page.matched ? ", showing " + (page.offset + 1) + "–" + last : "");
  document.getElementById("page").textContent = "page " + (Math.floor(page.offset / page.limit) + 1) + " of " + Math.max(1, Math.ceil(page.matched / page.limit));
  document.getElementById("prev").disabled = page.offset === 0;
  document.getElementById("next").disabled = last >= page.matched;
  T.lastTableMs = performance.now() - t0;
  document.body.dataset.table = String((+document.body.dataset.table || 0) + 1);
}

// ---- One trial

async function trialPage() {
  const id = document.body.dataset.trial;
  const [s, t] = [await loadStudy(), await api("/api/trials/" + id)];
  const kids = [
    card("status", statusBadge(t.status), t.attempt ? "attempt " + (t.attempt + 1) : null),
    card(s.objective.name, num(t.score), t.score !== undefined && t.score !== null ? "at epoch " + (t.best_epoch + 1) : "no score"),
    card("epochs", String(t.curve.epochs.length), t.epochs ? "of " + t.epochs : null),
    card("time", dur(t.seconds), t.started ? new Date(t.started).toLocaleString() : null),
  ];
  if (t.parent || t.children.length || t.bracket || t.round || t.iteration) {
    const links = el("div", { class: "s" });
    if (t.parent) links.append("continues ", el("a", { href: "/trials/" + t.parent }, "trial " + t.parent), " from epoch " + (t.initial_epoch + 1), el("br"));
    if (t.children.length) {
      links.append("promoted to ");
      t.children.forEach((c, i) => { if (i) links.append(", "); links.append(el("a", { href: "/trials/" + c }, "trial " + c)); });
    }
    kids.push(el("div", { class: "card" }, el("div", { class: "k" }, "Hyperband"),
      el("div", { class: "v small" }, "iteration " + t.iteration + ", bracket " + t.bracket + ", round " + t.round), links));
  }
  if (t.score !== undefined && t.score !== null) {
    kids.push(card("checkpoint", el("a", { href: "/api/trials/" + t.id + "/checkpoint", download: "trial-" + t.id + ".ckpt" }, "download"), "best epoch's weights"));
  }
  replace("cards", ...kids);
  const err = document.getElementById("trial-error");
  err.hidden = !t.error;
  err.textContent = t.error || "";
  replace("values", ...kvRows(t.values, s.params.map(p => p.name).filter(n => n in t.values).concat(Object.keys(t.values).filter(n => !s.params.some(p => p.name === n)))));
  replace("best-metrics", ...kvRows(t.best_metrics));
  // One chart per metric, its validation twin overlaid.
  const bases = [...new Set(t.metric_names.map(m => m.replace(/^val_/, "")))];
  const box = document.getElementById("trial-charts");
  const want = bases.map((b, i) => "trial-chart-" + i);
  if (box.children.length !== want.length) box.replaceChildren(...want.map(id => el("div", { class: "chart", id })));
  bases.forEach((b, i) => {
    const series = [b, "val_" + b].filter(m => t.curve.values[m]).map(m => ({
      name: m, type: "line", symbol: "circle", symbolSize: 4, data: t.curve.epochs.map((e, j) => [e, t.curve.values[m][j]]),
      markLine: t.score !== null && t.score !== undefined && m === s.objective.name ? { symbol: "none", data: [{ xAxis: t.best_epoch + 1 }], label: { formatter: "best" } } : undefined,
    }));
    chart(want[i]).setOption({
      animation: false, title: { text: b, left: 0, textStyle: { fontSize: 13 } }, legend: { top: 0, right: 10 },
      tooltip: { ...tooltipBase, trigger: "axis", formatter: ps => "epoch " + esc(ps[0].data[0]) + ps.map(p => "<br>" + esc(p.seriesName) + " " + esc(num(p.data[1]))).join("") },
      grid: { left: 60, right: 20, top: 40, bottom: 35 },
      xAxis: { type: "value", name: "epoch", min: 1, minInterval: 1 }, yAxis: { type: "value", scale: true }, series,
    }, true);
  });
}

// ---- Parallel coordinates

function categoryOf(p, v) { return v === null || v === undefined ? "(inactive)" : String(v); }

async function parallelPage() {
  const d = await api("/api/points");
  const dims = d.params.map((p, i) => {
    if (p.categories) {
      const cats = p.categories.map(String);
      if (p.condition) cats.push("(inactive)");
      return { dim: i, name: p.name, type: "category", data: cats };
    }
    return { dim: i, name: p.name, type: p.log ? "log" : "value", min: p.min, max: p.max, minInterval: p.kind === "int" ? 1 : 0 };
  });
  const scores = d.trials.map(t => t.score);
  dims.push({ dim: d.params.length, name: d.objective.name, type: "value", scale: true, nameTextStyle: { fontWeight: "bold" } });
  const data = d.trials.map(t => [...t.values.map((v, i) => d.params[i].categories ? categoryOf(d.params[i], v) : (v === null ? "-" : v)), t.score, t.id]);
  const lo = Math.min(...scores), hi = Math.max(...scores);
  chart("chart-parallel").setOption({
    animation: false,
    parallel: { left: 60, right: 190, top: 60, bottom: 40, parallelAxisDefault: { nameLocation: "end", nameGap: 16, nameTextStyle: { fontSize: 12 } } },
    parallelAxis: dims,
    visualMap: { type: "continuous", dimension: d.params.length, min: isFinite(lo) ? lo : 0, max: isFinite(hi) && hi > lo ? hi : lo + 1,
      inRange: { color: d.objective.direction === "max" ? ["#d7e3f7", "#2f6fde", "#0b2f7a"] : ["#0b2f7a", "#2f6fde", "#d7e3f7"] },
      right: 20, top: "middle", calculable: true, text: [d.objective.name, ""], formatter: v => num(v) },
    tooltip: { ...tooltipBase, formatter: p => "trial " + esc(p.data[p.data.length - 1]) + "<br>" + esc(d.objective.name) + " " + esc(num(p.data[d.params.length])) },
    series: [{ type: "parallel", lineStyle: { width: 1.2, opacity: 0.6 }, data, progressive: 1000, smooth: false }],
  }, true);
}

// ---- Slice

async function slicePage() {
  const d = await api("/api/points");
  const box = document.getElementById("slice-charts");
  const want = d.params.map((p, i) => "slice-" + i);
  if (box.children.length !== want.length) box.replaceChildren(...want.map(id => el("div", { class: "chart", id })));
  const ids = d.trials.map(t => t.id);
  d.params.forEach((p, i) => {
    const cats = p.categories ? p.categories.map(String).concat(p.condition ? ["(inactive)"] : []) : null;
    const data = d.trials.filter(t => cats || t.values[i] !== null).map(t => [cats ? categoryOf(p, t.values[i]) : t.values[i], t.score, t.id]);
    chart(want[i]).setOption({
      animation: false, title: { text: p.name, textStyle: { fontSize: 13 } },
      tooltip: { ...tooltipBase, formatter: q => "trial " + esc(q.data[2]) + "<br>" + esc(p.name) + " " + esc(val(q.data[0])) + "<br>" + esc(d.objective.name) + " " + esc(num(q.data[1])) },
      grid: { left: 60, right: 20, top: 40, bottom: 35 },
      xAxis: cats ? { type: "category", data: cats } : { type: p.log ? "log" : "value", min: p.min, max: p.max, name: p.log ? "log scale" : "", minInterval: p.kind === "int" ? 1 : 0 },
      yAxis: { type: "value", name: d.objective.name, scale: true },
      visualMap: { show: false, dimension: 2, min: Math.min(...ids, 1), max: Math.max(...ids, 2), inRange: { color: ["#b8cbef", "#0b2f7a"] } },
      series: [{ type: "scatter", symbolSize: 6, data, large: data.length > 2000 }],
    }, true);
  });
}

// ---- Learning curves

async function curvesPage() {
  const s = await loadStudy();
  const sel = document.getElementById("curve-metric");
  if (!sel.options.length) {
    for (const m of s.metrics) sel.append(el("option", { value: m, selected: m === s.objective.name }, m));
    document.getElementById("curve-show").addEventListener("click", drawCurves);
    sel.addEventListener("change", drawCurves);
  }
  const ids = document.getElementById("curve-ids");
  if (!ids.value) {
    const top = await api("/api/trials?status=completed&sort=score&limit=5&order=" + (s.objective.direction === "max" ? "desc" : "asc"));
    ids.value = top.rows.map(r => r.id).join(", ");
  }
  await drawCurves();
}

async function drawCurves() {
  const ids = document.getElementById("curve-ids").value.split(/[\s,]+/).filter(x => /^\d+$/.test(x));
  const metric = document.getElementById("curve-metric").value || (study && study.objective.name);
  const d = await api("/api/curves?ids=" + ids.join(",") + "&metrics=" + encodeURIComponent(metric));
  lineChart("chart-curves", d.trials, metric);
}

function lineChart(id, curves, metric) {
  chart(id).setOption({
    animation: false,
    legend: { type: "scroll", top: 0 },
    tooltip: { ...tooltipBase, trigger: "item", formatter: p => esc(p.seriesName) + "<br>epoch " + esc(p.data[0]) + ": " + esc(num(p.data[1])) },
    grid: { left: 60, right: 20, top: 40, bottom: 40 },
    xAxis: { type: "value", name: "epoch", min: 1, minInterval: 1 },
    yAxis: { type: "value", name: metric, scale: true },
    series: curves.map(c => ({
      name: "trial " + c.id + (c.status === "completed" ? "" : " (" + c.status + ")"), type: "line", symbolSize: 4,
      lineStyle: { type: c.status === "pruned" || c.status === "stopped" ? "dashed" : "solid" },
      data: c.epochs.map((e, j) => [e, c.values[metric][j]]),
    })),
  }, true);
}

// ---- Intermediate values

async function intermediatePage() {
  const d = await api("/api/intermediate");
  document.getElementById("chart-intermediate").hidden = !d.trials.length;
  lineChart("chart-intermediate", d.trials, d.metric);
  chart("chart-intermediate").resize(); // it may have been hidden when drawn last
  document.getElementById("loading").textContent = d.trials.length ? "" : "No running, pruned or stopped trial.";
}

// ---- Pareto front

async function paretoPage() {
  const d = await api("/api/points");
  const [a, b] = d.objectives;
  if (!b) { document.getElementById("loading").textContent = "The study has one objective: no Pareto front."; return; }
  const pts = d.trials.filter(t => t.objectives);
  const front = pts.filter(t => t.front).sort((x, y) => x.objectives[0] - y.objectives[0]);
  const fmt = p => "trial " + esc(p.data[2]) + "<br>" + esc(a.name) + " " + esc(num(p.data[0])) + "<br>" + esc(b.name) + " " + esc(num(p.data[1]));
  chart("chart-pareto").setOption({
    animation: false, legend: { top: 0 }, tooltip: { ...tooltipBase, formatter: fmt },
    grid: { left: 70, right: 20, top: 40, bottom: 45 },
    xAxis: { type: "value", name: a.name + " (" + a.direction + ")", scale: true, nameLocation: "middle", nameGap: 28 },
    yAxis: { type: "value", name: b.name + " (" + b.direction + ")", scale: true },
    series: [
      { name: "trials", type: "scatter", symbolSize: 6, itemStyle: { color: "#b8cbef" }, data: pts.filter(t => !t.front).map(t => [t.objectives[0], t.objectives[1], t.id]) },
      { name: "Pareto front", type: "line", step: false, symbolSize: 8, itemStyle: { color: "#c2410c" }, data: front.map(t => [t.objectives[0], t.objectives[1], t.id]) },
    ],
  }, true);
}

// ---- Live updates and start

const pagesByName = {
  overview: overviewPage, trials: trialsPage, trial: trialPage, history: () => historyChart("chart-history"),
  parallel: parallelPage, slice: slicePage, curves: curvesPage, intermediate: intermediatePage,
  importance: () => importanceChart("chart-importance"), pareto: paretoPage,
};

let busy = null, again = false;

async function refresh() {
  if (busy) { again = true; return busy; }
  const page = pagesByName[document.body.dataset.page];
  busy = (async () => {
    try {
      if (document.body.dataset.page !== "overview" && document.body.dataset.page !== "trials" && document.body.dataset.page !== "trial" && document.body.dataset.page !== "curves") await loadStudy();
      await page();
      const loading = document.getElementById("loading");
      if (loading.textContent === "Loading…") loading.hidden = true;
      if (!T.readyMs) T.readyMs = performance.now(); // since the navigation started
      document.body.dataset.ready = String(T.version);
    } catch (e) {
      const loading = document.getElementById("loading");
      loading.hidden = false;
      loading.textContent = "Could not load: " + e.message;
    }
  })();
  await busy;
  busy = null;
  if (again) { again = false; return refresh(); }
}

function listen() {
  const badge = document.getElementById("live");
  const es = new EventSource("/api/events");
  es.addEventListener("version", ev => {
    badge.textContent = "live";
    badge.classList.add("on");
    const v = +ev.data;
    if (v !== T.version) { T.version = v; refresh(); }
  });
  es.onerror = () => { badge.textContent = "offline"; badge.classList.remove("on"); };
  // Free the connection at once when leaving: browsers allow few per host.
  window.addEventListener("pagehide", () => es.close());
}

window.addEventListener("resize", () => Object.values(T.charts).forEach(c => c.resize()));
document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("live").textContent = "connecting";
  listen();
});
