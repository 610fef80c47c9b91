import { Payment, type PaymentPurpose, type PaymentStatus } from "~/models/payment.server.ts";
import { ConflictError, ValidationError } from "~/utils/errors.ts";
import { maybeId, newId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { paymentGateway } from "./gateway.server.ts";
import { paymentInputProblems } from "./start.server.ts";
import { gatewayFailure, move, statusOf } from "./records.server.ts";
import { PaymentGatewayError } from "./types.ts";

/**
 * Transfers: the platform sends money from its balance on to someone's connected account at the
 * gateway (a seller's proceeds, a broker's commission). Each is a Payment of kind `transfer`
 * (pending → succeeded | failed) under the caller's key: asking again with the same key never sends
 * the money twice — the Payment is found by its key and the gateway call repeats its idempotency
 * key `transfer:<paymentId>`. A transfer the gateway refuses (no balance, an account that cannot
 * receive) fails; one whose answer was lost stays pending and the next call with the key settles it.
 */

export interface TransferInput {
  purpose: PaymentPurpose;
  payee: { id: string; name: string };
  /** The payee's connected account at the gateway (Stripe: acct_…). */
  destination: string;
  amountFen: number;
  subject: { kind: string; id: string };
  description: string;
  /** The caller's name for this transfer, stable across retries (letters, digits, `.:_-`). */
  key: string;
}

export async function transferToAccount(input: TransferInput): Promise<{ paymentId: string; status: PaymentStatus }> {
  const problems = paymentInputProblems({ ...input, payer: input.payee });
  if (!/^[\w.:-]{1,100}$/.test(input.key ?? "")) problems.key = ["errors.invalidInput"];
  if (!/^\w{1,255}$/.test(input.destination ?? "")) problems.destination = ["errors.invalidInput"];
  if (problems.payer) {
    problems.payee = problems.payer;
    delete problems.payer;
  }
  if (Object.keys(problems).length) throw new ValidationError(problems);
  const requestKey = `${input.purpose}:${input.key}`;

  let p = await Payment.findOne({ requestKey }, { status: 1, amount: 1, destination: 1 }).lean();
  if (!p) {
    const id = newId();
    try {
      await withTransaction(async (session) => {
        await Payment.create(
          [
            {
              _id: id,
              purpose: input.purpose,
              kind: "transfer" as const,
              gateway: "stripe" as const,
              status: "pending" as const,
              amount: input.amountFen,
              currency: "CNY",
              payee: maybeId(input.payee.id)!,
              destination: input.destination,
              subject: { kind: input.subject.kind, id: maybeId(input.subject.id)! },
              description: input.description,
              requestKey,
              history: [{ at: new Date(), status: "pending", source: "start" }],
            },
          ],
          { session },
        );
      });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e; // two calls with one key at once: the other one's Payment counts
    }
    p = (await Payment.findOne({ requestKey }, { status: 1, amount: 1, destination: 1 }).lean())!;
  }
  if (p.amount !== input.amountFen || p.destination !== input.destination) throw new ConflictError("payments.transferKeyReused");
  if (p.status !== "pending") return { paymentId: String(p._id), status: p.status as PaymentStatus };

  const paymentId = String(p._id);
  let transferRef: string;
  try {
    ({ transferRef } = await paymentGateway().transfer({
      paymentId,
      destination: input.destination,
      amountFen: input.amountFen,
      currency: "CNY",
      description: input.description,
      idempotencyKey: `transfer:${paymentId}`,
    }));
  } catch (e) {
    if (e instanceof PaymentGatewayError && e.statusCode !== null && e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 429) {
      // Refused (no balance, an account that cannot receive): nothing moved, and retrying will not help.
      await move(p._id, ["pending"], "failed", { source: "transfer" }, { failureReason: `gateway: ${e.code ?? e.message}`.slice(0, 500) });
      throw new ConflictError("payments.transferRefused", { params: { code: e.code ?? "" } });
    }
    return gatewayFailure(e, "transfer", paymentId);
  }
  await move(p._id, ["pending"], "succeeded", { source: "transfer" }, { transferRef });
  return { paymentId, status: await statusOf(p._id) };
}
