// Runs the ARM stand-in on its own: PORT (default 8443), --ca-out FILE for the CA certificate
// (point NODE_EXTRA_CA_CERTS at it), --time-scale N.
import { writeFile } from "node:fs/promises";
import { startArmStandIn } from "./index.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const arm = await startArmStandIn({ port: Number(process.env.PORT ?? 8443), timeScale: Number(arg("--time-scale") ?? 1) });
const caOut = arg("--ca-out");
if (caOut) await writeFile(caOut, arm.caPem);
console.log(`ARM stand-in at ${arm.endpoint}${caOut ? ` (CA certificate in ${caOut})` : ""}`);
process.on("SIGINT", () => void arm.close().then(() => process.exit(0)));
