// Optimistic concurrency on Table rows: an attempt reads a row, changes it and saves it with the
// ETag it read; when another writer saved first, the store throws ConcurrencyError and the attempt
// runs again from a fresh read. When every attempt conflicts the error is thrown: a caller never
// reports success for a change that was not saved (the message is then redelivered).

/** A store's save found the row changed since it was read (ETag mismatch). */
export class ConcurrencyError extends Error {}

export async function withRetryOnConflict<T>(what: string, attempt: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof ConcurrencyError)) throw e;
    }
  }
  throw new ConcurrencyError(`${what}: still conflicting after ${attempts} attempts`);
}
