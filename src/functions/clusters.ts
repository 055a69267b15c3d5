// GET /api/clusters/{subscriptionId}/{resourceGroup}/{name}
import functions, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { json } from "./http-util.js";
import { getDeps } from "./runtime.js";

export async function getCluster(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const { subscriptionId, resourceGroup, name } = request.params;
  const { clusterStatus } = await import("../app/cluster-status.js");
  const doc = await clusterStatus(await getDeps(), subscriptionId, resourceGroup, name);
  return doc ? json(200, doc) : json(404, { error: { code: "ClusterNotKnown", message: `this app has not seen cluster ${resourceGroup}/${name}` } });
}

functions.app.http("getCluster", { route: "clusters/{subscriptionId}/{resourceGroup}/{name}", methods: ["GET"], authLevel: "function", handler: getCluster });
