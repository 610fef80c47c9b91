import type { StageStatus } from "~/models/deal-stage.server.ts";

/**
 * The payment schedule's arithmetic (issue 14, point 5), pure: the stages a signed contract makes,
 * a stage's status from what is due and paid, a royalty from reported sales, and what a reader is
 * shown (少付 short, 多付 excess, 逾期 late). Money in integer fen.
 */

export interface PlannedStage {
  title: string;
  amount: number;
  dueInDays: number | null;
}

/**
 * The fixed stages of a contract of `contractAmount` with the agreed `milestones`, in order. The
 * signed contract amount rules: milestones are taken in order as agreed, and one that would take
 * the sum past the contract amount is cut to what is left (those after it are dropped); when the
 * milestones add up to less, a final stage 尾款 (balance) carries the rest, due when no date was
 * agreed. No milestones: one stage for the whole amount. A contract of 0 (paid in shares) has no
 * fixed stage.
 */
export function plannedStages(
  contractAmount: number,
  milestones: readonly { title: string; amount: number; dueInDays?: number | null }[],
): PlannedStage[] {
  if (contractAmount <= 0) return [];
  if (!milestones.length) return [{ title: "合同价款 Contract price", amount: contractAmount, dueInDays: null }];
  const out: PlannedStage[] = [];
  let left = contractAmount;
  for (const m of milestones) {
    if (left <= 0) break;
    const amount = Math.min(Math.max(0, Math.trunc(m.amount)), left);
    if (amount <= 0) continue;
    out.push({ title: m.title, amount, dueInDays: m.dueInDays ?? null });
    left -= amount;
  }
  if (left > 0) out.push({ title: "尾款 Balance", amount: left, dueInDays: null });
  return out;
}

/** A royalty rate in percent (3, 2.5) as basis points (300, 250). */
export const percentToBps = (percent: number): number => Math.round(percent * 100);

/**
 * Royalty due on `salesFen` at `rateBps`: salesFen × rateBps / 10 000, rounded half up to the fen
 * (exact in integers, BigInt so large sales never lose a fen).
 */
export function royaltyDueFen(salesFen: number, rateBps: number): number {
  const product = BigInt(salesFen) * BigInt(rateBps);
  return Number((product + 5000n) / 10000n);
}

/** due → partly-paid → paid from what is owed and what arrived; a cancelled stage stays cancelled. */
export function stageStatusOf(s: { status: string; amount: number; paid: number }): StageStatus {
  if (s.status === "cancelled") return "cancelled";
  if (s.amount > 0 && s.paid >= s.amount) return "paid";
  return s.paid > 0 ? "partly-paid" : "due";
}

export interface StageFigures {
  /** Still to pay (0 when paid or more). */
  outstandingFen: number;
  /** 少付: some arrived, less than due. */
  shortFen: number;
  /** 多付: more arrived than due (the platform owes it back). */
  excessFen: number;
  /** 逾期: unpaid after its due date. */
  late: boolean;
}

export function stageFigures(s: { status: string; amount: number; paid: number; dueAt?: Date | null }, now: Date): StageFigures {
  const cancelled = s.status === "cancelled";
  const outstanding = cancelled ? 0 : Math.max(0, s.amount - s.paid);
  return {
    outstandingFen: outstanding,
    shortFen: s.paid > 0 ? outstanding : 0,
    excessFen: cancelled ? s.paid : Math.max(0, s.paid - s.amount),
    late: !cancelled && outstanding > 0 && !!s.dueAt && s.dueAt.getTime() < now.getTime(),
  };
}

/** A stage's bank-transfer reference: CG + the deal's short code + the stage number, e.g. CG7F3A2C-1. */
export function stageReference(dealId: string, number: number, codeLength = 6): string {
  return `CG${dealId.slice(-codeLength).toUpperCase()}-${number}`;
}

/** What a person types as a reference ("cg7f3a2c - 1", full-width) → the stored form. */
export function normalizeReference(raw: string): string {
  return raw
    .replace(/[０-９Ａ-Ｚａ-ｚ－]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, "")
    .toUpperCase();
}
