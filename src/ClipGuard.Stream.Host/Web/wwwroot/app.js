// ClipGuard operator console. Plain ES module, no dependencies. Every value that comes from a crawled sample
// (ids, captions, sources) is attacker-controlled, so it only ever reaches the page through textContent.

const TOKEN_KEY = "clipguard.token";
const POLL_SECONDS = 2;
const CHART_POINTS = 90;
const PAGE_SIZE = 25;
const CAMPAIGN_PAGE_SIZE = 50;

const $ = (id) => document.getElementById(id);
const state = { offset: 0, query: {}, rows: 0, chart: [], last: null, poll: null, current: null, urls: new Set() };

class Unauthorized extends Error {}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { ...(options.headers || {}), Authorization: `Bearer ${token}` };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    throw new Unauthorized();
  }
  return response;
}

async function apiJson(path, options) {
  const response = await api(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok && response.status !== 409) {
    throw new Error(body.error || body.detail || `${response.status} ${response.statusText}`);
  }
  return body;
}

// ---- login ----------------------------------------------------------------------------------------------------

function showLogin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(state.poll);
  state.poll = null;
  for (const d of [$("detail"), $("confirm-dialog")]) {
    if (d.open) d.close();
  }
  $("app-view").hidden = true;
  $("login-view").hidden = false;
  $("login-error").hidden = !message;
  $("login-error").textContent = message || "";
  $("token").value = "";
  $("token").focus();
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
  try {
    await apiJson("/api/counters");
  } catch (e) {
    showLogin(e instanceof Unauthorized ? "That token was refused." : `Cannot reach the service: ${e.message}`);
    return;
  }
  await showApp();
}

async function showApp() {
  $("login-view").hidden = true;
  $("app-view").hidden = false;
  $("poll-seconds").textContent = String(POLL_SECONDS);
  state.chart = [];
  state.last = null;
  await guarded(Promise.all([pollCounters(), loadList(), loadCampaigns()]));
  state.poll = setInterval(() => guarded(pollCounters()), POLL_SECONDS * 1000);
}

// Any call that meets a 401 sends the operator back to the login form; other failures are shown and kept.
async function guarded(promise) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof Unauthorized) {
      showLogin("Your session ended or the token was refused; sign in again.");
    } else {
      toast(e.message, true);
    }
    return undefined;
  }
}

// ---- counters and the rate chart --------------------------------------------------------------------------------

async function pollCounters() {
  const c = await apiJson("/api/counters");
  $("count-quarantined").textContent = c.quarantined;
  $("count-awaiting").textContent = c.awaitingDecision;
  $("count-released").textContent = c.released;
  $("count-rejected").textContent = c.rejected;
  const now = performance.now();
  if (state.last) {
    const minutes = (now - state.last.at) / 60000;
    const rate = Math.max(0, c.quarantined - state.last.quarantined) / minutes;
    state.chart.push(rate);
    if (state.chart.length > CHART_POINTS) state.chart.shift();
    $("chart-now").textContent = `${rate.toFixed(1)} / min now`;
  }
  state.last = { at: now, quarantined: c.quarantined };
  drawChart();
  showModel(await apiJson("/api/model"));
}

// The model the stream embeds with: the sentinel checkpoint in use and its age, the configured model, or none.
function showModel(m) {
  const cell = $("model-in-use");
  if (!m.stream) {
    cell.textContent = "—";
    cell.title = "this process runs no stream";
  } else if (!m.model) {
    cell.textContent = "embeddings in messages";
    cell.title = "no model is configured: the crawler sends the embeddings";
  } else if (m.sentinelVersion > 0) {
    cell.textContent = `sentinel v${m.sentinelVersion} · ${age(m.sentinelAgeSeconds)} old`;
    cell.title = `${m.model}, trained ${new Date(m.sentinelTrainedAt).toLocaleString()}`;
  } else {
    cell.textContent = "configured model";
    cell.title = m.model;
  }
}

