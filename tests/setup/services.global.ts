import fs from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { startServices } from "../../server/embedded/index.ts";
import { freePort } from "../../server/embedded/process.ts";
import { parseEnv } from "../../app/utils/env.server.ts";
import { tmpDir } from "./tmp.ts";
import { startStripeServer } from "../../server/stripe-local/index.ts";
import { startMailCatcher } from "../../server/embedded/mail.ts";

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
    meiliHost: string;
    meiliKey: string;
    /** The local Stripe-compatible server (server/stripe-local/) shared by the files. */
    stripeApiBase: string;
    /** The local mail catcher (maildev): its SMTP address for the app, its page for tests/support/mailbox.ts. */
    smtpUrl: string;
    mailCatcherUrl: string;
  }
}

/**
 * Starts the real mongod (replica set) and Meilisearch once for the integration project, and the
 * local Stripe-compatible server that the real `stripe` SDK talks to, and the local mail catcher.
 */
export default async function setup(project: TestProject) {
  const dataDir = await tmpDir("integration");
  const services = await startServices(
    parseEnv({
      DATA_DIR: dataDir,
      EMBEDDED_MONGO_PORT: String(await freePort()),
      EMBEDDED_MEILI_PORT: String(await freePort()),
    }),
  );
  project.provide("mongoUri", services.mongoUri);
  project.provide("meiliHost", services.meiliHost);
  project.provide("meiliKey", services.meiliKey!);
  const stripe = await startStripeServer({ port: 0, stateFile: `${dataDir}/stripe-local.json`, testControls: true });
  project.provide("stripeApiBase", stripe.url);
  const catcher = await startMailCatcher({ smtpPort: await freePort(), webPort: await freePort() });
  project.provide("smtpUrl", catcher.smtpUrl);
  project.provide("mailCatcherUrl", catcher.webUrl);
  return async () => {
    await catcher.stop();
    await stripe.close();
    await services.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
