// lightfabric web page: pick or upload a scenario, edit its main fields, see the comparison and figures.
// Talks only to this server's JSON API (/api/...); draws with the plotly.js it serves.
"use strict";

let TECHNOLOGIES = []; // from GET /api/technologies: the registry's link technologies and spine designs
const EDIT_FIELDS = ["gpus", "gpu", "switch", "port_rate_gbps", "electricity_usd_per_kwh"];
const state = { source: { example: "default" }, edits: {}, seq: 0, catalog: [] };
window.lightfabric = state; // for tests and curious users

const $ = (id) => document.getElementById(id);
const fmt = (x, d = 1) => x == null ? "-" : Number(x).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({ detail: [{ loc: [], msg: `HTTP ${res.status}` }] }));
  if (!res.ok) {
    const err = new Error("request failed");
    err.status = res.status;
    err.detail = Array.isArray(data.detail) ? data.detail : [{ loc: [], msg: String(data.detail) }];
    throw err;
  }
  return data;
}

// ---- the form ----------------------------------------------------------------------------

function readEdits() {
  const edits = {};
  for (const f of EDIT_FIELDS) {
    const el = $(f);
    if (el.value === "") continue;
    edits[f] = el.type === "number" ? Number(el.value) : el.value;
  }
  edits.technologies = TECHNOLOGIES.filter((t) => $(`tech-${t}`).checked);
  return edits;
}

function fillForm(sc) {
  $("gpus").value = sc.cluster.gpus;
  ensureOption($("gpu"), sc.cluster.gpu); $("gpu").value = sc.cluster.gpu;
  // a torus names no switch or port rate: the fields stay empty and are not sent
  if (sc.scale_out.switch) ensureOption($("switch"), sc.scale_out.switch);
  $("switch").value = sc.scale_out.switch || "";
  $("port_rate_gbps").value = sc.scale_out.port_rate_gbps ?? "";
  $("electricity_usd_per_kwh").value = sc.economics.electricity_usd_per_kwh;
  for (const t of TECHNOLOGIES) $(`tech-${t}`).checked = sc.technologies.includes(t);
}

function ensureOption(select, value) {
  if (![...select.options].some((o) => o.value === value)) select.add(new Option(value, value));
}

