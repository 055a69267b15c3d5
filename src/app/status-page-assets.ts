// The status page's style and its one script, inline (no extra round trip; the page is one response).
import { createHash } from "node:crypto";

// Colours: text on its badge ≥ 4.5:1, bars against the track ≥ 3:1 (WCAG 1.4.3, 1.4.11). Running
// bars are striped and Canceled ones hatched, so the three dark fills differ without colour too.
export const PAGE_STYLE = `
:root{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1a19;background:#fff}
body{margin:0 auto;max-width:72rem;padding:1rem 1.5rem}
a{color:#005a9e}
:focus-visible{outline:3px solid #005a9e;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.25rem .5rem}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.25rem 0 .5rem}h3{font-size:1rem;margin:0}
code{font-size:.85em;word-break:break-all}
table{border-collapse:collapse;width:100%}caption{text-align:left;padding:.5rem 0;color:#484644}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d2d0ce}
.filters{display:flex;gap:1rem;align-items:end;flex-wrap:wrap;margin:.5rem 0}
.filters label{display:flex;flex-direction:column;font-weight:600;font-size:.9rem}
input,select,button{font:inherit;padding:.3rem .5rem;border:1px solid #605e5c;border-radius:3px}
button{background:#005a9e;color:#fff;border-color:#005a9e;cursor:pointer}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-weight:600;font-size:.85rem;white-space:nowrap}
.s-Succeeded{background:#dff6dd;color:#0b5a08}.s-Failed,.s-Rejected{background:#fde7e9;color:#a4262c}
.s-Running{background:#deecf9;color:#004578}.s-Pending,.s-Accepted{background:#f3f2f1;color:#3b3a39}.s-Canceled{background:#edebe9;color:#3b3a39}
.timeline{list-style:none;padding:0;margin:0}
.step{border-bottom:1px solid #edebe9;padding:.35rem 0}
.row{display:grid;grid-template-columns:17rem 7.5rem 1fr;gap:.75rem;align-items:center}
.row h3{font-size:.9rem;font-weight:600;overflow-wrap:anywhere}
.track{position:relative;height:.9rem;background:#f3f2f1;border:1px solid #c8c6c4}
.notes{margin-left:26rem;font-size:.85rem}.notes p{margin:.1rem 0}.deps{color:#484644}
summary{cursor:pointer;color:#005a9e;width:max-content}
.bar{height:100%}
.b-Succeeded{background:#107c10}.b-Failed{background:#c50f1f}
.b-Running{background:repeating-linear-gradient(45deg,#0078d4 0 6px,#005a9e 6px 12px)}
.b-Canceled{background:repeating-linear-gradient(-45deg,#8a8886 0 3px,#f3f2f1 3px 6px)}
.axis{display:flex;justify-content:space-between;color:#484644;font-size:.85rem;margin:0 0 0 26rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.25rem 0 0;font-size:.9rem}
dt{color:#484644}dd{margin:0}
.error{color:#a4262c}section.error{border-left:4px solid #c50f1f;padding:.25rem .75rem;background:#fdf3f4}
pre{background:#f3f2f1;padding:.75rem;overflow:auto}
@media (max-width:50rem){.row{grid-template-columns:1fr auto}.track{grid-column:1/-1}.notes,.axis{margin-left:0}}
`;

// Fetches the page again after main[data-refresh] seconds and swaps <main> (focus and open details kept by id), as
// long as the new page still asks for a refresh; the live region gets the new summary.
export const PAGE_SCRIPT = `(function(){
function schedule(){var m=document.getElementById("main");var s=m&&Number(m.dataset.refresh);if(s>0)setTimeout(refresh,s*1000)}
function refresh(){fetch(location.href,{headers:{accept:"text/html"},cache:"no-store"}).then(function(r){return r.ok?r.text():Promise.reject(r.status)}).then(function(t){
var next=new DOMParser().parseFromString(t,"text/html").getElementById("main");var cur=document.getElementById("main");if(!next||!cur)return;
var f=document.activeElement&&document.activeElement.id;
cur.querySelectorAll("details[open]").forEach(function(d){var n=next.querySelector("#"+CSS.escape(d.id));if(n)n.open=true});cur.replaceWith(next);if(f&&document.getElementById(f))document.getElementById(f).focus();
var live=document.getElementById("live");if(live.textContent!==next.dataset.summary)live.textContent=next.dataset.summary;schedule()},function(){setTimeout(refresh,5000)})}
schedule()})();`;

/** For the Content-Security-Policy: this script and nothing else may run. */
export const PAGE_SCRIPT_HASH = `sha256-${createHash("sha256").update(PAGE_SCRIPT).digest("base64")}`;
