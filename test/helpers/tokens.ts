// A local token issuer for tests: an RS256 key pair whose public half is served as a JWKS over HTTP
// (as Entra ID publishes its keys), and access tokens minted with it for any caller; a second key,
// never published, for forged tokens.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import type { TokenSettings } from "../../src/app/tokens.js";

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
  const pair = await generateKeyPair("RS256", { extractable: true });
  const forger: CryptoKey = (await generateKeyPair("RS256")).privateKey;
  const published = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" }] });
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(published));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
  return {
    settings: { audiences: [AUDIENCE], issuers: [ISSUER], jwksUri, tenantId: TENANT },
    mint: (p, change = {}) =>
      new SignJWT({ oid: p.oid, upn: p.upn, name: p.name, roles: p.roles, tid: TENANT, azp: "caller-app", ...change.claims })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(change.issuer ?? ISSUER)
        .setAudience(change.audience ?? AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(change.expires ?? "10m")
        .sign(change.forged ? forger : pair.privateKey),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