function age(seconds) {
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

function svg(name, attributes) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
  return element;
}

function drawChart() {
  // The SVG stretches to the card's width, so it holds only lines; the labels are HTML and keep their shape.
  const chart = $("chart");
  const [w, h, pad] = [600, 140, 10];
  const peak = Math.max(1, ...state.chart);
  $("chart-peak").textContent = `${peak.toFixed(1)} / min`;
  $("chart-wait").hidden = state.chart.length >= 2;
  chart.replaceChildren(
    svg("line", { x1: 0, y1: h - pad, x2: w, y2: h - pad, class: "axis" }),
    svg("line", { x1: 0, y1: pad, x2: w, y2: pad, class: "grid" }));
  if (state.chart.length < 2) return;
  const step = w / (CHART_POINTS - 1);
  const x0 = w - step * (state.chart.length - 1);
  const points = state.chart.map((v, i) => `${(x0 + i * step).toFixed(1)},${(h - pad - (v / peak) * (h - 2 * pad)).toFixed(1)}`);
  chart.append(svg("polyline", { points: points.join(" "), class: "rate" }));
}

// ---- the list ---------------------------------------------------------------------------------------------------

function readFilters() {
  const form = new FormData($("filters"));
  const query = {};
  for (const [k, v] of form.entries()) {
    if (String(v).trim() !== "") query[k] = String(v).trim();
  }
  return query;
}

