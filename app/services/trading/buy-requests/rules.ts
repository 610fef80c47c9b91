/**
 * Buy requests' pure rules (decision 023): the deposit a buyer pays to take a listing at its price,
 * and until when a request waits.
 */

/**
 * The deposit: `percent` % of the price in fen, rounded half-up to the fen (… ,5 fen → up), at
 * least 1 fen. Integer arithmetic on basis points, in BigInt so a large price loses nothing.
 */
export function buyNowDepositFen(priceFen: number, percent: number): number {
  const bps = BigInt(Math.round(percent * 100));
  const fen = (BigInt(priceFen) * bps + 5_000n) / 10_000n;
  return Math.max(1, Number(fen));
}

/** When a request made at `now` expires unanswered. */
export function buyRequestExpiry(now: Date, hours: number): Date {
  return new Date(now.getTime() + hours * 3_600_000);
}
