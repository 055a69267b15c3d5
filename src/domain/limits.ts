// The limits of the request contract (docs/contract.md), checked on the text before it is parsed,
// so that no input can make the app hang, overflow its stack or write a row Table Storage refuses.
// The same checks run for `POST /api/requests` (with or without ?whatIf=true), the
// `cluster-requests` queue and `npm run provision`.
import type { ValidationError } from "./validation-error.js";

export const LIMITS = {
  /** Bytes of the request's JSON text. A request of this contract is a few KB; 100 pools fit in 40. */
  requestBytes: 256 * 1024,
  /** Nesting of objects and arrays. The contract's deepest field is 4 levels down. */
  depth: 16,
  /** AKS: at most 100 node pools per cluster. */
  nodePools: 100,
  connectedClusters: 50,
  addressPrefixes: 16,
  /** ARM: 50 tags per resource; the app adds two of its own (managed-by, aks-provisioner-request). */
  tags: 48,
  tagName: 512,
  tagValue: 256,
  /** Any other string field (names are shorter by their own patterns). */
  string: 1024,
  /** Problems listed in one rejection; the count of the rest is given. */
  errorsListed: 100,
} as const;

type Parsed = { ok: true; value: unknown } | { ok: false; errors: ValidationError[] };

/** Parses a request's JSON text after checking its size and nesting depth. */
export function parseRequestText(text: string): Parsed {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > LIMITS.requestBytes) return tooLarge(bytes);
  const depth = textDepth(text);
  if (depth > LIMITS.depth) return tooDeep();
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, errors: [{ path: "", message: `the body is not JSON: ${(e as Error).message}` }] };
  }
}

/** The same checks for a body that arrives already decoded (a queue message sent as an object). */
export function checkDecoded(value: unknown): Parsed {
  if (valueDepth(value) > LIMITS.depth) return tooDeep();
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
  if (bytes > LIMITS.requestBytes) return tooLarge(bytes);
  return { ok: true, value };
}

const tooLarge = (bytes: number): Parsed => ({ ok: false, errors: [{ path: "", message: `the request is ${bytes} bytes; at most ${LIMITS.requestBytes} are accepted` }] });
const tooDeep = (): Parsed => ({ ok: false, errors: [{ path: "", message: `the request nests objects or arrays more than ${LIMITS.depth} levels deep` }] });

/** Deepest bracket nesting of JSON text, brackets inside strings not counted (one pass, no recursion). */
export function textDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Deepest nesting of a decoded value, without recursion (a 10,000-deep value must not overflow the stack). */
export function valueDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (!v || typeof v !== "object") continue;
    max = Math.max(max, d + 1);
    if (max > LIMITS.depth) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** At most LIMITS.errorsListed problems, and one line saying how many more there are. */
export function capErrors(errors: ValidationError[]): ValidationError[] {
  // A path or message can quote an unknown field's name, which may be as long as the request.
  const short = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);
  const listed = errors.slice(0, LIMITS.errorsListed).map((e) => ({ ...e, path: short(e.path), message: short(e.message) }));
  if (errors.length <= LIMITS.errorsListed) return listed;
  return [...listed, { path: "", message: `and ${errors.length - LIMITS.errorsListed} more problem(s)` }];
}
