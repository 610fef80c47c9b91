import mongoose from "mongoose";
import { afterEach, describe, expect, it } from "vitest";
import type { Job } from "~/services/kernel/jobs.ts";
import { startJobRunner, type JobRunner } from "../../server/jobs/runner.ts";

/**
 * The job runner: a due job runs on one instance at a time however many instances run the runner
 * (here two runners, as two app instances would, on the same database), it keeps running while
 * due, and a run that outlives its lock (an instance that hung or died) is taken over elsewhere.
 */
const runners: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
  await mongoose.connection.db!.collection("agendaJobs").deleteMany({});
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: () => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await sleep(50);
  }
}

describe("job runner", () => {
  it("runs a due job again and again, never on two instances at once", async () => {
    let running = 0;
    let overlap = 0;
    const runs: string[] = [];
    const job = (instance: string): Job => ({
      name: "test.tick",
      everyMs: 200,
      run: async () => {
        running++;
        if (running > 1) overlap++;
        runs.push(instance);
        await sleep(150);
        running--;
      },
    });
    const db = mongoose.connection.db!;
    runners.push(await startJobRunner([job("a")], { db, instance: "a", pollMs: 100 }));
    runners.push(await startJobRunner([job("b")], { db, instance: "b", pollMs: 100 }));
    await until(() => runs.length >= 6);
    expect(overlap).toBe(0);
    // One document for the job, whatever the number of instances.
    expect(await db.collection("agendaJobs").countDocuments({ name: "test.tick" })).toBe(1);
  });

  it("stops: after stop() the job does not run any more on that instance", async () => {
    let runs = 0;
    const db = mongoose.connection.db!;
    const runner = await startJobRunner([{ name: "test.stop", everyMs: 100, run: async () => void runs++ }], { db, pollMs: 100 });
    await until(() => runs >= 2);
    await runner.stop();
    const after = runs;
    await sleep(600);
    expect(runs).toBe(after);
  });

  it("an instance that stops releases the job it had locked ahead of its run: the next instance runs it when due, not after its lockMs", async () => {
    const db = mongoose.connection.db!;
    const jobs = db.collection("agendaJobs");
    let running = false;
    const runsOn: string[] = [];
    // Due every second, locked for 10 minutes when taken (like the vocabulary rebuild's 30).
    const job = (instance: string): Job => ({
      name: "test.release",
      everyMs: 1_000,
      lockMs: 10 * 60_000,
      run: async () => {
        running = true;
        runsOn.push(instance);
        await sleep(10);
        running = false;
      },
    });
    const a = await startJobRunner([job("a")], { db, instance: "a", pollMs: 1_000 });
    await until(() => runsOn.length >= 1);
    // Agenda takes the lock up to a poll before the run: wait for that moment, then stop "a".
    const end = Date.now() + 20_000;
    for (;;) {
      const doc = await jobs.findOne({ name: "test.release" });
      if (doc?.lockedAt && !running && doc.nextRunAt > new Date()) break;
      if (Date.now() > end) throw new Error("the job was never locked ahead of its run");
      await sleep(20);
    }
    await a.stop();
    expect((await jobs.findOne({ name: "test.release" }))?.lockedAt ?? null).toBeNull();
    const before = runsOn.length;
    runners.push(await startJobRunner([job("b")], { db, instance: "b", pollMs: 1_000 }));
    await until(() => runsOn.length > before, 10_000);
    expect(runsOn.at(-1)).toBe("b");
  });

  it("gives a run that outlived its lock to another instance", async () => {
    const db = mongoose.connection.db!;
    let hungStarted = false;
    let tookOver = false;
    // Instance "a" takes the job and never finishes (hung, or killed without unlocking).
    // The lock is taken after this instant, so it cannot expire before `lockedNotBefore + lockMs`.
    const lockedNotBefore = Date.now();
    const hung: Job = {
      name: "test.lock",
      everyMs: 200,
      lockMs: 800,
      run: () => ((hungStarted = true), new Promise(() => {})),
    };
    const a = await startJobRunner([hung], { db, instance: "a", pollMs: 100 });
    await until(() => hungStarted);
    let tookAt = 0;
    const b = await startJobRunner([{ ...hung, run: async () => void ((tookOver = true), (tookAt = Date.now())) }], {
      db,
      instance: "b",
      pollMs: 100,
    });
    runners.push(b);
    await until(() => tookOver);
    expect(tookOver).toBe(true);
    // Not before the hung run's lock expired.
    expect(tookAt - lockedNotBefore).toBeGreaterThanOrEqual(800);
    void a.stop(); // its run never ends; stop() waits a bounded time
  });
});
