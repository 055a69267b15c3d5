// What every store asks of a Table error, in one place: its HTTP status (404: no such row, 409: the
// row already exists, 412: the row changed since it was read), and a point read that answers
// "no such row" with undefined.
import type { TableClient, TableEntityResult } from "@azure/data-tables";

export const isStatus = (e: unknown, ...codes: number[]): boolean => codes.includes((e as { statusCode?: number }).statusCode ?? 0);

/** The row, or undefined when the table has none under these keys. */
export async function findEntity<T extends object = Record<string, unknown>>(table: TableClient, partitionKey: string, rowKey: string): Promise<TableEntityResult<T> | undefined> {
  try {
    return await table.getEntity<T>(partitionKey, rowKey);
  } catch (e) {
    if (isStatus(e, 404)) return undefined;
    throw e;
  }
}