async function loadList() {
  const params = new URLSearchParams({ ...state.query, offset: state.offset, count: PAGE_SIZE });
  const page = await apiJson(`/api/quarantine?${params}`);
  for (const url of state.urls) URL.revokeObjectURL(url);
  state.urls.clear();
  const rows = page.items.map(row);
  $("rows").replaceChildren(...rows);
  state.rows = rows.length;
  $("empty").hidden = rows.length > 0;
  $("prev").disabled = state.offset === 0;
  $("next").disabled = rows.length < PAGE_SIZE;
  $("page-label").textContent = rows.length ? `${state.offset + 1}–${state.offset + rows.length}` : "";
  $("list-note").hidden = !page.scanLimited;
  $("list-note").textContent = page.scanLimited
    ? "The search stopped after the newest 20,000 samples; narrow it by source to look further back." : "";
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

function scoreCell(item) {
  const td = cell("", "score");
  const ratio = item.threshold > 0 ? item.score / item.threshold : 1;
  const bar = document.createElement("span");
  bar.className = "bar";
  const fill = document.createElement("span");
  fill.style.width = `${Math.min(100, (ratio / 3) * 100)}%`;
  fill.className = ratio >= 1 ? "over" : "under";
  bar.append(fill);
  const text = document.createElement("span");
  text.textContent = `${fmt(item.score)} / ${fmt(item.threshold)}`;
  td.append(text, bar);
  td.title = `${item.detector}, k = ${item.k}: score ${ratio.toFixed(2)}× the threshold`;
  return td;
}

function row(item) {
  const tr = document.createElement("tr");
  tr.dataset.id = item.id;
  tr.tabIndex = 0;
  const thumb = document.createElement("img");
  thumb.className = "thumb";
  thumb.alt = `thumbnail of ${item.id}`;
  loadThumbnail(thumb, item.id, 96);
  const image = cell("");
  image.append(thumb);
  tr.append(image, cell(item.id, "mono"), cell(item.caption, "caption"), scoreCell(item), cell(item.source ?? "—"),
    cell(item.campaign ?? "—", "mono"), cell(new Date(item.quarantinedAt).toLocaleString()));
  tr.addEventListener("click", () => guarded(openDetail(item.id)));
  tr.addEventListener("keydown", (e) => { if (e.key === "Enter") guarded(openDetail(item.id)); });
  return tr;
}

// <img> cannot send the bearer token, so thumbnails are fetched with it and shown from a blob URL.
async function loadThumbnail(img, id, size) {
  try {
    const response = await api(`/api/quarantine/${encodeURIComponent(id)}/thumbnail?size=${size}`);
    if (!response.ok) return;
    img.dataset.kind = response.headers.get("X-ClipGuard-Thumbnail") || "";
    const url = URL.createObjectURL(await response.blob());
    state.urls.add(url);
    img.src = url;
  } catch (e) {
    if (e instanceof Unauthorized) showLogin("Your session ended or the token was refused; sign in again.");
  }
}

// ---- detail, release and reject ------------------------------------------------------------------------------------

function fact(list, name, value) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

async function openDetail(id) {
  const item = await apiJson(`/api/quarantine/${encodeURIComponent(id)}`);
  state.current = item;
  $("detail-id").textContent = item.id;
  $("detail-caption").textContent = item.caption || "(no caption)";
  const facts = $("detail-facts");
  facts.replaceChildren();
  fact(facts, "status", item.status);
  fact(facts, "score", `${fmt(item.score)} (threshold ${fmt(item.threshold)}, ${item.detector}, k = ${item.k})`);
  fact(facts, "source", item.source ?? "—");
  if (item.campaign) fact(facts, "campaign", item.campaign);
  fact(facts, "model", item.modelVersion);
  if (item.recalledFrom) {
    fact(facts, "recalled", `routed clean under ${item.recalledFrom}, recalled by the sentinel ${item.modelVersion}`);
  }
  fact(facts, "reference", `${item.referenceSize} samples, version ${item.referenceVersion}`);
  fact(facts, "from", `${item.sourceTopic} [${item.sourcePartition}] @ ${item.sourceOffset}`);
  fact(facts, "quarantined", new Date(item.quarantinedAt).toLocaleString());
  $("detail-neighbours").replaceChildren(...item.neighbours.map((n) => {
    const tr = document.createElement("tr");
    tr.append(cell(n.id, "mono"), cell(fmt(n.distance)));
    return tr;
  }));
  const open = item.status === "quarantined";
  $("release-button").disabled = !open;
  $("reject-button").disabled = !open;
  $("detail-status").textContent = open ? "" : `Already ${item.status}: no decision to make.`;
  const img = $("detail-thumb");
  img.removeAttribute("src");
  img.alt = `image of ${item.id}`;
  loadThumbnail(img, item.id, 256);
  if (!$("detail").open) $("detail").showModal();
}

// One confirmation dialog for every decision; the reason goes into the audit trail (required for a whole campaign).
function ask({ title, text, ok, danger, reasonRequired }, onOk) {
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  $("confirm-ok").className = danger ? "danger" : "primary";
  const reason = $("confirm-reason");
  reason.value = "";
  reason.required = reasonRequired;
  const dialog = $("confirm-dialog");
  dialog.returnValue = "";
  dialog.onclose = () => {
    if (dialog.returnValue === "ok") onOk(reason.value);
  };
  dialog.showModal();
}

function confirmDecision(action) {
  const item = state.current;
  const release = action === "release";
  ask({
    title: release ? "Release this sample?" : "Reject this sample?",
    text: release
      ? `“${item.id}” will be published to the clean topic and can then reach training data. This cannot be undone.`
      : `“${item.id}” will stay out of the training data for good. This cannot be undone.`,
    ok: release ? "Release" : "Reject",
    danger: !release,
    reasonRequired: false,
  }, (reason) => guarded(decide(action, item.id, reason)));
}

// POSTs a release or reject (of one sample or a whole campaign) with its reason, then refreshes what it changed.
async function postDecision(path, reason, report) {
  const result = await apiJson(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ reason }),
  });
  report(result);
  await Promise.all([loadList(), pollCounters(), loadCampaigns()]);
}

async function decide(action, id, reason) {
  await postDecision(`/api/quarantine/${encodeURIComponent(id)}/${action}`, reason, (result) => {
    toast(result.outcome === "applied" ? `${id}: ${result.status}` : `${id}: ${result.detail}`, result.outcome !== "applied");
    if ($("detail").open) $("detail").close();
  });
}

