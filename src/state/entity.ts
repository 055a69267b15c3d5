// What every store needs of Table Storage, in one place: keys it accepts, an error's HTTP status
// (404: no such row, 409: the row already exists, 412: the row changed since it was read), and a
// point read that answers "no such row" with undefined.
import type { TableClient, TableEntityResult } from "@azure/data-tables";

/** Table keys may not contain / \\ # ? or control characters: those (and %, the escape) become %XX. */
export const encodeKey = (s: string) => s.replace(/[/\\#?%\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

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
