// lightfabric web page: pick or upload a scenario, edit any of its keys, see the comparison and each
// analysis (reliability, economics, collectives, a training step), take the results away, share a link.
// Talks only to this server's JSON API (/api/...); draws with the plotly.js it serves.
"use strict";

let TECHNOLOGIES = []; // from GET /api/technologies: the registry's link technologies and spine designs
// the whole scenario is held here and sent as an object once loaded; the URL's #s= carries it
const state = { source: { example: "default" }, scenario: null, seq: 0, catalog: [], schema: null,
                figures: {}, results: {}, edited: false };
window.lightfabric = state; // for tests and curious users

const $ = (id) => document.getElementById(id);
const fmt = (x, d = 1) => x == null ? "-" : Number(x).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

async function api(method, path, body, as = "json") {
  const res = await fetch(path, {
    method, headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    const data = await res.json().catch(() => ({ detail: [{ loc: [], msg: `HTTP ${res.status}` }] }));
    const err = new Error("request failed");
    err.status = res.status;
    err.detail = Array.isArray(data.detail) ? data.detail : [{ loc: [], msg: String(data.detail) }];
    throw err;
  }
  return as === "json" ? res.json() : res.text();
}

// ---- the scenario as an object, and the URL that restores it -------------------------------------

function getPath(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj, path, value) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (o[k] == null || typeof o[k] !== "object") o[k] = {};
    o = o[k];
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete o[last]; else o[last] = value;
}

