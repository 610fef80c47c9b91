/**
 * The dashboard's figures: a count and two sums in integer fen, and the share of 技术交易额 in
 * 成交额. Pure.
 */
export interface Figures {
  count: number;
  /** 成交额, fen. */
  contractFen: number;
  /** 技术交易额, fen. */
  technologyFen: number;
}

export const NO_FIGURES: Figures = { count: 0, contractFen: 0, technologyFen: 0 };

/** 技术交易额 / 成交额 in basis points (9231 = 92.31%), rounded half up; null when nothing was traded. */
export function technologyShareBps(f: Figures): number | null {
  if (f.contractFen <= 0) return null;
  return Math.floor((f.technologyFen * 10_000 * 2 + f.contractFen) / (2 * f.contractFen));
}

/** Basis points as a percentage text: 9231 → "92.31%", null → "—". */
export function bpsText(bps: number | null): string {
  if (bps === null) return "—";
  const whole = Math.floor(bps / 100);
  return `${whole}.${String(bps % 100).padStart(2, "0")}%`;
}

/** Figures as the pipelines' $group stages return them (sums of integer fen; MongoDB may hand back longs or doubles). */
export function figuresOf(row: { count?: unknown; contractFen?: unknown; technologyFen?: unknown } | undefined): Figures {
  return {
    count: Number(row?.count ?? 0),
    contractFen: Number(row?.contractFen ?? 0),
    technologyFen: Number(row?.technologyFen ?? 0),
  };
}