function markInvalid(detail) {
  document.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
  for (const d of detail) {
    const loc = d.loc || [];
    if (loc[1] === "edits" && loc[2]) {
      const el = loc[2] === "technologies" ? $("technologies") : $(loc[2]);
      if (el) el.classList.add("invalid");
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

const ROWS = [
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
  let html = "<thead><tr><th>metric</th>" + rs.map((r) => `<th>${esc(r.technology)}</th>`).join("") + "</tr></thead><tbody>";
  for (const [name, get, digits, best] of ROWS) {
    const vals = rs.map((r) => (r.feasible ? get(r) : null));
    const ok = vals.filter((v) => v != null);
    const top = best ? Math.min(...ok) : null;
    html += `<tr><td>${esc(name)}</td>` + vals.map((v, i) => {
      if (!rs[i].feasible) return `<td class="r">${name === "tiers" ? "infeasible" : ""}</td>`;
      return `<td class="r${best && v === top ? " win" : ""}">${fmt(v, digits)}</td>`;
    }).join("") + "</tr>";
  }
  // the technology of every link group: a column's own, or the incumbent where its own cannot serve
  const groups = [...new Set(rs.flatMap((r) => (r.link_groups || []).map((g) => g.name)))];
  for (const name of groups) {
    html += `<tr><td>${esc(name)} links</td>` + rs.map((r) => {
      const g = (r.link_groups || []).find((x) => x.name === name);
      if (!r.feasible || !g) return `<td class="r"></td>`;
      const how = g.chosen_by === "incumbent" ? " (incumbent)" : "";
      return `<td class="r tech" data-group="${esc(name)}">${esc(g.technology + how)}</td>`;
    }).join("") + "</tr>";
  }
  $("metrics").innerHTML = html + "</tbody>";
  $("metrics").dataset.gpus = result.inputs.gpus;
  const lines = [];
  for (const r of rs) {
    for (const reason of r.reasons) lines.push(`<li><b>${esc(r.technology)}</b> is infeasible: ${esc(reason)}</li>`);
    for (const note of r.notes) lines.push(`<li class="note"><b>${esc(r.technology)}</b>: ${esc(note)}</li>`);
  }
  $("infeasible").innerHTML = lines.join("");
}

function draw(figures) {
  for (const [id, fig] of Object.entries(figures || {})) {
    const el = $(`fig-${id}`);
    if (!el) continue;
    el.classList.add("drawn"); // shown before drawing, so plotly sizes it to the column
    Plotly.react(el, fig.data, fig.layout, { displaylogo: false, responsive: true });
  }
}

function clearFigures() {
  document.querySelectorAll(".figure").forEach((el) => { Plotly.purge(el); el.classList.remove("drawn"); });
}

function showErrors(err) {
  const detail = err.detail || [{ loc: [], msg: String(err) }];
  $("errors").innerHTML = detail.map((d) => `<li>${esc((d.loc || []).filter((x) => x !== "body").join("."))}: ${esc(d.msg)}</li>`).join("");
  markInvalid(detail);
}

async function run({ fill = false } = {}) {
  const seq = ++state.seq;
  const body = { ...state.source, edits: fill ? undefined : readEdits() };
  $("status").textContent = "building the fabrics...";
  $("errors").innerHTML = "";
  try {
    const cmp = await api("POST", "/api/compare", body);
    if (seq !== state.seq) return;
    markInvalid([]);
    if (fill) fillForm(cmp.scenario);
    state.lastCompare = cmp;
    showComparison(cmp.result);
    clearFigures();
    draw(cmp.figures);
    $("status").textContent = `${cmp.result.scenario}: ${cmp.result.inputs.headline}; reliability, economics and collectives follow...`;
    const more = { ...body, edits: readEdits() };
    const parts = await Promise.allSettled([
      api("POST", "/api/economics", more),
      api("POST", "/api/reliability", { ...more, trials: 100 }),
      api("POST", "/api/collective", more),
    ]);
    if (seq !== state.seq) return;
    await showTraffic(more, seq);
    const failed = parts.filter((p) => p.status === "rejected");
    parts.filter((p) => p.status === "fulfilled").forEach((p) => draw(p.value.figures));
    if (parts[0].status === "fulfilled") showAssumptions(parts[0].value.result);
    $("status").textContent = $("status").textContent.replace("; reliability, economics and collectives follow...",
      failed.length ? `; ${failed.length} analysis(es) could not run` : "");
    if (failed.length) showErrors(failed[0].reason);
    state.updated = (state.updated || 0) + 1;
    document.body.dataset.updated = state.updated;
  } catch (err) {
    if (seq !== state.seq) return;
    $("status").textContent = err.status ? `the server refused the scenario (HTTP ${err.status})` : "the request failed";
    showErrors(err);
    document.body.dataset.failed = (Number(document.body.dataset.failed || 0) + 1);
  }
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

let timer = null;
function scheduleRun() {
  clearTimeout(timer);
  timer = setTimeout(() => run(), 350);
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
  const [technologies, examples, catalog] = await Promise.all(
    [api("GET", "/api/technologies"), api("GET", "/api/examples"), api("GET", "/api/catalog")]);
  TECHNOLOGIES = technologies.map((t) => t.id);
  for (const t of technologies) {
    const label = document.createElement("label");
    label.title = t.label;
    label.innerHTML = `<input type="checkbox" id="tech-${esc(t.id)}" value="${esc(t.id)}"> ${esc(t.id)}`;
    $("technologies").appendChild(label);
  }
  state.catalog = catalog;
  for (const e of examples) $("example").add(new Option(`${e.name} (${Number(e.gpus).toLocaleString()} GPUs)`, e.name));
  for (const p of catalog.filter((p) => p.kind === "gpu")) $("gpu").add(new Option(p.id, p.id));
  for (const p of catalog.filter((p) => p.kind === "switch")) $("switch").add(new Option(p.id, p.id));
  for (const k of [...new Set(catalog.map((p) => p.kind))].sort()) $("catalog-kind").add(new Option(k, k));

  $("example").addEventListener("change", () => {
    state.source = { example: $("example").value };
    $("source-note").textContent = "";
    run({ fill: true });
  });
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (!file) return;
    state.source = { yaml: await file.text() };
    $("source-note").textContent = `using ${file.name}`;
    run({ fill: true });
  });
  $("scenario-form").addEventListener("change", (ev) => { if (ev.target.id !== "example" && ev.target.id !== "upload") scheduleRun(); });
  $("scenario-form").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
  document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((x) => x.classList.toggle("active", x === b));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("active", p.id === `tab-${b.dataset.tab}`));
  }));
  $("catalog-kind").addEventListener("change", showCatalogList);
  $("catalog-search").addEventListener("input", showCatalogList);
  $("catalog-list").addEventListener("click", (ev) => { const tr = ev.target.closest("tr[data-id]"); if (tr) showPart(tr.dataset.id); });
  showCatalogList();
  await run({ fill: true });
}

start().catch((err) => { $("status").textContent = "could not start: " + err; });
