// The status page: server-rendered HTML, no framework, no bundle. A list of recent requests and,
// for one request, its steps as a timeline (a bar per step from start to finish). Colour is never
// the only carrier: every bar has its state in words beside it and a text label. While the request
// runs, a small inline script fetches the page again at the monitor's Retry-After and swaps <main>
// (a <noscript> meta refresh does the same without script); a polite live region says what changed.
import type { DriftedCluster } from "./drift.js";
import { describeRequester, type RequestedBy } from "../domain/caller.js";
import type { RequestSummary } from "./request-list.js";
import { isTerminal, retryAfterSeconds, type StatusDocument, type StepStatus } from "./status.js";
import type { ErrorInfo } from "../domain/records.js";
import { PAGE_SCRIPT, PAGE_STYLE } from "./status-page-assets.js";

export interface PageLinks {
  /** Where the list lives ("" on the local host's root, "/api/status" in Azure). */
  base: string;
  /** Query string every link keeps (the function key, `code=…`, when the page was opened with one). */
  keep: string;
}

const esc = (s: unknown) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STATE_MARK: Record<string, string> = { Succeeded: "✓", Failed: "✗", Running: "●", Pending: "○", Accepted: "○", Canceled: "⊘", Rejected: "✗" };
const badge = (state: string) => `<span class="badge s-${esc(state)}"><span aria-hidden="true">${STATE_MARK[state] ?? ""}</span> ${esc(state)}</span>`;

const clock = (iso: string) => `<time datetime="${esc(iso)}">${esc(iso.slice(11, 19))} UTC</time>`;
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
const link = (links: PageLinks, path: string) => esc(`${links.base}${path}${links.keep ? `?${links.keep}` : ""}`);
const requesterName = (r: RequestedBy | undefined) => (r ? (r.userPrincipalName ?? r.displayName ?? r.appId ?? r.objectId ?? r.via) : "unknown");
const clusterName = (target: string) => target.split("/").filter(Boolean).at(-1) ?? target;

