/**
 * One auction closer in its own process, as a server instance runs it: used by
 * tests/integration/auction-closer.test.ts to race two instances. Waits until CLOSER_START_AT (ms
 * since the epoch) so both start together, closes what is due, prints its result as JSON.
 */
import mongoose from "mongoose";
import { mailPassesSettled } from "~/services/mail/outbox.server.ts";
import { closeDueAuctions } from "~/services/trading/auctions/closing.server.ts";

const uri = process.env.CLOSER_MONGO_URI!;
const dbName = process.env.CLOSER_DB!;
const instanceId = process.env.CLOSER_INSTANCE ?? `closer-${process.pid}`;
const startAt = Number(process.env.CLOSER_START_AT ?? Date.now());

await mongoose.connect(uri, { dbName });
await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const results = await closeDueAuctions({ instanceId, leaseMs: Number(process.env.CLOSER_LEASE_MS ?? 60_000) });
// The closing notifications' mail is on its way: let it go before the database does.
await mailPassesSettled();
process.stdout.write(JSON.stringify({ instanceId, results }) + "\n");
await mongoose.disconnect();
