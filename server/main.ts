import { existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady, installGlobals, type ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import mongoose from "mongoose";
import { connectDb, disconnectDb } from "~/utils/db.server.ts";
import { setDemoMode } from "~/utils/demo-mode.server.ts";
import { env, EnvError, setServiceEndpoints } from "~/utils/env.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { isEmpty, seedDemo } from "../seeds/demo.ts";
import { startJobs } from "./jobs/index.ts";
import { ensureIndexes } from "../search/indexes.ts";
import { startOutboxWorker } from "../search/outbox.ts";
import { EmbeddedError, startServices, type Services } from "./embedded/index.ts";
import { startMailGateway, type MailGateway } from "./embedded/mail.ts";
import { startPaymentsGateway, type PaymentsGateway } from "./embedded/stripe.ts";
import { checkHealth } from "./health.ts";
import { migrate } from "./migrations/index.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { syncVocabularyFiles } from "~/services/vocabulary/sync.server.ts";
import { markVocabularyIndexed } from "~/services/vocabulary/index-update.server.ts";
import { liveVocabulary } from "../search/live-vocabulary.ts";
import { stopMailDelivery } from "~/services/mail/outbox.server.ts";
import { attachRealtime } from "./realtime/index.ts";
import { securityHeaders } from "./security-headers.ts";
import { labelRoute, metricsEndpoint, registerScrapeGauges, remixRouteLabel, requestMetrics } from "./metrics.ts";
import { lastErrorHandler, requestIds } from "./request-id.ts";
import { routeLabeler } from "./route-label.ts";
import { withServiceUnavailable } from "./remix-build.ts";

installGlobals({ nativeFetch: true });

const BUILD_PATH = path.resolve("build/index.js");
const started = Date.now();

async function importBuild(): Promise<ServerBuild> {
  return withServiceUnavailable(await import(`${pathToFileURL(BUILD_PATH).href}?t=${Date.now()}`));
}

async function main() {
  const config = env(); // fails fast with a readable list of bad variables
  const services: Services = await startServices(config, {
    onProgress: (m) => logger.info(m),
  });
  // Declared before the signal handlers so a signal during start-up finds them.
  // Assigned further down, read by shutdown() declared here: so `let`, though each is set once.
  /* eslint-disable prefer-const */
  let httpServer: ReturnType<typeof createServer> | undefined;
  let stopJobs: (() => Promise<void>) | undefined;
  let stopOutbox: (() => void) | undefined;
  let io: ReturnType<typeof attachRealtime> | undefined;
  let payments: PaymentsGateway | undefined;
  let mail: MailGateway | undefined;
  /* eslint-enable prefer-const */
  let shuttingDown = false;
  const shutdown = async (why: string, code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info(`shutting down (${why})`);
    const force = setTimeout(() => process.exit(code || 1), 30_000);
    force.unref();
    // First, so that the job's pass stops too; awaited before the database goes.
    const mailStopped = stopMailDelivery();
    await stopJobs?.().catch(() => {});
    stopOutbox?.();
    await new Promise<void>((resolve) => {
      io?.close();
      httpServer?.close(() => resolve());
      httpServer?.closeAllConnections?.();
      if (!httpServer) resolve();
    });
    await mailStopped.catch(() => {});
    await disconnectDb().catch(() => {});
    await payments?.stop().catch(() => {});
    await mail?.stop().catch(() => {});
    await services.stop();
    process.exit(code);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void shutdown(sig));
  process.on("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception");
    void shutdown("uncaught exception", 1);
  });

  setServiceEndpoints(services);
  logger.info(
    { mongodb: services.started.mongo ? "embedded" : "external", meilisearch: services.started.meili ? "embedded" : "external" },
    "services resolved",
  );
  await connectDb(services.mongoUri);
  // Pending data migrations (server/migrations/), before anything reads or serves the data.
  await migrate(mongoose.connection.db!, (m) => logger.info(m));
  // The ledger's collections and indexes (medici's and ours) before the first posting (decision 017).
  await initLedger();
  // Before the Remix build loads, so every copy of env() sees the resolved STRIPE_* settings.
  payments = await startPaymentsGateway(config, config.PORT).catch(async (e) => {
    await services.stop();
    throw e;
  });
  logger.info({ payments: payments.mode, apiBase: payments.apiBase ?? "api.stripe.com" }, "payments resolved");
  mail = await startMailGateway(config).catch(async (e) => {
    await payments?.stop();
    await services.stop();
    throw e;
  });
  if (mail.catcherUrl) logger.info(`mail: no SMTP_URL, so mail is caught locally; see what was sent at ${mail.catcherUrl}`);
  else logger.info("mail: sent through SMTP_URL");
  // Contract PDFs embed a CJK font (services/contracts/pdf.server.ts); say at start when it is missing.
  if (!existsSync(config.CJK_FONT_PATH))
    logger.warn(`contract PDFs unavailable: no CJK font at ${config.CJK_FONT_PATH} (install Debian's fonts-noto-cjk or set CJK_FONT_PATH)`);

  const seedOnEmpty = config.SEED_ON_EMPTY ?? (services.started.mongo && config.NODE_ENV !== "test");
  // The demo accounts are advertised (login page) only on the embedded, seeded database.
  setDemoMode(services.started.mongo && seedOnEmpty);
  if (seedOnEmpty && (await isEmpty())) {
    logger.info("empty database: loading demo data");
    await seedDemo((m) => logger.info(`seed: ${m}`));
  }

  // The live vocabulary follows the shipped files (decision 030) before the settings take its synonyms.
  await syncVocabularyFiles()
    .then((r) => (r.added || r.updated || r.flagged ? logger.info(r, "vocabulary synced from search/vocabulary") : undefined))
    .catch((err) => logger.warn({ err: (err as Error).message }, "vocabulary files not synced"));

  // Index settings before the first search, so searchable attributes exist from the first request.
  // Not fatal: without Meilisearch the site still works, and the outbox worker retries.
  // The settings carry the live vocabulary's synonyms: once applied, the version they carry needs no
  // rebuild (a fresh or re-synced vocabulary would otherwise rebuild both indexes at every start).
  await Promise.race([
    liveVocabulary().then(async (live) => {
      await ensureIndexes();
      await markVocabularyIndexed(live.version);
    }),
    new Promise((_, reject) => setTimeout(() => reject(new Error("Meilisearch did not answer within 5 s")), 5_000).unref()),
  ]).catch((err) => logger.warn({ err: (err as Error).message }, "search index settings not applied yet; will retry"));

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", env().TRUST_PROXY);
  // First, so that everything after runs under the request's id and is timed (docs/decisions/039).
  app.use(requestIds());
  app.use(requestMetrics());
  registerScrapeGauges();
  app.use(compression());
  app.use(securityHeaders({ production: config.NODE_ENV === "production" }));

  app.get("/healthz", async (_req, res) => {
    labelRoute(res, "/healthz");
    const health = await checkHealth();
    res
      .status(health.status === "ok" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json(health);
  });

  app.get("/metrics", metricsEndpoint({ token: config.METRICS_TOKEN }));

  // Fingerprinted assets can be cached forever; everything else for an hour.
  app.use("/build", express.static("build/public/build", { immutable: true, maxAge: "1y" }));
  app.use(express.static("build/public", { maxAge: "1h" }));

  const mode = config.NODE_ENV === "development" ? "development" : "production";
  let build = await importBuild();
  const getLoadContext = (req: express.Request, res: express.Response) => ({
    clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
    cspNonce: String(res.locals.cspNonce ?? ""),
    requestId: String(res.locals.requestId ?? ""),
  });
  // The route label of /metrics, compiled again when a dev rebuild brings new routes.
  const labelers = new WeakMap<ServerBuild, (pathname: string) => string>();
  const labeler = () => {
    let l = labelers.get(build);
    if (!l) labelers.set(build, (l = routeLabeler(build.routes)));
    return l;
  };
  app.use(remixRouteLabel(labeler));
  if (mode === "development") {
    const { watch } = await import("chokidar");
    watch(path.resolve("build/version.txt"), { ignoreInitial: true }).on("all", async () => {
      build = await importBuild();
      broadcastDevReady(build);
    });
    app.all("*", (req, res, next) => createRequestHandler({ build, mode, getLoadContext })(req, res, next));
  } else {
    app.all("*", createRequestHandler({ build, mode, getLoadContext }));
  }
  app.use(lastErrorHandler());

  httpServer = createServer(app);
  io = attachRealtime(httpServer);
  await new Promise<void>((resolve, reject) => {
    httpServer!.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") {
        reject(new EmbeddedError(`Port ${config.PORT} is already in use. Stop what listens there, or start with PORT=<another port>.`));
      } else reject(err);
    });
    httpServer!.listen(config.PORT, config.HOST, () => resolve());
  }).catch(async (e) => {
    await disconnectDb().catch(() => {});
    await payments?.stop();
    await services.stop();
    throw e;
  });
  stopJobs = await startJobs();
  stopOutbox = startOutboxWorker();
  if (mode === "development") broadcastDevReady(build);
  logger.info(`chengguo ready on http://localhost:${config.PORT} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

main().catch((e) => {
  if (e instanceof EnvError || e instanceof EmbeddedError) {
    console.error(`\nchengguo cannot start:\n${e.message}\n`);
  } else {
    logger.fatal({ err: e }, "start-up failed");
  }
  process.exit(1);
});
