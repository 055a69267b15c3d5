// The storage emulator's well-known account (Azurite's, published in its documentation), and the
// one storage connection string the app accepts: that account on a loopback address. Everywhere
// else storage is reached with the managed identity; a connection string with a real key is refused.

export const EMULATOR_ACCOUNT = "devstoreaccount1";
export const EMULATOR_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/** Azurite's default Table port (what `UseDevelopmentStorage=true` means). */
export const EMULATOR_TABLE_PORT = 10002;

export const emulatorConnectionString = (tableEndpoint: string) =>
  `DefaultEndpointsProtocol=http;AccountName=${EMULATOR_ACCOUNT};AccountKey=${EMULATOR_KEY};TableEndpoint=${tableEndpoint};`;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * The emulator's Table connection string for an AzureWebJobsStorage value, or a reason it is not
 * one: `UseDevelopmentStorage=true`, or the well-known account and key with a loopback TableEndpoint.
 */
export function emulatorTableConnection(value: string): { ok: true; connectionString: string } | { ok: false; reason: string } {
  if (/^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value)) {
    return { ok: true, connectionString: emulatorConnectionString(`http://127.0.0.1:${EMULATOR_TABLE_PORT}/${EMULATOR_ACCOUNT}`) };
  }
  const parts = new Map(
    value
      .split(";")
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => [p.slice(0, p.indexOf("=")).toLowerCase(), p.slice(p.indexOf("=") + 1)] as const),
  );
  if (parts.get("accountname") !== EMULATOR_ACCOUNT || parts.get("accountkey") !== EMULATOR_KEY) return { ok: false, reason: `only the storage emulator's account (${EMULATOR_ACCOUNT}, its well-known key) is accepted as a connection string` };
  let endpoint: URL;
  try {
    endpoint = new URL(parts.get("tableendpoint") ?? "");
  } catch {
    return { ok: false, reason: "TableEndpoint is missing or not a URL" };
  }
  if (!LOOPBACK.has(endpoint.hostname)) return { ok: false, reason: `TableEndpoint ${endpoint.host} is not a loopback address` };
  return { ok: true, connectionString: emulatorConnectionString(endpoint.toString().replace(/\/$/, "")) };
}
