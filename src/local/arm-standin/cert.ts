// A self-signed certificate for 127.0.0.1 / localhost, made at start. The Azure SDK refuses to send
// a bearer token over plain HTTP, so the stand-in must speak HTTPS; the test trusts this one
// certificate (https.Agent({ ca }) in-process, NODE_EXTRA_CA_CERTS in a child process).
import { generate } from "selfsigned";

export async function localCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: "commonName", value: "ARM stand-in (localhost)" }], {
    // EC keys are made in milliseconds; RSA-2048 would cost a noticeable part of a test's start.
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 7 * 24 * 3600_000),
    extensions: [
      // Its own CA: a trust anchor that also serves, so one PEM is all a client needs.
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
