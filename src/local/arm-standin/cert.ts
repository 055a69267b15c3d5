// A self-signed certificate for 127.0.0.1/localhost, made at start: the Azure SDK sends bearer
// tokens only over HTTPS, so the stand-in must speak it.
import selfsigned from "selfsigned";

export async function localCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] },
    ],
  } as never);
  return { key: pems.private, cert: pems.cert };
}
