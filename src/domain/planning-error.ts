/** A valid request that cannot be planned (yet): rejected with this field path and message. */
export class PlanningError extends Error {
  constructor(public readonly path: string, message: string) {
    super(message);
  }
}
