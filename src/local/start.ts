// npm start: the local host on embedded defaults (Azurite in memory, in-process bus, ARM stand-in),
// listening where the Functions host does (port 7071, PORT to change). With ARM_ENDPOINT (and
// ARM_ACCESS_TOKEN, else DefaultAzureCredential) it talks to that ARM instead of the stand-in.
import { writeFile } from "node:fs/promises";
import { readLocalConfig } from "../config.js";
import { startLocalHost } from "./host.js";

const { port, armEndpoint, armAccessToken, localIssuer } = readLocalConfig(process.env);
const host = await startLocalHost({ armEndpoint, armAccessToken, httpPort: port, localIssuer });
const caFile = ".local-arm-ca.pem";
if (host.standIn) await writeFile(caFile, host.standIn.caPem);

console.log(`aks-provisioner local host on ${host.url}
  ${host.url}/                             status page: recent requests, a live timeline per request
  POST ${host.url}/api/requests            submit a request (?whatIf=true: plan only)
  GET  ${host.url}/api/requests/{id}       status monitor (POST …/{id}:cancel to cancel)
  GET  ${host.url}/api/openapi.json        the API as OpenAPI 3.1
  GET  ${host.url}/api/clusters/{sub}/{rg}/{name}
  POST ${host.url}/local/queues/cluster-requests   put a raw message on the queue${host.issuer ? `
  POST ${host.url}/local/token              a token of this host's issuer (AUTH_MODE=local): npm run provision -- token --name NAME --role ROLE` : ""}
  Tables: Azurite on 127.0.0.1:${host.azurite.port} (in memory)
  ARM: ${host.standIn ? `local stand-in at ${host.standIn.endpoint} (CA certificate in ${caFile})` : armEndpoint}
Try: curl -s -X POST ${host.url}/api/requests --data @examples/pod-sandboxing.json${host.issuer ? ' -H "authorization: Bearer $(npm run -s provision -- token --name you --role ROLE)"' : ""}`);

const stop = async () => {
  await host.close();
  process.exit(0);
};
// Stop Azurite and the stand-in on a signal; if this process is killed outright, Azurite sees its
// stdin close and exits by itself (exit-with-parent.cjs).
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.on("SIGHUP", stop);
