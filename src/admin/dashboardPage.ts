// The operations dashboard: one self-contained HTML page (inline CSS and JS, SVG sparklines, no CDN, no
// framework), polling /admin/dashboard.json every 2 seconds. Data is written with textContent only, never as HTML,
// since client names come from tokens. The CSP allows exactly this script and style, and requests to this origin.
import { createHash } from 'node:crypto';

const STYLE = `
:root { --bg: #0f1419; --panel: #182029; --line: #2a3440; --text: #e6edf3; --dim: #8b98a5; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #58a6ff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--text); }
header { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header .meta { color: var(--dim); font-size: 12px; }
header .live { margin-left: auto; font-size: 12px; color: var(--dim); }
header .live.stale { color: var(--bad); }
main { padding: 18px 24px; display: grid; gap: 18px; }
.cards { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 14px; }
.card, section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { color: var(--dim); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 28px; font-weight: 600; margin: 2px 0 6px; font-variant-numeric: tabular-nums; }
.card .value.bad { color: var(--bad); } .card .value.warn { color: var(--warn); }
.card .sub { color: var(--dim); font-size: 12px; }
svg.spark { width: 100%; height: 36px; display: block; }
svg.spark path { fill: none; stroke: var(--accent); stroke-width: 1.5; }
svg.spark path.area { fill: rgba(88, 166, 255, .12); stroke: none; }
.cols { display: grid; grid-template-columns: 3fr 2fr; gap: 18px; }
h2 { font-size: 13px; margin: 0 0 10px; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 5px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--dim); font-weight: 500; font-size: 12px; }
th:first-child, td:first-child { text-align: left; }
td.spark-cell { width: 120px; } td.spark-cell svg.spark { height: 22px; }
.kind { color: var(--dim); font-size: 11px; margin-left: 6px; }
.empty { color: var(--dim); padding: 8px 0; }
ul.alerts { list-style: none; margin: 0; padding: 0; }
ul.alerts li { padding: 6px 0; border-bottom: 1px solid var(--line); display: flex; gap: 10px; }
.badge { font-size: 11px; padding: 1px 7px; border-radius: 10px; font-weight: 600; height: fit-content; }
.badge.firing { background: rgba(248, 81, 73, .2); color: var(--bad); }
.badge.resolved { background: rgba(63, 185, 80, .2); color: var(--ok); }
.subs-head { display: flex; align-items: baseline; gap: 14px; }
.subs-head .value { font-size: 28px; font-weight: 600; font-variant-numeric: tabular-nums; }
.subs-head .sub { color: var(--dim); font-size: 12px; }
.when { color: var(--dim); font-size: 12px; margin-left: auto; white-space: nowrap; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var FEED = location.origin + '/admin/dashboard.json';
  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function num(n, digits) {
    if (n === null || n === undefined || isNaN(n)) return '–';
    return n.toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 1 : digits });
  }
  function pct(f) { return f === null || f === undefined ? '–' : num(f * 100, 2) + ' %'; }
  function ms(v) { return v === null || v === undefined ? '–' : v < 10 ? num(v, 2) + ' ms' : num(v, 0) + ' ms'; }
  function spark(values) {
    var svgNs = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 100 30');
    svg.setAttribute('preserveAspectRatio', 'none');
    var max = 0;
    values.forEach(function (v) { if (v !== null && v > max) max = v; });
    if (values.length < 2) return svg;
    var step = 100 / (values.length - 1);
    var line = '';
    values.forEach(function (v, i) {
      var y = 29 - (max > 0 && v !== null ? (v / max) * 27 : 0);
      line += (i === 0 ? 'M' : 'L') + (i * step).toFixed(2) + ' ' + y.toFixed(2) + ' ';
    });
    var area = document.createElementNS(svgNs, 'path');
    area.setAttribute('class', 'area');
    area.setAttribute('d', line + 'L100 30 L0 30 Z');
    var path = document.createElementNS(svgNs, 'path');
    path.setAttribute('d', line);
    svg.appendChild(area);
    svg.appendChild(path);
    return svg;
  }
  function setSpark(id, values) { var box = $(id); box.replaceChildren(spark(values)); }
  function row(cells) {
    var tr = el('tr');
    cells.forEach(function (cell) {
      var td = el('td', cell && cell.className);
      if (cell && cell.node) td.appendChild(cell.node); else td.textContent = cell;
      tr.appendChild(td);
    });
    return tr;
  }
  function ago(iso) {
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  }

  function render(d) {
    var r = d.requests;
    $('rps').textContent = num(r.perSecond, 1);
    $('rps-sub').textContent = num(r.total, 0) + ' requests in ' + d.windowSeconds / 60 + ' min';
    $('error-rate').textContent = pct(r.errorRate);
    $('error-rate').className = 'value' + (r.errorRate >= 0.05 ? ' bad' : r.errorRate > 0 ? ' warn' : '');
    $('error-sub').textContent = num(r.errors, 0) + ' with errors, ' + num(r.rejected, 0) + ' refused';
    $('p99').textContent = ms(r.p99Ms);
    $('p99-sub').textContent = 'p50 ' + ms(r.p50Ms) + ' · p95 ' + ms(r.p95Ms);
    $('limited').textContent = num(d.rateLimited.total, 0);
    $('limited-sub').textContent = 'rate limit and cost rejections';
    $('firing').textContent = num(d.alerts.firing.length, 0);
    $('firing').className = 'value' + (d.alerts.firing.length > 0 ? ' bad' : '');
    $('firing-sub').textContent = d.alerts.firing.length ? d.alerts.firing.map(function (a) { return a.key; }).join(', ') : 'all clear';
    setSpark('rps-spark', r.series.requestsPerSecond);
    setSpark('error-spark', r.series.errorRate);
    setSpark('p99-spark', r.series.p99Ms);
    setSpark('limited-spark', d.rateLimited.series);

    var services = $('services');
    services.replaceChildren();
    d.services.forEach(function (s) {
      var name = el('span', null, s.name);
      var cell = el('span');
      cell.appendChild(name);
      cell.appendChild(el('span', 'kind', s.kind));
      services.appendChild(row([{ node: cell }, num(s.callsPerSecond, 1), pct(s.errorRate), ms(s.p50Ms), ms(s.p95Ms), ms(s.p99Ms), { node: spark(s.series.p95Ms), className: 'spark-cell' }]));
    });
    $('services-empty').hidden = d.services.length > 0;

    var clients = $('clients');
    clients.replaceChildren();
    d.topClients.forEach(function (c) {
      clients.appendChild(row([c.client + (c.plan ? ' (' + c.plan + ')' : ''), num(c.actualCost || c.estimatedCost, 0), num(c.operations, 0), num(c.errors, 0), num(c.rejected, 0)]));
    });
    $('clients-empty').hidden = d.topClients.length > 0;

    var alerts = $('alerts');
    alerts.replaceChildren();
    d.alerts.recent.forEach(function (a) {
      var li = el('li');
      li.appendChild(el('span', 'badge ' + a.state, a.state));
      li.appendChild(el('span', null, a.key + ': ' + a.summary));
      li.appendChild(el('span', 'when', ago(a.at)));
      alerts.appendChild(li);
    });
    $('alerts-empty').hidden = d.alerts.recent.length > 0;

    var subs = d.subscriptions;
    $('subscriptions').hidden = !subs;
    if (subs) {
      $('subs-open').textContent = num(subs.open, 0);
      var upstreams = Object.keys(subs.upstreams).map(function (k) { return k + ' ' + subs.upstreams[k]; });
      $('subs-sub').textContent = num(subs.deliveredPerSecond, 1) + ' events/s delivered · ' + num(subs.receivedPerSecond, 1) + ' events/s received · upstream: ' + (upstreams.length ? upstreams.join(', ') : 'none');
      setSpark('subs-spark', subs.series.deliveredPerSecond);
      var byOp = $('subs-rows');
      byOp.replaceChildren();
      subs.byOperation.forEach(function (g) {
        var protocols = Object.keys(g.protocols).map(function (k) { return k + ' ' + g.protocols[k]; }).join(', ');
        byOp.appendChild(row([g.operation, g.client, num(g.open, 0), protocols, num(g.eventsPerSecond, 1)]));
      });
      $('subs-empty').hidden = subs.byOperation.length > 0;
    }

    $('supergraph').textContent = d.supergraph.hash ? 'supergraph ' + d.supergraph.hash.slice(0, 12) + ' · ' + d.supergraph.reloads + ' reloads' : 'no supergraph loaded';
    $('updated').textContent = 'updated ' + new Date(d.generatedAt).toLocaleTimeString();
    $('updated').className = 'live';
    document.body.setAttribute('data-loaded', 'true');
  }

  function poll() {
    fetch(FEED, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.json(); })
      .then(render)
      .catch(function (e) { $('updated').textContent = 'feed unavailable (' + e.message + ')'; $('updated').className = 'live stale'; })
      .then(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
`;