function encodeScenario(sc) {
  const bytes = new TextEncoder().encode(JSON.stringify(sc));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeScenario(text) {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
}

function shareUrl() {
  return state.scenario ? `${location.origin}${location.pathname}#s=${encodeScenario(state.scenario)}` : location.href;
}

function requestBody() {
  return state.scenario ? { scenario: state.scenario } : { ...state.source };
}

// ---- the form: main fields, and every key of the scenario's schema ------------------------------

const UNITS = [["_usd_per_kwh", "USD/kWh"], ["_usd_per_h", "USD/h"], ["_gbps", "Gb/s"], ["_usd", "USD"],
  ["_db", "dB"], ["_w", "W"], ["_mm", "mm"], ["_m", "m"], ["_c", "C"], ["_h", "h"], ["_min", "min"], ["_ms", "ms"],
  ["_s", "s"], ["_days", "days"], ["_ev", "eV"]];
const PART_KEYS = { "cluster.gpu": "gpu", "scale_out.switch": "switch", "scale_out.nic": "nic", "scale_out.ocs": "ocs",
  "scale_up.switch": "switch" };
const SKIP = new Set(["name", "catalog", "technologies"]);

function unitOf(key) {
  const hit = UNITS.find(([suffix]) => key.endsWith(suffix));
  return hit ? hit[1] : "";
}

function resolve(node) {
  while (node && node.$ref) node = state.schema.$defs[node.$ref.split("/").pop()];
  return node;
}

// what kind of control a schema node needs, with its range and choices
function controlOf(node, path) {
  let nullable = false;
  if (node.anyOf) {
    nullable = node.anyOf.some((x) => x.type === "null");
    node = { ...resolve(node.anyOf.find((x) => x.type !== "null")), default: node.default, description: node.description };
  }
  node = resolve(node) || {};
  const out = { nullable, def: node.default, description: node.description || "" };
  if (PART_KEYS[path]) return { ...out, kind: "enum", options: state.catalog.filter((p) => p.kind === PART_KEYS[path]).map((p) => p.id) };
  if (node.enum) return { ...out, kind: "enum", options: node.enum };
  if (node.const !== undefined) return { ...out, kind: "enum", options: [node.const] };
  if (node.type === "number" || node.type === "integer") {
    return { ...out, kind: "number", integer: node.type === "integer", min: node.minimum ?? node.exclusiveMinimum,
             max: node.maximum ?? node.exclusiveMaximum, minOpen: node.minimum === undefined && node.exclusiveMinimum !== undefined,
             maxOpen: node.maximum === undefined && node.exclusiveMaximum !== undefined };
  }
  if (node.type === "boolean") return { ...out, kind: "enum", options: [true, false] };
  if (node.type === "string") return { ...out, kind: "text" };
  if (node.type === "object" && node.properties) return { ...out, kind: "section", node };
  return { ...out, kind: "json" };
}

function rangeText(c) {
  const parts = [];
  if (c.min !== undefined || c.max !== undefined) {
    // an open bound of a whole number is the next whole number; of a real number, said as open
    const lo = c.min === undefined ? "any" : !c.minOpen ? `${c.min}` : c.integer ? `${c.min + 1}` : `>${c.min}`;
    const hi = c.max === undefined ? "any" : !c.maxOpen ? `${c.max}` : c.integer ? `${c.max - 1}` : `<${c.max}`;
    parts.push(`${lo} to ${hi}`);
  }
  if (c.def !== undefined && c.def !== null && typeof c.def !== "object") parts.push(`default ${c.def}`);
  else if (c.def === null) parts.push("default: none");
  return parts.join("; ");
}

function controlHtml(path, key, c) {
  const unit = unitOf(key);
  const label = `${esc(key)}${unit ? ` (${esc(unit)})` : ""} <span class="note">${esc(rangeText(c))}</span>`;
  const attrs = `id="f-${esc(path)}" data-path="${esc(path)}" data-kind="${c.kind}" data-nullable="${c.nullable}" title="${esc(c.description)}"`;
  if (c.kind === "enum") {
    const opts = (c.nullable ? [`<option value="">(none)</option>`] : []).concat(
      c.options.map((v) => `<option value="${esc(JSON.stringify(v))}">${esc(v)}</option>`));
    return `<label>${label}<select ${attrs}>${opts.join("")}</select></label>`;
  }
  if (c.kind === "number") {
    return `<label>${label}<input type="number" step="${c.integer ? 1 : "any"}" ${attrs} ` +
      `${c.min !== undefined ? `min="${c.minOpen && c.integer ? c.min + 1 : c.min}"` : ""} ` +
      `${c.max !== undefined ? `max="${c.maxOpen && c.integer ? c.max - 1 : c.max}"` : ""}></label>`;
  }
  return `<label>${label}<input type="text" ${attrs} ${c.kind === "json" ? 'placeholder="JSON"' : ""}></label>`;
}

function sectionHtml(node, prefix, depth) {
  const html = [];
  for (const [key, child] of Object.entries(node.properties || {})) {
    if (!prefix && SKIP.has(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const c = controlOf(child, path);
    if (c.kind === "section" && depth < 2) {
      html.push(`<details data-section="${esc(path)}"><summary>${esc(key)}${c.nullable ? ' <span class="note">(optional section)</span>' : ""}</summary>` +
        (c.nullable ? `<label class="inline"><input type="checkbox" class="section-on" data-section-path="${esc(path)}"> include ${esc(key)}</label>` : "") +
        sectionHtml(c.node, path, depth + 1) + "</details>");
    } else {
      html.push(controlHtml(path, key, c.kind === "section" ? { ...c, kind: "json" } : c));
    }
  }
  return html.join("");
}

function buildAllKeys() {
  $("all-keys").insertAdjacentHTML("beforeend", sectionHtml(state.schema, "", 0));
}

function fillForm(sc) {
  document.querySelectorAll("#scenario-form [data-path]").forEach((el) => {
    const v = getPath(sc, el.dataset.path);
    if (el.tagName === "SELECT" && el.dataset.kind === undefined) {          // a main field: plain ids
      if (v != null && ![...el.options].some((o) => o.value === v)) el.add(new Option(v, v));
      el.value = v ?? "";
    } else if (el.dataset.kind === "enum") {
      const enc = v == null ? "" : JSON.stringify(v);
      if (v != null && ![...el.options].some((o) => o.value === enc)) el.add(new Option(String(v), enc));
      el.value = enc;
    } else if (el.dataset.kind === "json") {
      el.value = v == null ? "" : JSON.stringify(v);
    } else {
      el.value = v ?? "";
    }
  });
  document.querySelectorAll(".section-on").forEach((el) => { el.checked = getPath(sc, el.dataset.sectionPath) != null; });
  for (const t of TECHNOLOGIES) $(`tech-${t}`).checked = sc.technologies.includes(t);
}

// the value an input holds, in the scenario's terms (undefined: the key is left out, its default applies)
function valueOf(el) {
  const raw = el.value;
  if (el.type === "number") return raw === "" ? (el.dataset.nullable === "true" ? null : undefined) : Number(raw);
  if (el.dataset.kind === "enum") return raw === "" ? null : JSON.parse(raw);
  if (el.dataset.kind === "json") {
    if (raw.trim() === "") return el.dataset.nullable === "true" ? null : undefined;
    return JSON.parse(raw);
  }
  return raw === "" ? (el.dataset.nullable === "true" || el.tagName === "SELECT" ? null : undefined) : raw;
}

function applyEdit(el) {
  if (!state.scenario) return false;
  const sc = structuredClone(state.scenario);
  if (el.classList.contains("section-on")) {
    setPath(sc, el.dataset.sectionPath, el.checked ? {} : null);
  } else if (el.closest("#technologies")) {
    sc.technologies = TECHNOLOGIES.filter((t) => $(`tech-${t}`).checked);
  } else if (el.dataset.path) {
    let v;
    try {
      v = valueOf(el);
    } catch (e) {
      el.classList.add("invalid");
      $("errors").innerHTML = `<li>${esc(el.dataset.path)}: not valid JSON (${esc(e.message)})</li>`;
      return false;
    }
    setPath(sc, el.dataset.path, v);
  } else {
    return false;
  }
  if (!state.edited) sc.name = `${sc.name} (edited)`;
  state.edited = true;
  state.scenario = sc;
  return true;
}

function markInvalid(detail) {
  document.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
  for (const d of detail) {
    const loc = (d.loc || []).filter((x) => x !== "body");
    if (loc[0] === "scenario" && loc.length > 1) {
      const path = loc.slice(1).join(".");
      document.querySelectorAll(`[data-path="${CSS.escape(path)}"]`).forEach((el) => el.classList.add("invalid"));
      if (path === "technologies") $("technologies").classList.add("invalid");
    }
  }
}

// ---- results -----------------------------------------------------------------------------

// the reliability choices behind downtime and maintenance, named (issue 20: no silent defaults)
function showAssumptions(eco) {
  const mix = eco.job_mix, pol = eco.repair_policy, fe = eco.failure_effects || {};
  const sizes = mix.jobs.map((j) => `${j.gpus.toLocaleString()} GPUs ${Math.round(j.share * 100)} %`).join(", ");
  const degrade = Object.keys(fe).filter((k) => fe[k].effect === "degrade").map((k) => k.replace(/_/g, " "));
  $("assumptions").innerHTML = [
    `downtime is the network's marginal cost for the <b>job mix ${esc(mix.name)}</b> (${esc(sizes)} of the GPU-hours; ` +
      `placement ${esc(mix.placement)}): ${esc(mix.source)}`,
    `<b>repair policy ${esc(pol.name)}</b>${pol.default ? " (the default)" : ""}${pol.window_days ? `, every ${pol.window_days} days` : ""}`,
    `failures that only degrade bandwidth: ${degrade.length ? esc(degrade.join(", ")) : "none (every failure interrupts the jobs it reaches)"}`,
  ].map((x) => `<li>${x}</li>`).join("");
}

// a table of designs side by side: rows of [label, getter, digits, "min"|"max" for the best]
function sideBySide(el, results, rows) {
  let html = "<thead><tr><th>metric</th>" + results.map((r) => `<th>${esc(r.technology)}</th>`).join("") + "</tr></thead><tbody>";
  for (const [name, get, digits, best] of rows) {
    const vals = results.map((r) => { if (!r.feasible) return null; try { return get(r); } catch (e) { return null; } });
    const ok = vals.filter((v) => typeof v === "number" && isFinite(v));
    const top = best === "min" ? Math.min(...ok) : best === "max" ? Math.max(...ok) : null;
    html += `<tr><td>${esc(name)}</td>` + vals.map((v, i) => {
      if (!results[i].feasible) return `<td class="r">${rows[0][0] === name ? "infeasible" : ""}</td>`;
      const text = typeof v === "number" ? fmt(v, digits) : esc(v ?? "-");
      return `<td class="r${best && v === top ? " win" : ""}">${text}</td>`;
    }).join("") + "</tr>";
  }
  el.innerHTML = html + "</tbody>";
}

const COMPARE_ROWS = [
  ["tiers", (r) => r.topology.tiers, 0],
  ["switches", (r) => r.topology.switches, 0],
  ["optical modules", (r) => r.bom.pluggable_modules, 0],
  ["optical engines", (r) => r.bom.optical_engines, 0],
  ["lasers", (r) => r.bom.lasers, 0],
  ["power (MW)", (r) => r.power_w.total / 1e6, 2, "min"],
  ["power per GPU (W)", (r) => r.power_per_gpu_w, 1, "min"],
  ["capex (M USD)", (r) => r.capex_usd / 1e6, 1, "min"],
  ["capex + energy (M USD)", (r) => r.capex_energy_usd / 1e6, 1, "min"],
];

function showComparison(result) {
  const rs = result.results;
  sideBySide($("metrics"), rs, COMPARE_ROWS);
  // the technology of every link group: a column's own, or the incumbent where its own cannot serve
  const groups = [...new Set(rs.flatMap((r) => (r.link_groups || []).map((g) => g.name)))];
  let extra = "";
  for (const name of groups) {
    extra += `<tr><td>${esc(name)} links</td>` + rs.map((r) => {
      const g = (r.link_groups || []).find((x) => x.name === name);
      if (!r.feasible || !g) return `<td class="r"></td>`;
      const how = g.chosen_by === "incumbent" ? " (incumbent)" : "";
      return `<td class="r tech" data-group="${esc(name)}">${esc(g.technology + how)}</td>`;
    }).join("") + "</tr>";
  }
  $("metrics").querySelector("tbody").insertAdjacentHTML("beforeend", extra);
  $("metrics").dataset.gpus = result.inputs.gpus;
  const lines = [];
  for (const r of rs) {
    for (const reason of r.reasons) lines.push(`<li><b>${esc(r.technology)}</b> is infeasible: ${esc(reason)}</li>`);
    for (const note of r.notes) lines.push(`<li class="note"><b>${esc(r.technology)}</b>: ${esc(note)}</li>`);
  }
  $("infeasible").innerHTML = lines.join("");
}

const RELIABILITY_ROWS = [
  ["hard failures / day", (r) => r.failures_per_day_total, 3, "min"],
  ["GPUs down, mean", (r) => r.gpus_down_mean, 2, "min"],
  ["GPUs down, 99th percentile (Monte Carlo)", (r) => r.monte_carlo.gpus_down_p99, 0, "min"],
  ["bisection availability (%)", (r) => r.bisection_availability * 100, 4, "max"],
  ["job interruptions / day (the mix)", (r) => r.job_interruptions_per_day, 3, "min"],
  ["largest job: interruptions / day", (r) => r.job.interruptions_per_day, 3, "min"],
  ["goodput of the mix (%)", (r) => r.goodput * 100, 2, "max"],
  ["jobs' GPU time the network takes (%)", (r) => r.network_share_of_job_time * 100, 2, "min"],
];

const ECONOMICS_ROWS = [
  ["capex (M USD)", (r) => r.capex_usd / 1e6, 1, "min"],
  ["energy (M USD)", (r) => r.energy_usd / 1e6, 1, "min"],
  ["maintenance (M USD)", (r) => r.maintenance_usd / 1e6, 1, "min"],
  ["downtime (M USD)", (r) => r.downtime_usd / 1e6, 1, "min"],
  ["TCO (M USD)", (r) => r.tco_usd / 1e6, 1, "min"],
  ["NPV of costs (M USD)", (r) => r.npv_usd / 1e6, 1, "min"],
  ["TCO per GPU (USD)", (r) => r.per_gpu.tco_usd, 0, "min"],
];

const COLLECTIVE_ROWS = [
  ["time (us)", (r) => r.time_s * 1e6, 1, "min"],
  ["algbw (Gb/s)", (r) => r.algbw_gbps, 1, "max"],
  ["busbw (Gb/s)", (r) => r.busbw_gbps, 1, "max"],
  ["method", (r) => r.method],
  ["phases", (r) => r.phases.reduce((a, p) => a + p.repeat, 0), 0],
];

const STEP_ROWS = [
  ["step time (s)", (r) => r.step_time_s, 3, "min"],
  ["compute (s)", (r) => r.compute_s, 3],
  ["pipeline bubble (s)", (r) => r.bubble_s, 3],
  ["exposed communication (s)", (r) => r.exposed_comm_total_s, 3, "min"],
  ["exposed share (%)", (r) => r.exposed_share * 100, 1, "min"],
  ["tokens / s", (r) => r.tokens_per_s, 0, "max"],
];

function draw(figures, into = {}) {
  for (const [id, fig] of Object.entries(figures || {})) {
    state.figures[id] = fig;
    const el = $(into[id] || `fig-${id}`);
    if (!el) continue;
    el.classList.add("drawn"); // shown before drawing, so plotly sizes it to the column
    Plotly.react(el, fig.data, fig.layout, { displaylogo: false, responsive: true });
  }
}

// the figures of an analysis tab, drawn when the tab is shown (plotly sizes a figure to its visible box)
const TAB_FIGURES = { reliability: { failures: "fig-rel-failures", "gpus-down": "fig-rel-gpus-down" },
                      economics: { tco: "fig-eco-tco", valuechain: "fig-eco-valuechain" } };

function drawTab(tab) {
  for (const [id, target] of Object.entries(TAB_FIGURES[tab] || {})) {
    const fig = state.figures[id];
    if (fig) { $(target).classList.add("drawn"); Plotly.react($(target), fig.data, fig.layout, { displaylogo: false, responsive: true }); }
  }
}

function clearResults() {
  document.querySelectorAll(".figure").forEach((el) => { Plotly.purge(el); el.classList.remove("drawn"); });
  for (const id of ["metrics", "infeasible", "assumptions", "traffic", "rel-table", "eco-table", "sens-table", "coll-table", "step-table"]) $(id).innerHTML = "";
  $("traffic-note").textContent = "";
  state.figures = {};
  state.results = {};
}

function showErrors(err) {
  const detail = err.detail || [{ loc: [], msg: String(err) }];
  $("errors").innerHTML = detail.map((d) => `<li>${esc((d.loc || []).filter((x) => x !== "body" && x !== "scenario").join("."))}: ${esc(d.msg)}</li>`).join("");
  markInvalid(detail);
}

// Traffic patterns between blocks (lightfabric traffic): the efficiency of each design under uniform
// traffic and under a permutation of blocks; a fabric without blocks says so instead.
async function showTraffic(body, seq) {
  const table = $("traffic");
  try {
    const t = await api("POST", "/api/traffic", body);
    if (seq !== state.seq) return;
    const patterns = Object.keys(t.result);
    const designs = t.result[patterns[0]].results;
    const head = `<tr><th>traffic between blocks</th>${designs.map((d) => `<th>${esc(d.technology)}</th>`).join("")}</tr>`;
    const rows = patterns.map((p) => `<tr><td>${esc(t.result[p].results.find((r) => r.feasible)?.pattern || p)}: ` +
      `share of the GPUs' rate</td>${t.result[p].results.map((r) => `<td>${r.feasible ? (100 * r.efficiency).toFixed(0) + " %" : "-"}</td>`).join("")}</tr>`);
    table.innerHTML = head + rows.join("");
    $("traffic-note").textContent = "";
  } catch (err) {
    if (seq !== state.seq) return;
    table.innerHTML = "";
    $("traffic-note").textContent = "traffic patterns: " + ((err.detail && err.detail[0] && err.detail[0].msg) || "could not run");
  }
}

async function run({ fill = false } = {}) {
  const seq = ++state.seq;
  const body = requestBody();
  $("status").textContent = "building the fabrics...";
  $("errors").innerHTML = "";
  try {
    const cmp = await api("POST", "/api/compare", body);
    if (seq !== state.seq) return;
    markInvalid([]);
    clearResults();
    state.scenario = cmp.scenario;
    if (fill) state.edited = false;
    fillForm(cmp.scenario);
    history.replaceState(null, "", `#s=${encodeScenario(state.scenario)}`);
    $("share-link").value = shareUrl();
    $("title").textContent = `${cmp.scenario.name}${cmp.scenario.description ? ": " + cmp.scenario.description : ""}`;
    state.lastCompare = cmp;
    showComparison(cmp.result);
    draw(cmp.figures);
    $("status").textContent = `${cmp.result.scenario}: ${cmp.result.inputs.headline}; reliability, economics and collectives follow...`;
    const more = requestBody();
    const parts = await Promise.allSettled([
      api("POST", "/api/economics", more),
      api("POST", "/api/reliability", { ...more, trials: 100 }),
      api("POST", "/api/collective", more),
    ]);
    if (seq !== state.seq) return;
    await showTraffic(more, seq);
    if (seq !== state.seq) return;
    const failed = parts.filter((p) => p.status === "rejected");
    parts.filter((p) => p.status === "fulfilled").forEach((p) => draw(p.value.figures));
    if (parts[0].status === "fulfilled") {
      showAssumptions(parts[0].value.result);
      state.results.economics = parts[0].value.result;
      sideBySide($("eco-table"), parts[0].value.result.results, ECONOMICS_ROWS);
    }
    if (parts[1].status === "fulfilled") {
      state.results.reliability = parts[1].value.result;
      sideBySide($("rel-table"), parts[1].value.result.results, RELIABILITY_ROWS);
    }
    if (parts[2].status === "fulfilled") {
      state.results.collective = parts[2].value.result;
      sideBySide($("coll-table"), parts[2].value.result.results, COLLECTIVE_ROWS);
      draw({ collectives: parts[2].value.figures.collectives }, { collectives: "fig-collectives" });
    }
    const active = document.querySelector(".tab.active").dataset.tab;
    drawTab(active);
    $("status").textContent = $("status").textContent.replace("; reliability, economics and collectives follow...",
      failed.length ? `; ${failed.length} analysis(es) could not run` : "");
    if (failed.length) showErrors(failed[0].reason);
    state.updated = (state.updated || 0) + 1;
    document.body.dataset.updated = state.updated;
  } catch (err) {
    if (seq !== state.seq) return;
    clearResults();            // no result of the previous scenario stays beside the new values
    $("status").textContent = err.status ? `the server refused the scenario (HTTP ${err.status})` : "the request failed";
    showErrors(err);
    document.body.dataset.failed = (Number(document.body.dataset.failed || 0) + 1);
  }
}

let timer = null;
function scheduleRun() {
  clearTimeout(timer);
  timer = setTimeout(() => run(), 350);
}

// ---- analyses on demand ---------------------------------------------------------------------

async function runCollective() {
  const body = { ...requestBody(), op: $("coll-op").value, size_bytes: Number($("coll-size").value),
                 simulate: $("coll-simulate").checked };
  if ($("coll-gpus").value) body.gpus = Number($("coll-gpus").value);
  if ($("coll-algorithm").value.trim()) body.algorithm = $("coll-algorithm").value.trim();
  $("coll-status").textContent = "running...";
  try {
    const r = await api("POST", "/api/collective", body);
    sideBySide($("coll-table"), r.result.results, COLLECTIVE_ROWS);
    draw({ coll: r.figures.collectives }, { coll: "fig-coll" });
    $("coll-status").textContent = `${r.result.op} (${r.result.algorithm}) of ${Number(r.result.size_bytes).toExponential(2)} bytes on ${r.result.gpus.toLocaleString()} GPUs`;
  } catch (err) {
    $("coll-table").innerHTML = "";
    $("coll-status").textContent = (err.detail || []).map((d) => d.msg).join("; ") || "could not run";
  }
}

async function runStep() {
  const body = { ...requestBody(), model: $("step-model").value, plan: $("step-plan").value, simulate: $("step-simulate").checked };
  $("step-status").textContent = "running...";
  try {
    const r = await api("POST", "/api/step", body);
    sideBySide($("step-table"), r.result.results, STEP_ROWS);
    $("step-status").textContent = `${r.result.model.name}, ${r.result.plan}, ${r.result.gpu}`;
  } catch (err) {
    $("step-table").innerHTML = "";
    $("step-status").textContent = (err.detail || []).map((d) => d.msg).join("; ") || "could not run";
  }
}

function designRow(r) {
  const s = `${r.topology}, ${r.switch} ${r.port_rate_gbps}G, ${r.tiers} tier(s), ${r.planes} plane(s), 1:${r.oversubscription}` +
    (r.ocs_spine ? ", OCS spine" : "");
  const t = Object.entries(r.technology).map(([k, v]) => `${k}: ${v}`).join(", ");
  return `<td>${esc(s)}</td><td>${esc(t)}</td><td class="r">${fmt(r.tco_usd / 1e6, 1)}</td>` +
    `<td class="r">${fmt(r.capex_usd / 1e6, 1)}</td><td class="r">${fmt(r.network_power_mw, 2)}</td>` +
    `<td class="r">${fmt(r.goodput, 4)}</td><td class="r">${fmt(r.bisection, 3)}</td>`;
}
const DESIGN_HEAD = "<th>structure</th><th>technology per link class</th><th>TCO M USD</th><th>capex M USD</th>" +
  "<th>power MW</th><th>goodput</th><th>bisection</th>";

async function runDesign() {
  const body = { gpus: Number($("design-gpus").value), gpu: $("design-gpu").value, objective: $("design-objective").value,
    constraints: $("design-constraints").value.split(";").map((x) => x.trim()).filter((x) => x) };
  if ($("design-available").value.trim()) body.available_by = $("design-available").value.trim();
  $("design-status").textContent = "searching...";
  $("design-open").disabled = true;
  try {
    const r = await api("POST", "/api/design", body);
    const rep = r.result;
    const s = rep.search;
    $("design-best").innerHTML = rep.best
      ? `<thead><tr>${DESIGN_HEAD}</tr></thead><tbody><tr>${designRow(rep.best)}</tr></tbody>`
      : `<tbody><tr><td>No design meets the constraints${rep.closest ? "; closest: " + esc(rep.closest.design) + " (" + esc(rep.closest.why_not_best) + ")" : ""}</td></tr></tbody>`;
    $("design-runners").innerHTML = rep.runner_ups.length
      ? `<thead><tr>${DESIGN_HEAD}<th>why it lost</th></tr></thead><tbody>` +
        rep.runner_ups.map((x) => `<tr>${designRow(x)}<td>${esc(x.why_not_best)}</td></tr>`).join("") + "</tbody>" : "";
    $("design-status").textContent = `${s.designs_considered.toLocaleString()} designs considered, ` +
      `${s.evaluated.toLocaleString()} evaluated exactly, ${s.pruned_by_bound.toLocaleString()} pruned by bound, ` +
      `${s.ruled_out_by_bound.toLocaleString()} ruled out by a constraint's bound, in ${fmt(s.seconds, 1)} s`;
    state.designScenario = r.scenario;
    $("design-open").disabled = !r.scenario;
  } catch (err) {
    $("design-best").innerHTML = "";
    $("design-runners").innerHTML = "";
    $("design-status").textContent = (err.detail || []).map((d) => d.msg).join("; ") || "could not run";
  }
}

function openDesign() {
  if (!state.designScenario) return;
  state.scenario = state.designScenario;
  state.source = {};
  document.querySelector('.tab[data-tab="compare"]').click();
  run({ fill: true });
}

async function runSensitivity() {
  $("sens-status").textContent = "running (a few seconds)...";
  try {
    const r = await api("POST", "/api/sensitivity", requestBody());
    const t = r.result.tornado;
    const swing = (x) => (t.versus ? x.difference_swing : Math.max(...Object.values(x.swing)));
    const what = t.versus ? `swing of ${t.versus.join(" minus ")} (M USD)` : "largest swing (M USD)";
    $("sens-table").innerHTML = `<thead><tr><th>input</th><th>low</th><th>base</th><th>high</th><th>${esc(what)}</th></tr></thead><tbody>` +
      t.rows.slice(0, 12).map((x) => `<tr><td>${esc(x.label || x.input)}</td><td class="r">${esc(x.low)}</td><td class="r">${esc(x.base)}</td>` +
        `<td class="r">${esc(x.high)}</td><td class="r">${fmt(swing(x) / 1e6, 2)}</td></tr>`).join("") + "</tbody>";
    draw(r.figures, { tornado: "fig-tornado" });
    $("sens-status").textContent = t.versus ? `${t.versus.join(" minus ")}` : "";
  } catch (err) {
    $("sens-status").textContent = (err.detail || []).map((d) => d.msg).join("; ") || "could not run";
  }
}

// ---- take away: files and a link ----------------------------------------------------------------

function saveBlob(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function download(kind) {
  try {
    if (kind === "json") {
      saveBlob("comparison.json", new Blob([JSON.stringify(state.lastCompare.result, null, 2)], { type: "application/json" }));
    } else if (kind === "csv") {
      saveBlob("comparison.csv", new Blob([await api("POST", "/api/compare.csv", requestBody(), "text")], { type: "text/csv" }));
    } else {
      $("status").textContent = "writing the HTML report (every analysis, 50 Monte Carlo trials)...";
      const html = await api("POST", "/api/report", { ...requestBody(), trials: 50, horizon_days: 90 }, "text");
      saveBlob("report.html", new Blob([html], { type: "text/html" }));
      $("status").textContent = "report written";
    }
  } catch (err) {
    showErrors(err);
  }
}

// ---- catalog -----------------------------------------------------------------------------

function showCatalogList() {
  const kind = $("catalog-kind").value;
  const q = $("catalog-search").value.trim().toLowerCase();
  const rows = state.catalog.filter((p) => (!kind || p.kind === kind) &&
    (!q || p.id.includes(q) || p.name.toLowerCase().includes(q)));
  $("catalog-count").textContent = `${rows.length} of ${state.catalog.length} parts`;
  $("catalog-list").innerHTML = "<thead><tr><th>id</th><th>kind</th><th>name</th><th>source kinds</th></tr></thead><tbody>" +
    rows.map((p) => `<tr data-id="${esc(p.id)}"><td>${esc(p.id)}</td><td>${esc(p.kind)}</td><td>${esc(p.name)}</td>` +
      `<td>${esc(p.source_kinds.join(", "))}</td></tr>`).join("") + "</tbody>";
}

function sourceHtml(s) {
  const where = s.url ? `<a href="${esc(s.url)}" target="_blank" rel="noopener noreferrer">${esc(s.title)}</a>` : esc(s.title) + (s.document ? ` (${esc(s.document)})` : "");
  const extra = [s.derivation && `derivation: ${s.derivation}`, s.note].filter(Boolean).map(esc).join("; ");
  return `${where} <span class="note">${esc(s.kind)}${s.confidence ? " (" + esc(s.confidence) + ")" : ""}, ${esc(s.date)}${extra ? "; " + extra : ""}</span>`;
}

async function showPart(id) {
  document.querySelectorAll("#catalog-list tr").forEach((tr) => tr.classList.toggle("sel", tr.dataset.id === id));
  const p = await api("GET", `/api/catalog/${encodeURIComponent(id)}`);
  const rows = p.figures.map((f) => `<tr><td>${esc(f.field)}</td><td>${esc(Array.isArray(f.value) ? f.value.join(", ") : f.value)}</td>` +
    `<td>${f.sources.length ? f.sources.map(sourceHtml).join("<br>") : '<span class="note">model default</span>'}</td></tr>`).join("");
  $("catalog-part").innerHTML = `<h3>${esc(p.id)} <span class="note">(${esc(p.kind)})</span></h3><p>${esc(p.name)}${p.vendor ? " - " + esc(p.vendor) : ""}</p>` +
    (p.notes ? `<p class="note">${esc(p.notes)}</p>` : "") +
    `<table><thead><tr><th>field</th><th>value</th><th>source</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  const [technologies, examples, catalog, schema, models] = await Promise.all(
    [api("GET", "/api/technologies"), api("GET", "/api/examples"), api("GET", "/api/catalog"), api("GET", "/api/schema"),
     api("GET", "/api/models")]);
  TECHNOLOGIES = technologies.map((t) => t.id);
  for (const t of technologies) {
    const label = document.createElement("label");
    label.title = t.label;
    label.innerHTML = `<input type="checkbox" id="tech-${esc(t.id)}" value="${esc(t.id)}"> ${esc(t.id)}`;
    $("technologies").appendChild(label);
  }
  state.catalog = catalog;
  state.schema = schema;
  buildAllKeys();
  for (const e of examples) $("example").add(new Option(`${e.name} (${Number(e.gpus).toLocaleString()} GPUs)`, e.name));
  for (const p of catalog.filter((p) => p.kind === "gpu")) $("gpu").add(new Option(p.id, p.id));
  for (const p of catalog.filter((p) => p.kind === "switch")) $("switch").add(new Option(p.id, p.id));
  for (const k of [...new Set(catalog.map((p) => p.kind))].sort()) $("catalog-kind").add(new Option(k, k));
  for (const m of models) $("step-model").add(new Option(m, m));
  for (const p of catalog.filter((p) => p.kind === "gpu")) $("design-gpu").add(new Option(p.id, p.id));
  $("design-gpu").value = "gb300";

  $("example").addEventListener("change", () => {
    state.source = { example: $("example").value };
    state.scenario = null;
    $("source-note").textContent = "";
    run({ fill: true });
  });
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (!file) return;
    state.source = { yaml: await file.text() };
    state.scenario = null;
    $("source-note").textContent = `using ${file.name}`;
    run({ fill: true });
  });
  $("scenario-form").addEventListener("change", (ev) => {
    if (ev.target.id === "example" || ev.target.id === "upload" || ev.target.id === "share-link") return;
    if (applyEdit(ev.target)) scheduleRun();
  });
  $("scenario-form").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  $("download-csv").addEventListener("click", () => download("csv"));
  $("download-json").addEventListener("click", () => download("json"));
  $("download-report").addEventListener("click", () => download("report"));
  $("share").addEventListener("click", async () => {
    $("share-link").value = shareUrl();
    $("share-link").select();
    try { await navigator.clipboard.writeText(shareUrl()); } catch (e) { /* the field holds it */ }
  });
  $("coll-run").addEventListener("click", runCollective);
  $("step-run").addEventListener("click", runStep);
  $("design-run").addEventListener("click", runDesign);
  $("design-open").addEventListener("click", openDesign);
  $("run-sensitivity").addEventListener("click", runSensitivity);
  document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((x) => x.classList.toggle("active", x === b));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("active", p.id === `tab-${b.dataset.tab}`));
    drawTab(b.dataset.tab);
  }));
  $("catalog-kind").addEventListener("change", showCatalogList);
  $("catalog-search").addEventListener("input", showCatalogList);
  $("catalog-list").addEventListener("click", (ev) => { const tr = ev.target.closest("tr[data-id]"); if (tr) showPart(tr.dataset.id); });
  showCatalogList();
  const shared = location.hash.match(/^#s=([A-Za-z0-9_-]+)$/);
  if (shared) {
    try {
      state.scenario = decodeScenario(shared[1]);
      $("source-note").textContent = "from the link";
    } catch (e) {
      $("source-note").textContent = "the link's scenario could not be read; the default is shown";
    }
  }
  await run({ fill: !shared });
}

start().catch((err) => { $("status").textContent = "could not start: " + err; });
