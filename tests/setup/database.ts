import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { afterAll, beforeAll, inject } from "vitest";
import { mailPassesSettled } from "../../app/services/mail/outbox.server.ts";
import { setMailEndpoints, setPaymentEndpoints, setServiceEndpoints } from "../../app/utils/env.server.ts";

/**
 * Each test file gets its own database and Meilisearch index prefix on the shared real
 * servers, so files run in parallel without seeing each other's data.
 */
const id = randomBytes(4).toString("hex");
export const TEST_DB = `test_${id}`;
process.env.NODE_ENV = "test";
process.env.MEILI_INDEX_PREFIX = `t${id}_`;
process.env.DATA_DIR = `tests/.tmp/files-${id}`;
process.env.SESSION_SECRET = "test-secret-test-secret-test-secret-1234";

beforeAll(async () => {
  // Payments go through the real SDK to the shared local Stripe-compatible server. No app server
  // receives webhooks here: a test that wants them registers its own endpoint (and secret).
  setPaymentEndpoints({
    apiBase: inject("stripeApiBase"),
    secretKey: "sk_test_chengguo_local",
    webhookSecret: `whsec_unregistered${id}`,
  });
  // Mail goes through nodemailer to the shared catcher; tests read it with tests/support/mailbox.ts.
  setMailEndpoints({ smtpUrl: inject("smtpUrl"), catcherUrl: inject("mailCatcherUrl") });
  setServiceEndpoints({ mongoUri: inject("mongoUri"), meiliHost: inject("meiliHost"), meiliKey: inject("meiliKey") });
  await mongoose.connect(inject("mongoUri"), { dbName: TEST_DB });
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
});

afterAll(async () => {
  // Notifications queue mail: the passes under way finish before their database goes.
  await mailPassesSettled().catch(() => {});
  await mongoose.connection.dropDatabase().catch(() => {});
  await mongoose.disconnect();
});