// ---- campaigns ------------------------------------------------------------------------------------------------------

async function loadCampaigns() {
  const page = await apiJson(`/api/campaigns?count=${CAMPAIGN_PAGE_SIZE}`);
  $("campaign-rows").replaceChildren(...page.items.map(campaignRow));
  $("campaigns-empty").hidden = page.items.length > 0;
}

function button(text, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (className) b.className = className;
  b.addEventListener("click", onClick);
  return b;
}

function campaignRow(c) {
  const tr = document.createElement("tr");
  tr.dataset.campaign = c.id;
  const release = button("Release all…", "primary", () => confirmCampaign("release", c));
  const reject = button("Reject all…", "danger", () => confirmCampaign("reject", c));
  release.disabled = reject.disabled = c.quarantined === 0;
  const buttons = document.createElement("div");
  buttons.className = "row-actions";
  buttons.append(button("Show", "", () => showCampaign(c.id)), release, reject);
  const actions = cell("");
  actions.append(buttons);
  tr.append(cell(c.id, "mono"), cell(new Date(c.latestAt).toLocaleString()), cell(c.quarantined, "num"),
    cell(c.releasing, "num"), cell(c.released, "num"), cell(c.rejected, "num"), actions);
  return tr;
}

// Lists the campaign's members (whatever the status filter says) in the samples list above.
function showCampaign(id) {
  $("filter-campaign").value = id;
  state.query = readFilters();
  state.offset = 0;
  guarded(loadList());
}

function confirmCampaign(action, c) {
  const release = action === "release";
  const members = `${c.quarantined} sample${c.quarantined === 1 ? "" : "s"} of campaign “${c.id}” awaiting a decision`;
  ask({
    title: release ? "Release the whole campaign?" : "Reject the whole campaign?",
    text: release
      ? `${members} will be published to the clean topic and can then reach training data. Members decided earlier are left as they are. This cannot be undone.`
      : `${members} will stay out of the training data for good. Members decided earlier are left as they are. This cannot be undone.`,
    ok: release ? "Release all" : "Reject all",
    danger: !release,
    reasonRequired: true,
  }, (reason) => guarded(decideCampaign(action, c.id, reason)));
}

async function decideCampaign(action, id, reason) {
  await postDecision(`/api/campaigns/${encodeURIComponent(id)}/${action}`, reason, (result) => {
    const first = result.failures[0];
    const failed = first ? `, ${result.failed} failed (first: ${first.id}, ${first.detail || first.outcome})` : "";
    toast(`${id}: ${result.applied} ${result.decision}, ${result.skipped} skipped${failed}`, result.failed > 0);
  });
}

// ---- small things -------------------------------------------------------------------------------------------------

function fmt(x) {
  return typeof x === "number" ? x.toPrecision(4) : String(x);
}

let toastTimer;
function toast(message, error = false) {
  const t = $("toast");
  t.textContent = message;
  t.className = error ? "error" : "";
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
}

function init() {
  $("login-form").addEventListener("submit", signIn);
  $("logout-button").addEventListener("click", () => showLogin(""));
  $("filters").addEventListener("submit", (e) => {
    e.preventDefault();
    state.query = readFilters();
    state.offset = 0;
    guarded(loadList());
  });
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); guarded(loadList()); });
  $("next").addEventListener("click", () => { state.offset += PAGE_SIZE; guarded(loadList()); });
  $("detail-close").addEventListener("click", () => $("detail").close());
  $("release-button").addEventListener("click", () => confirmDecision("release"));
  $("reject-button").addEventListener("click", () => confirmDecision("reject"));
  $("campaigns-refresh").addEventListener("click", () => guarded(loadCampaigns()));
  state.query = readFilters();
  if (sessionStorage.getItem(TOKEN_KEY)) {
    guarded(showApp());
  } else {
    showLogin("");
  }
}

init();
