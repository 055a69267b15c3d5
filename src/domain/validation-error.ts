/** One problem of a request: the field it is about, what is wrong, and where the rule comes from. */
export interface ValidationError {
  /** The field path (`nodePools[0].vmSize`); empty for the request as a whole. */
  path: string;
  message: string;
  /** Where the rule comes from: a procedure section or the ARM API. */
  source?: string;
}
