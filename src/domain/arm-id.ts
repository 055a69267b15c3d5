// Resource ids a request names (an existing subnet) and the scopes of ALLOWED_SCOPES, read by ARM's
// naming rules segment by segment. Scope checks compare these segments, never text prefixes: an id
// is sent to ARM by the SDK's by-id calls without re-encoding, and an HTTP client resolves `.` and
// `..` segments (Node's URL turns `rg-a/../rg-b` into `rg-b`) and decodes nothing else, so a segment
// that is `.` or `..`, or carries `%`, `?`, `#` or `\`, could name another resource than the text
// seems to — such an id is refused outright.

/**
 * What is wrong with one segment of a resource id, by ARM's naming rules: no name is empty, `.` or
 * `..`, none ends with `.`, and none holds `%` `?` `#` `\` or a control character (nor `/`: that
 * separates segments).
 */
export function segmentProblem(segment: string): string | undefined {
  if (!segment) return "has an empty segment ('//' or a trailing '/')";
  if (segment === "." || segment === "..") return `has a '${segment}' segment`;
  if (/[%?#\\]/.test(segment)) return `has '${segment.match(/[%?#\\]/)![0]}' in segment '${segment}'`;
  if (/[\u0000-\u001f\u007f]/.test(segment)) return "has a control character";
  if (segment.endsWith(".")) return `has segment '${segment}' ending with '.'`;
  return undefined;
}

export type ParsedId = { ok: true; segments: string[] } | { ok: false; problem: string };

/** `/subscriptions/{id}/…` split into its segments, each checked by segmentProblem. */
export function parseArmId(id: string): ParsedId {
  if (!id.startsWith("/subscriptions/")) return { ok: false, problem: "does not start with /subscriptions/" };
  const segments = id.slice(1).split("/");
  for (const s of segments) {
    const problem = segmentProblem(s);
    if (problem) return { ok: false, problem };
  }
  return { ok: true, segments };
}

/** Whether `id` is `scope` or lies under it: parsed, case-folded segments, the scope's a prefix of the id's. */
export function isUnder(id: string, scope: string): boolean {
  const a = parseArmId(id);
  const s = parseArmId(scope);
  if (!a.ok || !s.ok || s.segments.length > a.segments.length) return false;
  return s.segments.every((seg, i) => seg.toLowerCase() === a.segments[i].toLowerCase());
}
