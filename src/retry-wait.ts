/** The longest wait before something that failed is made again. */
const LONGEST_WAIT_MS = 3_600_000;

/**
 * The wait before making again what failed `failures` times in a row (1 or more): `firstMs`, then
 * four times as long each time, up to an hour. The hub's deliveries and distributions and the
 * publish pings back off alike.
 */
export function retryWaitMs(firstMs: number, failures: number): number {
  return Math.min(firstMs * 4 ** (failures - 1), LONGEST_WAIT_MS);
}
