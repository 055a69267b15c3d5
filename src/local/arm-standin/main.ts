// Runs the ARM stand-in on its own, for manual use:
//   PORT=8443 tsx src/local/arm-standin/main.ts --ca-out /tmp/arm-ca.pem [--time-scale 1] [--principal-not-found 0]
// then point a client at the printed endpoint with NODE_EXTRA_CA_CERTS=/tmp/arm-ca.pem.
import { writeFile } from "node:fs/promises";
import { startArmStandIn } from "./index.js";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const arm = await startArmStandIn({
  port: Number(process.env.PORT ?? 8443),
  timeScale: Number(arg("--time-scale") ?? 1),
  principalNotFoundAttempts: Number(arg("--principal-not-found") ?? 0),
});
const caOut = arg("--ca-out");
if (caOut) await writeFile(caOut, arm.caPem);
console.log(arm.endpoint);
console.error(`ARM stand-in listening at ${arm.endpoint}${caOut ? ` (CA certificate in ${caOut}; set NODE_EXTRA_CA_CERTS to it)` : ""}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void arm.close().then(() => process.exit(0)));
