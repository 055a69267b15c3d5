import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redact } from "../../../src/domain/redact.js";

const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

describe("redaction of ARM messages", () => {
  const cases: [string, string][] = [
    [`DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${KEY};EndpointSuffix=core.windows.net`, "AccountKey=[redacted]"],
    ["Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=", "SharedAccessKey=[redacted]"],
    ["https://a.blob.core.windows.net/c/b?sv=2022-11-02&sig=abcdEFGH1234%2Bxyz%3D&se=2030-01-01", "sig=[redacted]"],
    ["Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJl", "Bearer [redacted]"],
    ['the template had {"adminPassword": "Sup3rS3cret!x"}', '"adminPassword": "[redacted]'],
    [`key ${KEY} leaked`, "key [redacted] leaked"],
  ];
  for (const [text, shown] of cases)
    it(`hides ${shown}`, () => {
      const out = redact(text);
      assert.ok(out.includes(shown), out);
      assert.ok(!out.includes("Sup3rS3cret") && !out.includes(KEY.slice(0, 20)) && !out.includes("abcdEFGH") && !out.includes("eyJ0eXAi"), out);
    });

  it("leaves resource ids and ordinary messages alone", () => {
    const text = "Subnet /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s is not delegated (SubnetIsNotDelegated)";
    assert.equal(redact(text), text);
  });
});
