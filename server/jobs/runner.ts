import { randomBytes } from "node:crypto";
import os from "node:os";
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import type { Db } from "mongodb";
import type { Job } from "~/services/kernel/jobs.ts";
import { logger } from "~/utils/logger.server.ts";
import { metrics } from "~/utils/metrics.server.ts";
import { newRequestId, runWithRequestId } from "~/utils/request-context.server.ts";

/**
 * The one scheduler of periodic work (docs/architecture.md, "Jobs"). Modules declare their jobs
 * (app/services/kernel/jobs.ts); this runner schedules them with Agenda on MongoDB: every instance
 * runs a runner, each job is one document in `agendaJobs`, and a due job is locked by the instance
 * that takes it, so it runs on one instance at a time however many there are. A run that outlives
 * its lock (a crashed instance) is taken over by another instance after `lockMs`.
 *
 * The jobs themselves stay safe to run twice (each change they make is conditional, the auction
 * closer holds its own lease): the runner saves the work of doing it twice, the jobs make it
 * harmless.
 */
export interface JobRunnerOptions {
  db: Db;
  /** How often this instance looks for due jobs (the resolution of the fastest job). */
  pollMs?: number;
  /** Shown in agendaJobs.lastModifiedBy and the logs. */
  instance?: string;
  collection?: string;
}

export interface JobRunner {
  stop(): Promise<void>;
}

const lockFor = (job: Job) => job.lockMs ?? Math.max(60_000, job.everyMs * 10);

function worthLogging(result: unknown): boolean {
  if (result == null || result === false || result === 0) return false;
  if (Array.isArray(result)) return result.length > 0;
  if (typeof result === "object") return Object.values(result).some((v) => v !== 0 && v != null && v !== false);
  return true;
}

export async function startJobRunner(jobs: readonly Job[], opts: JobRunnerOptions): Promise<JobRunner> {
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`two jobs are named ${job.name}`);
    names.add(job.name);
  }
  // Unique per process: the jobs this instance locked are found by it when it stops (below).
  const instance = opts.instance ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const running = new Set<string>();
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: opts.db, collection: opts.collection ?? "agendaJobs" }),
    name: instance,
    processEvery: opts.pollMs ?? Math.min(1_000, ...jobs.map((j) => j.everyMs)),
    // One run of each job at a time on this instance; the lock keeps other instances off it.
    defaultConcurrency: 1,
    defaultLockLimit: 1,
  });
  // Agenda keeps polling through a MongoDB outage and picks up again by itself; one line per
  // outage (and one per minute while it lasts) says so without a line per poll and job.
  let lastErrorLogged = 0;
  agenda.on("error", (err) => {
    if (Date.now() - lastErrorLogged < 60_000) return;
    lastErrorLogged = Date.now();
    logger.warn({ err: err.message }, "job runner: database error; will retry");
  });

  for (const job of jobs) {
    agenda.define(
      job.name,
      // Each run is counted and timed (/metrics), and its log lines share one id, like a request's.
      () =>
        runWithRequestId(newRequestId(), async () => {
          const m = metrics();
          const end = m.jobDuration.startTimer({ job: job.name });
          running.add(job.name);
          try {
            const result = await job.run(new Date());
            m.jobRuns.inc({ job: job.name, outcome: "ok" });
            if (worthLogging(result)) logger.info({ job: job.name, result }, "job done");
          } catch (err) {
            m.jobRuns.inc({ job: job.name, outcome: "failed" });
            logger.warn({ job: job.name, err: (err as Error).message }, "job failed; will run again when next due");
            throw err;
          } finally {
            running.delete(job.name);
            end();
          }
        }),
      { concurrency: 1, lockLimit: 1, lockLifetime: lockFor(job) },
    );
  }
  await agenda.start();
  // One document per job, shared by every instance. Agenda's every() saves it by name, which also
  // clears a lock another instance holds: so only when it is missing or its interval changed.
  const collection = opts.db.collection(opts.collection ?? "agendaJobs");
  for (const job of jobs) {
    const stored = await collection.findOne({ name: job.name, type: "single" }, { projection: { repeatInterval: 1 } });
    if (stored?.repeatInterval !== job.everyMs) await agenda.every(job.everyMs, job.name, undefined, { skipImmediate: false });
  }

  return {
    async stop() {
      // Stops polling and lets a run in progress finish (a bounded wait: shutdown has a deadline).
      await agenda.drain({ timeout: 10_000 });
      // Agenda locks a due job up to one poll before its run; drain() leaves those locks in the
      // database, and no other instance would take the job before its lockMs ran out (30 minutes for
      // the vocabulary rebuild: a vocabulary edit after a restart waited that long). What this
      // instance holds and is not running is released, so another instance takes it at once.
      await collection
        .updateMany({ lastModifiedBy: instance, lockedAt: { $ne: null }, name: { $nin: [...running] } }, { $unset: { lockedAt: true } })
        .catch((err: Error) => logger.warn({ err: err.message }, "job runner: could not release this instance's job locks"));
    },
  };
}
