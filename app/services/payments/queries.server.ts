import { Payment, type PaymentKind, type PaymentStatus } from "~/models/payment.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { parseId } from "../kernel/ids.server.ts";
import { kindOf } from "./records.server.ts";

/** A payment as pages and the owners of purposes read it. */
export interface PaymentView {
  id: string;
  purpose: string;
  kind: PaymentKind;
  gateway: string;
  status: PaymentStatus;
  amountFen: number;
  currency: string;
  capturedAmountFen: number | null;
  refundedAmountFen: number | null;
  payerId: string;
  payerName: string | null;
  subject: { kind: string; id: string };
  description: string | null;
  /** Where the payer can (still) pay while the payment is pending. */
  checkoutUrl: string | null;
  failureReason: string | null;
  createdAt: string;
  heldAt: string | null;
  capturedAt: string | null;
  releasedAt: string | null;
  succeededAt: string | null;
  refundedAt: string | null;
  history: { at: string; status: string; source: string }[];
}

/** A payment for pages. With `payerId`, someone else's payment reads as not found. */
export async function getPayment(paymentId: string, opts: { payerId?: string } = {}): Promise<PaymentView> {
  const id = parseId(paymentId);
  const p = await Payment.findById(id).lean();
  if (!p) throw new NotFoundError();
  if (opts.payerId !== undefined && String(p.payer) !== opts.payerId) throw new NotFoundError();
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  const status = p.status as PaymentStatus;
  return {
    id: String(p._id),
    purpose: p.purpose,
    kind: kindOf(p),
    gateway: p.gateway,
    status,
    amountFen: p.amount,
    currency: p.currency ?? "CNY",
    capturedAmountFen: p.capturedAmount ?? null,
    refundedAmountFen: p.refundedAmount ?? null,
    payerId: p.payer ? String(p.payer) : "",
    payerName: p.payerName ?? null,
    subject: { kind: p.subject?.kind ?? "", id: String(p.subject?.id ?? "") },
    description: p.description ?? null,
    checkoutUrl: status === "pending" ? (p.checkoutUrl ?? null) : null,
    failureReason: p.failureReason ?? null,
    createdAt: new Date((p as { createdAt?: Date }).createdAt ?? Date.now()).toISOString(),
    heldAt: iso(p.heldAt),
    capturedAt: iso(p.capturedAt),
    releasedAt: iso(p.releasedAt),
    succeededAt: iso(p.succeededAt),
    refundedAt: iso(p.refundedAt),
    history: (p.history ?? []).map((h) => ({ at: new Date(h.at).toISOString(), status: h.status ?? "", source: h.source ?? "" })),
  };
}

/** One status change of a payment, with what it was for (a deal's timeline). */
export interface PaymentEvent {
  payment: string;
  purpose: string;
  kind: PaymentKind;
  amountFen: number;
  subjectId: string;
  payerName: string | null;
  at: string;
  status: string;
  source: string;
}

/** Every history entry of the payments made for these subjects (stages, payouts …), oldest first. */
export async function paymentEventsFor(subjectIds: readonly string[]): Promise<PaymentEvent[]> {
  if (!subjectIds.length) return [];
  const rows = await Payment.find(
    { "subject.id": { $in: subjectIds.map((s) => parseId(s)) } },
    { purpose: 1, kind: 1, amount: 1, subject: 1, payerName: 1, history: 1 },
  ).lean();
  return rows
    .flatMap((p) =>
      (p.history ?? []).map((h) => ({
        payment: String(p._id),
        purpose: p.purpose,
        kind: kindOf(p),
        amountFen: p.amount,
        subjectId: String(p.subject?.id ?? ""),
        payerName: p.payerName ?? null,
        at: new Date(h.at).toISOString(),
        status: h.status ?? "",
        source: h.source ?? "",
      })),
    )
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** How many payments there are in each state, by purpose and kind (for /metrics; an operator's view, no actor). */
export async function countPaymentsByState(): Promise<{ purpose: string; kind: string; status: string; count: number }[]> {
  const rows = await Payment.aggregate<{ _id: { purpose: string; kind: string | null; status: string }; count: number }>([
    { $group: { _id: { purpose: "$purpose", kind: "$kind", status: "$status" }, count: { $sum: 1 } } },
  ]);
  // Payments from before kinds existed are holds (the model's note).
  return rows.map((r) => ({ purpose: r._id.purpose, kind: r._id.kind ?? "hold", status: r._id.status, count: r.count }));
}