function layout(title: string, refreshSeconds: number | undefined, main: string, summary: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
${refreshSeconds !== undefined ? `<noscript><meta http-equiv="refresh" content="${refreshSeconds}"></noscript>` : ""}
<style>${PAGE_STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<p id="live" class="sr-only" aria-live="polite">${esc(summary)}</p>
<main id="main" tabindex="-1"${refreshSeconds !== undefined ? ` data-refresh="${refreshSeconds}"` : ""} data-summary="${esc(summary)}">
${main}
</main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

export interface ListView {
  requests: RequestSummary[];
  /** Rows that could not be read and are not in the list. */
  unreadable?: number;
  state?: string;
  cluster?: string;
  states: readonly string[];
  /** Held clusters whose hardened settings differ from what ARM shows now. */
  drifted?: DriftedCluster[];
}

/** Per drifted cluster, the diff: each setting with its desired and actual value and what restoring does. */
function renderDrift(drifted: DriftedCluster[]): string {
  if (!drifted.length) return "";
  const value = (v: unknown) => `<code>${esc(v === null ? "(absent)" : JSON.stringify(v))}</code>`;
  const cluster = (c: DriftedCluster) => {
    const name = clusterName(c.id);
    const rows = c.drift
      .map((e) => `<tr><th scope="row"><code>${esc(e.setting)}</code></th><td>${value(e.desired)}</td><td>${value(e.actual)}</td><td>${esc(e.via)} ${clock(e.detectedAt)}</td><td>${esc(e.restore ?? (c.policy === "report" ? "reported only (driftPolicy report)" : ""))}</td></tr>`)
      .join("\n");
    return `<table class="drift" id="drift-${esc(slug(name))}">
<caption><span title="${esc(c.id)}">${esc(name)}</span>: ${c.drift.length} setting(s) changed outside this app; held since request ${esc(c.heldBy)}</caption>
<thead><tr><th scope="col">Setting</th><th scope="col">Desired</th><th scope="col">Actual</th><th scope="col">Seen</th><th scope="col">Restore</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  };
  return `<section class="drifted" aria-labelledby="drift-h"><h2 id="drift-h">Drifted clusters (${drifted.length})</h2>
${drifted.map(cluster).join("\n")}
</section>`;
}

export function renderRequestList(view: ListView, links: PageLinks, now: Date): string {
  const running = view.requests.filter((r) => !isTerminal(r.state)).length;
  const rows = view.requests
    .map(
      (r) => `<tr>
<td><a href="${link(links, `/requests/${encodeURIComponent(r.id)}`)}">${esc(r.id)}</a></td>
<td>${esc(r.operation)}</td>
<td><span title="${esc(r.target)}">${esc(clusterName(r.target))}</span></td>
<td>${esc(requesterName(r.requestedBy))}</td>
<td>${badge(r.state)}</td>
<td><time datetime="${esc(r.createdAt)}">${duration(now.getTime() - Date.parse(r.createdAt))} ago</time></td>
</tr>`,
    )
    .join("\n");
  const options = ["", ...view.states].map((s) => `<option value="${esc(s)}"${s === (view.state ?? "") ? " selected" : ""}>${s ? esc(s) : "any"}</option>`).join("");
  const keep = new URLSearchParams(links.keep);
  const main = `${renderDrift(view.drifted ?? [])}
<h1>Requests</h1>
<form method="get" action="${esc(links.base || "/")}" class="filters" role="search">
${[...keep].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join("")}
<label>State <select name="state">${options}</select></label>
<label>Cluster <input name="cluster" value="${esc(view.cluster ?? "")}" placeholder="name or resource id"></label>
<button type="submit">Filter</button>
</form>
<table>
<caption>${view.requests.length} request(s), newest first${running ? `, ${running} in progress` : ""}${view.unreadable ? `; ${view.unreadable} could not be read and are not shown` : ""}</caption>
<thead><tr><th scope="col">Request</th><th scope="col">Operation</th><th scope="col">Target</th><th scope="col">Requested by</th><th scope="col">State</th><th scope="col">Age</th></tr></thead>
<tbody>
${rows || `<tr><td colspan="6">No requests${view.state || view.cluster ? " match the filter" : " yet"}.</td></tr>`}
</tbody>
</table>`;
  const drifted = view.drifted?.length ? `; ${view.drifted.length} cluster(s) drifted` : "";
  return layout("Requests — aks-provisioner", running ? 5 : undefined, main, `${view.requests.length} requests, ${running} in progress${drifted}`);
}

export function renderRequestPage(doc: StatusDocument, links: PageLinks, now: Date): string {
  const t0 = Date.parse(doc.createdAt);
  const ends = doc.steps.flatMap((s) => [s.finishedAt, s.startedAt]).filter((x): x is string => !!x).map(Date.parse);
  const t1 = isTerminal(doc.state) ? Math.max(t0, Date.parse(doc.updatedAt), ...ends) : Math.max(now.getTime(), ...ends);
  const span = Math.max(1000, t1 - t0);
  const pct = (t: number) => ((Math.min(Math.max(t, t0), t1) - t0) / span) * 100;
  const done = doc.steps.filter((s) => s.state === "Succeeded").length;
  const running = doc.steps.filter((s) => s.state === "Running").map((s) => s.name);
  const summary = `${doc.state}: ${done} of ${doc.steps.length} steps succeeded${running.length ? `; running: ${running.join(", ")}` : ""}`;

  const step = (s: StepStatus) => {
    const start = s.startedAt ? Date.parse(s.startedAt) : undefined;
    const end = s.finishedAt ? Date.parse(s.finishedAt) : s.state === "Running" ? t1 : start;
    const label = start === undefined ? `${s.state}: not started` : `${s.state}: from ${s.startedAt!.slice(11, 19)} UTC for ${duration(end! - start)}`;
    const bar =
      start === undefined
        ? `<div class="track" role="img" aria-label="${esc(label)}"></div>`
        : `<div class="track" role="img" aria-label="${esc(label)}"><div class="bar b-${esc(s.state)}" style="margin-left:${pct(start).toFixed(2)}%;width:${Math.max(0.6, pct(end!) - pct(start)).toFixed(2)}%"></div></div>`;
    // Always in view: what the step waits for, its errors, what it comes after. On demand: the rest.
    const notes = [
      s.dependsOn.length ? `<p class="deps">after ${s.dependsOn.map((d) => `<a href="#step-${esc(slug(d))}">${esc(d)}</a>`).join(", ")}</p>` : "",
      s.waitingFor ? `<p>Waiting for ${esc(s.waitingFor)}</p>` : "",
      s.nextCheckAt ? `<p>Next check ${clock(s.nextCheckAt)} (in ${duration(Date.parse(s.nextCheckAt) - now.getTime())})</p>` : "",
      s.lastError ? `<p>Attempt ${s.attempts}; last transient error ${armError(s.lastError)}</p>` : "",
      s.error ? `<p class="error">${armError(s.error)}</p>` : "",
    ].join("");
    const facts = [
      `<dt>Writes</dt><dd>${esc(s.description)}</dd>`,
      s.resourceId ? `<dt>Resource</dt><dd><code>${esc(s.resourceId)}</code></dd>` : "",
      s.startedAt ? `<dt>Time</dt><dd>${clock(s.startedAt)}${s.finishedAt ? ` – ${clock(s.finishedAt)}` : ""} (${duration(end! - start!)})</dd>` : "",
      `<dt>Attempts</dt><dd>${s.attempts}; ARM writes: ${s.armWrites}</dd>`,
    ].join("");
    return `<li id="step-${esc(slug(s.name))}" class="step">
<div class="row"><h3>${esc(s.name)}</h3>${badge(s.state)}${bar}</div>
<div class="notes">${notes}<details id="details-${esc(slug(s.name))}"><summary>Details<span class="sr-only"> of ${esc(s.name)}</span></summary><dl>${facts}</dl></details></div>
</li>`;
  };

  const error = doc.error
    ? `<section class="error" aria-labelledby="err-h"><h2 id="err-h">Error</h2><p>${armError(doc.error)}</p>${
        doc.error.details?.length ? `<ul>${doc.error.details.map((d) => `<li>${d.target ? `<code>${esc(d.target)}</code>: ` : ""}${esc(d.message)}</li>`).join("")}</ul>` : ""
      }</section>`
    : "";
  const outputs = doc.outputs && Object.keys(doc.outputs).length ? `<h2>Outputs</h2><pre>${esc(JSON.stringify(doc.outputs, null, 2))}</pre>` : "";
  const warnings = doc.warnings?.length ? `<ul class="warnings">${doc.warnings.map((w) => `<li>Warning: ${esc(w)}</li>`).join("")}</ul>` : "";
  const main = `<p><a href="${link(links, "")}">All requests</a></p>
<h1>Request ${esc(doc.id)}</h1>
<p class="summary">${badge(doc.state)} <span>${esc(doc.operation)} of <code>${esc(doc.target)}</code></span></p>
<p class="requester">Requested by ${esc(describeRequester(doc.requestedBy))}.</p>
<p>Created ${clock(doc.createdAt)}, updated ${clock(doc.updatedAt)}${doc.cancelRequestedAt ? `, cancel requested ${clock(doc.cancelRequestedAt)}` : ""}. ${esc(summary)}.</p>
${warnings}
${error}
<h2>Timeline</h2>
<p class="axis"><span>${clock(doc.createdAt)}</span><span>${duration(span)}</span></p>
<ol class="timeline">
${doc.steps.map(step).join("\n")}
</ol>
${outputs}`;
  return layout(`${doc.id}: ${doc.state} — aks-provisioner`, retryAfterSeconds(doc, now), main, summary);
}

const armError = (e: ErrorInfo | { code: string; message: string }) => `<strong>${esc(e.code)}</strong>: ${esc(e.message)}`;
const slug = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, "-");
