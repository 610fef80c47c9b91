import { mailPassesSettled } from "~/services/mail/outbox.server.ts";
import { connectDb, disconnectDb } from "~/utils/db.server.ts";
import { env, EnvError, setServiceEndpoints } from "~/utils/env.server.ts";
import { EmbeddedError, startServices } from "./embedded/index.ts";

/**
 * Runs a project command (seed, token, reindex…) against the same DATA_DIR as the app: it
 * attaches to the running app's embedded servers, or starts its own and stops them after.
 */
export async function runCommand(name: string, fn: () => Promise<void>, { search = true }: { search?: boolean } = {}): Promise<void> {
  let services: Awaited<ReturnType<typeof startServices>> | undefined;
  try {
    services = await startServices(env(), {
      mode: "command",
      search,
      onProgress: (m) => console.error(`[${name}] ${m}`),
    });
    if (services.attachedTo) console.error(`[${name}] using the services of the running app (pid ${services.attachedTo})`);
    setServiceEndpoints(services);
    await connectDb(services.mongoUri);
    await fn();
  } catch (e) {
    if (e instanceof EnvError || e instanceof EmbeddedError) {
      console.error(`[${name}] ${e.message}`);
      process.exitCode = 1;
    } else {
      console.error(e);
      process.exitCode = 1;
    }
  } finally {
    // Mail queued by the command (workflow notifications of seeded listings) is sent before the database goes.
    await mailPassesSettled().catch(() => {});
    await disconnectDb().catch(() => {});
    await services?.stop();
  }
}
