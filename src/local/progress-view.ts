// The CLI's progress display on stderr: in a terminal, one row per step redrawn in place; otherwise
// (a pipe, a CI log) a plain line each time a step's state changes.
import type { StatusDocument, StepStatus } from "../app/status.js";

export interface ProgressView {
  show(doc: StatusDocument): void;
}

const detail = (s: StepStatus) =>
  [s.waitingFor && `waiting: ${s.waitingFor}`, s.lastError && `retry ${s.attempts}: ${s.lastError.code}`, s.error && `${s.error.code}: ${s.error.message}`].filter(Boolean).join("; ");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function progressView(out: NodeJS.WriteStream, started: number): ProgressView {
  return out.isTTY ? new LiveRows(out, started) : new PlainLines(out, started);
}

class PlainLines implements ProgressView {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly started: number,
  ) {}

  show(doc: StatusDocument): void {
    for (const s of doc.steps) {
      const line = `${s.state}${detail(s) ? ` (${detail(s)})` : ""}`;
      if (this.seen.get(s.name) === line) continue;
      this.seen.set(s.name, line);
      this.out.write(`[${seconds(Date.now() - this.started).padStart(7)}] ${s.name.padEnd(40)} ${line}\n`);
    }
  }
}

const MARK: Record<string, string> = { Succeeded: "✓", Failed: "✗", Running: "…", Pending: " ", Canceled: "-" };

class LiveRows implements ProgressView {
  private drawn = 0;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly started: number,
  ) {}

  show(doc: StatusDocument): void {
    const width = this.out.columns > 0 ? Math.max(40, this.out.columns) : 100; // a terminal of unknown size reports 0
    const nameWidth = Math.min(40, Math.max(...doc.steps.map((s) => s.name.length), 4));
    const rows = [
      `${doc.id}: ${doc.status} (${doc.state}) after ${seconds(Date.now() - this.started)}`,
      ...doc.steps.map((s) => `${MARK[s.state] ?? " "} ${s.name.padEnd(nameWidth)} ${s.state.padEnd(9)} ${detail(s)}`),
    ].map((r) => (r.length > width - 1 ? `${r.slice(0, width - 2)}…` : r)); // never wrap: the redraw counts rows
    // Back to the first row drawn last time, rewrite every row, clear what is left below.
    const up = this.drawn ? `\x1b[${this.drawn}F` : "";
    this.out.write(`${up}${rows.map((r) => `\x1b[2K${r}\n`).join("")}\x1b[J`);
    this.drawn = rows.length;
  }
}
