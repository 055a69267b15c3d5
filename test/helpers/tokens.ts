// Tokens for tests: the local host's own issuer (src/local/local-issuer.ts) posing as an Entra ID
// tenant (its issuer and tenant id), minting access tokens for any caller; a second key, never
// published, for forged tokens.
import { generateKeyPair, type CryptoKey } from "jose";
import type { TokenSettings } from "../../src/app/tokens.js";
import { startLocalIssuer } from "../../src/local/local-issuer.js";

export const TENANT = "11111111-2222-3333-4444-555555555555";
export const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
export const AUDIENCE = "api://aks-provisioner-test";

export interface Person {
  oid: string;
  upn: string;
  name: string;
  roles: string[];
}

export interface MintOptions {
  claims?: Record<string, unknown>;
  forged?: boolean;
  issuer?: string;
  audience?: string;
  expires?: string | number;
}

export interface TokenIssuer {
  settings: TokenSettings;
  mint(who: Person, change?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const issuer = await startLocalIssuer({ tenant: TENANT, issuer: ISSUER, audience: AUDIENCE });
  const forger: CryptoKey = (await generateKeyPair("RS256")).privateKey;
  return {
    settings: issuer.settings,
    mint: (p, change = {}) =>
      issuer.sign(
        { oid: p.oid, upn: p.upn, name: p.name, roles: p.roles, azp: "caller-app", ...change.claims },
        { issuer: change.issuer, audience: change.audience, expires: change.expires ?? "10m", key: change.forged ? forger : undefined },
      ),
    close: () => issuer.close(),
  };
}
