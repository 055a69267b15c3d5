// GET /api/requests and the status page's list: recent requests, newest first, filtered by state
// and by cluster (a part of the target's resource id, case-insensitive).
import { LOCAL_CALLER, maySee, type Caller, type RequestedBy } from "../domain/caller.js";
import type { RequestState } from "../domain/records.js";
import type { AppDeps } from "./deps.js";
import { OPERATION_STATUS, type OperationStatus } from "./status.js";

export interface RequestSummary {
  id: string;
  operation: string;
  target: string;
  state: RequestState;
  status: OperationStatus;
  createdAt: string;
  updatedAt: string;
  requestedBy?: RequestedBy;
}

export interface ListFilter {
  state?: RequestState;
  cluster?: string;
  /** At most this many (newest first); default 50. */
  top?: number;
  /** Only the requests this caller may see (CALLER_POLICY); default the local caller: all. */
  caller?: Caller;
}

export const REQUEST_STATES: readonly RequestState[] = ["Accepted", "Running", "Succeeded", "Failed", "Rejected", "Canceled"];
/** How many request rows one list reads at most: the list is a scan, bounded. */
const SCAN_LIMIT = 2000;

export interface RequestListPage {
  value: RequestSummary[];
  /** Request rows that could not be read and are left out (each is logged). */
  unreadable: number;
}

export async function listRequests(deps: AppDeps, filter: ListFilter): Promise<RequestListPage> {
  const { rows, unreadable } = await deps.requests.listRequests(filter.state, SCAN_LIMIT);
  if (unreadable) deps.log(`request list: ${unreadable} request row(s) could not be read and are left out`);
  const cluster = filter.cluster?.toLowerCase();
  const value = rows
    .filter((r) => !cluster || r.target.toLowerCase().includes(cluster))
    .filter((r) => maySee(filter.caller ?? LOCAL_CALLER, r, deps.settings.callerPolicy))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, filter.top ?? 50)
    .map((r) => ({ id: r.id, operation: r.operation, target: r.target, state: r.state, status: OPERATION_STATUS[r.state], createdAt: r.createdAt, updatedAt: r.updatedAt, ...(r.requestedBy ? { requestedBy: r.requestedBy } : {}) }));
  return { value, unreadable };
}
