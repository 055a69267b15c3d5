// ARM error messages reach the status document and the logs; some echo what they were sent or
// found (a connection string, a SAS URL, a key, a bearer token). Anything shaped like a secret is
// replaced before it is shown.
const PATTERNS: [RegExp, string][] = [
  // Connection-string parts: AccountKey=…, SharedAccessKey=…, Password=…
  [/\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|ClientSecret|Secret)\s*=\s*[^;\s"']+/gi, "$1=[redacted]"],
  // SAS query parameters: sig=…, and the token as a whole after `?sv=`
  [/([?&](?:sig|se|st|sp|skoid|sktid|skt|ske|sks|skv|sv|sr|spr)=)[^&\s"']+/gi, "$1[redacted]"],
  // Authorization headers and bearer tokens
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g, "$1 [redacted]"],
  // JSON Web Tokens
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, "[redacted-jwt]"],
  // "key": "…", key: …, secret/token/password fields in echoed JSON or YAML
  [/(["']?(?:[A-Za-z]*(?:key|secret|token|password))["']?\s*[:=]\s*["']?)[^\s"',;&]{6,}/gi, "$1[redacted]"],
  // Base64 keys (storage and Service Bus keys are 44 or 88 characters ending in '='), and long hex or
  // base64 runs without a path separator
  [/[A-Za-z0-9+/]{40,}={1,2}/g, "[redacted]"],
  [/\b[A-Za-z0-9+]{64,}\b/g, "[redacted]"],
];

export function redact(text: string): string {
  return PATTERNS.reduce((t, [re, by]) => t.replace(re, by), text);
}
