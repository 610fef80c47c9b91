import { z } from "zod";
import { DealStage } from "~/models/deal-stage.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { postStageDue } from "~/services/ledger/deals.server.ts";
import { ConflictError, ValidationError } from "~/utils/errors.ts";
import { formatYuan, MAX_FEN, yuanToFen } from "~/utils/money.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { newId, oid } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { stageParties } from "./parties.server.ts";
import { assertBuyerSide, chinaDay, loadStageFor, tellParties } from "./receipts.server.ts";
import { percentToBps, royaltyDueFen, stageStatusOf } from "./rules.ts";
import { refreshPaymentState } from "./state.server.ts";

/**
 * 提成 (issue 14, point 5): the buyer side reports a period's sales on the deal's royalty stage;
 * the royalty due is sales × the agreed rate, rounded half up to the fen (rules.ts), and the stage
 * owes that much more — posted as stage-due, keyed by the report. It is then paid like any stage.
 * Periods of one stage may not overlap.
 */
const day = z
  .string({ required_error: "errors.required" })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "settlement.errors.date")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00+08:00`)), "settlement.errors.date");

export const RoyaltyReportSchema = z
  .object({
    periodFrom: day,
    periodTo: day,
    sales: z
      .union([z.string(), z.number()], { required_error: "errors.required", invalid_type_error: "settlement.errors.amount" })
      .transform((v, ctx) => {
        try {
          const fen = yuanToFen(v);
          if (fen < 0 || fen > MAX_FEN) throw new RangeError();
          return fen;
        } catch {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: "settlement.errors.amount" });
          return z.NEVER;
        }
      }),
    note: z.string().trim().max(500, "errors.tooLong").optional(),
  })
  .refine((v) => v.periodFrom <= v.periodTo, { path: ["periodTo"], message: "settlement.errors.periodOrder" });
export type RoyaltyReportInput = z.input<typeof RoyaltyReportSchema>;

export async function reportRoyalty(
  actor: Actor,
  dealId: string,
  number: number,
  input: RoyaltyReportInput,
  opts: { via?: Via; now?: Date } = {},
): Promise<{ reportId: string; dueFen: number; rateBps: number }> {
  const now = opts.now ?? new Date();
  const parsed = RoyaltyReportSchema.safeParse(input);
  return withTransaction(async (session) => {
    const { deal, stage } = await loadStageFor(actor, dealId, number, session);
    assertBuyerSide(actor, deal);
    if (stage.kind !== "royalty") throw new ConflictError("settlement.errors.notRoyalty");
    if (deal.status !== "open" || stage.status === "cancelled") throw new ConflictError("settlement.errors.stageClosed");
    if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
    const v = parsed.data;
    const from = chinaDay(v.periodFrom);
    const to = chinaDay(v.periodTo);
    if (to.getTime() > now.getTime()) throw new ValidationError({ periodTo: ["settlement.errors.dateFuture"] });
    if (stage.royaltyReports.some((r) => r.periodFrom.getTime() <= to.getTime() && from.getTime() <= r.periodTo.getTime())) {
      throw new ConflictError("settlement.errors.periodOverlap", { field: "periodFrom" });
    }
    const rateBps = percentToBps(deal.terms.royaltyPercent ?? 0);
    const dueFen = royaltyDueFen(v.sales, rateBps);
    const reportId = newId();
    const amount = stage.amount + dueFen;
    const status = stageStatusOf({ status: stage.status, amount, paid: stage.paid });
    const res = await DealStage.updateOne(
      { _id: stage._id, amount: stage.amount },
      {
        $set: { amount, status },
        $push: {
          royaltyReports: {
            _id: reportId,
            periodFrom: from,
            periodTo: to,
            salesFen: v.sales,
            rateBps,
            dueFen,
            reportedBy: { user: oid(actor.id!), name: actor.name },
            reportedAt: now,
            ...(v.note ? { note: v.note } : {}),
          },
        },
      },
      { session },
    );
    if (res.modifiedCount !== 1) throw new ConflictError("settlement.errors.changedMeanwhile");
    if (dueFen > 0) {
      const parties = stageParties(deal);
      await postStageDue(session, {
        deal: String(deal._id),
        stage: `${String(stage._id)}:royalty:${String(reportId)}`,
        buyer: parties.buyer,
        seller: parties.seller,
        amountFen: dueFen,
      });
    }
    await recordAudit(session, {
      subjectType: "deal",
      subject: deal._id,
      action: "royalty.reported",
      actor,
      via: opts.via ?? "ui",
      reason: `第 ${stage.number} 期提成：${v.periodFrom} 至 ${v.periodTo} 销售额 ${formatYuan(v.sales)} × ${rateBps / 100}% = ${formatYuan(dueFen)}`,
      at: now,
    });
    await refreshPaymentState(session, deal._id);
    await tellParties(
      session,
      deal,
      "royalty.reported",
      stage.number,
      { stage: String(stage.number), from: v.periodFrom, to: v.periodTo, sales: formatYuan(v.sales), amount: formatYuan(dueFen) },
      { buyer: false },
    );
    return { reportId: String(reportId), dueFen, rateBps };
  });
}
