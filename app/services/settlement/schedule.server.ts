import type { ClientSession } from "mongoose";

/**
 * The payment schedule (issue 14, point 5): made from the signed contract's stages in the
 * transaction that signs it (services/contracts calls this). Being built: until then it makes no
 * stages.
 */
export async function createSchedule(_session: ClientSession, _dealId: string, _now: Date): Promise<void> {}