const BODY = `
<header>
  <h1>Tollgate</h1><span class="meta" id="supergraph"></span>
  <span class="live" id="updated">loading…</span>
</header>
<main>
  <div class="cards">
    <div class="card"><div class="label">Requests / s</div><div class="value" id="rps">–</div><div id="rps-spark"></div><div class="sub" id="rps-sub"></div></div>
    <div class="card"><div class="label">Error rate</div><div class="value" id="error-rate">–</div><div id="error-spark"></div><div class="sub" id="error-sub"></div></div>
    <div class="card"><div class="label">p99 latency</div><div class="value" id="p99">–</div><div id="p99-spark"></div><div class="sub" id="p99-sub"></div></div>
    <div class="card"><div class="label">Rate-limit hits</div><div class="value" id="limited">–</div><div id="limited-spark"></div><div class="sub" id="limited-sub"></div></div>
    <div class="card"><div class="label">Alerts firing</div><div class="value" id="firing">–</div><div class="sub" id="firing-sub"></div></div>
  </div>
  <div class="cols">
    <section>
      <h2>Subgraphs and REST services (last 5 min)</h2>
      <table><thead><tr><th>service</th><th>calls/s</th><th>errors</th><th>p50</th><th>p95</th><th>p99</th><th>p95 trend</th></tr></thead><tbody id="services"></tbody></table>
      <div class="empty" id="services-empty">No calls yet.</div>
    </section>
    <section>
      <h2>Top clients by cost (today, UTC)</h2>
      <table><thead><tr><th>client</th><th>cost</th><th>operations</th><th>errors</th><th>refused</th></tr></thead><tbody id="clients"></tbody></table>
      <div class="empty" id="clients-empty">No traffic today.</div>
    </section>
  </div>
  <section id="subscriptions" hidden>
    <h2>Open subscriptions (this gateway; events/s over the last 10 s)</h2>
    <div class="subs-head"><div class="value" id="subs-open">–</div><div class="sub" id="subs-sub"></div></div>
    <div id="subs-spark"></div>
    <table><thead><tr><th>operation</th><th>client</th><th>open</th><th>protocols</th><th>events/s</th></tr></thead><tbody id="subs-rows"></tbody></table>
    <div class="empty" id="subs-empty">No open subscriptions.</div>
  </section>
  <section>
    <h2>Recent alerts</h2>
    <ul class="alerts" id="alerts"></ul>
    <div class="empty" id="alerts-empty">No alerts.</div>
  </section>
</main>
`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tollgate dashboard</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only this page's own script and style run; it talks to this origin only, and can't be framed. */
export const DASHBOARD_CSP = `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;
