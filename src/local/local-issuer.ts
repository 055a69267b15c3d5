// A token issuer of the local host's own (AUTH_MODE=local on npm start): an RS256 key pair made at
// start, its public half published as a JWKS on loopback (as Entra ID publishes its tenant's keys),
// and access tokens signed with it for whichever caller and app roles a developer names (POST
// /local/token on the host; `npm run provision -- token`). The app checks them exactly as it checks
// Entra ID's (src/app/tokens.ts): only the issuer, its keys and the audience are this host's. The
// keys live as long as the host: a token outlives neither.
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import type { TokenSettings } from "../app/tokens.js";

export const LOCAL_TENANT = "00000000-0000-0000-0000-0000000010ca";
export const LOCAL_AUDIENCE = "api://aks-provisioner-local";
export const LOCAL_ISSUER = "https://aks-provisioner.local/issuer";

/** Who a local token says the caller is. */
export interface LocalCaller {
  /** The display name (`name`); the object id is derived from it, so one name is one caller. */
  name: string;
  roles: string[];
  upn?: string;
}

export interface SignOptions {
  issuer?: string;
  audience?: string;
  /** `exp`: a time span ("10m") or seconds since the epoch. */
  expires?: string | number;
  /** Another key than the published one (a forged token, in tests). */
  key?: CryptoKey;
}

export interface LocalIssuer {
  /** What the app checks tokens against (RunnerSettings.auth). */
  settings: TokenSettings;
  /** Signs these claims, with the tenant's `tid` unless they say otherwise. */
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** An access token for a caller, valid for an hour. */
  tokenFor(caller: LocalCaller): Promise<string>;
  close(): Promise<void>;
}

/** The object id a local caller of this name has: stable across tokens and host runs. */
export function localObjectId(name: string): string {
  const h = createHash("sha256").update(`aks-provisioner-local/${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export async function startLocalIssuer(o: { tenant?: string; issuer?: string; audience?: string } = {}): Promise<LocalIssuer> {
  const tenant = o.tenant ?? LOCAL_TENANT;
  const issuer = o.issuer ?? LOCAL_ISSUER;
  const audience = o.audience ?? LOCAL_AUDIENCE;
  const pair = await generateKeyPair("RS256", { extractable: true });
  const published = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "local-1", alg: "RS256", use: "sig" }] });
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(published));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const sign = (claims: JWTPayload, s: SignOptions = {}) =>
    new SignJWT({ tid: tenant, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "local-1" })
      .setIssuer(s.issuer ?? issuer)
      .setAudience(s.audience ?? audience)
      .setIssuedAt()
      .setExpirationTime(s.expires ?? "1h")
      .sign(s.key ?? pair.privateKey);
  return {
    settings: { audiences: [audience], issuers: [issuer], jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`, tenantId: tenant },
    sign,
    tokenFor: (c) => sign({ oid: localObjectId(c.name), name: c.name, upn: c.upn, roles: c.roles, azp: "aks-provisioner-local-cli" }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
