// GET /api/clusters/{subscriptionId}/{resourceGroup}/{name}
import functions, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { json } from "./http-util.js";
import { getDeps } from "./runtime.js";
import { httpCaller } from "./caller.js";
import { maySeeResource } from "../domain/caller.js";
import { clusterId } from "../domain/naming.js";

export async function getCluster(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const { subscriptionId, resourceGroup, name } = request.params;
  const { clusterStatus } = await import("../app/cluster-status.js");
  const deps = await getDeps();
  const visible = maySeeResource(who.caller, clusterId(subscriptionId, resourceGroup, name), deps.settings.callerPolicy);
  const doc = visible ? await clusterStatus(deps, subscriptionId, resourceGroup, name) : undefined;
  return doc ? json(200, doc) : json(404, { error: { code: "ClusterNotKnown", message: `this app has not seen cluster ${resourceGroup}/${name}` } });
}

/** GET /api/clusters: the clusters whose desired state this app holds, each with its drift; ?drifted=true: only those that drifted. */
export async function listHeldClusters(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const who = await httpCaller(request);
  if ("refused" in who) return who.refused;
  const drifted = request.query.get("drifted");
  if (drifted !== null && drifted !== "true" && drifted !== "false")
    return json(400, { error: { code: "InvalidQuery", message: "drifted takes true or false", details: [{ code: "InvalidQuery", target: "drifted", message: `drifted takes true or false, not ${drifted.slice(0, 40)}` }] } });
  const { heldClusters } = await import("../app/drift.js");
  const deps = await getDeps();
  return json(200, { value: await heldClusters(deps, { drifted: drifted === "true", caller: who.caller }) });
}

functions.app.http("listHeldClusters", { route: "clusters", methods: ["GET"], authLevel: "function", handler: listHeldClusters });
functions.app.http("getCluster", { route: "clusters/{subscriptionId}/{resourceGroup}/{name}", methods: ["GET"], authLevel: "function", handler: getCluster });
