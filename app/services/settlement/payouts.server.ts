import type { ClientSession, Types } from "mongoose";

/**
 * Payouts (issue 14, point 6). `onStagePaid` runs in the transaction that records the money that
 * made a stage paid (services/settlement receipts): it creates what the platform owes the seller
 * and the broker for that stage. Being built.
 */
export async function onStagePaid(_session: ClientSession, _stageId: Types.ObjectId, _now: Date): Promise<void> {}
