// The plan of a recorded request: a pure function of its body (and, for a `delete`, of what the
// request it deletes recorded, stored with it when it was accepted).
import type { ClusterRequest } from "../domain/contract.js";
import { planRequest } from "../domain/plan.js";
import type { DeleteSource } from "../domain/plans/delete.js";
import type { Plan } from "../domain/step.js";
import type { RequestRecord } from "../domain/records.js";

export const planOf = (req: Pick<RequestRecord, "body" | "source">): Plan => planRequest(req.body as ClusterRequest, req.source as DeleteSource | undefined);
