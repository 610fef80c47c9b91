import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { matchNotifyJob, NOTIFY_MIN_SCORE, NOTIFY_TOP, SWEEP_LAG_MS } from "~/services/matching/sweep.server.ts";
import { MATCH_MIN_SCORE } from "../../search/matching/score.ts";
import { ROOT } from "../setup/tmp.ts";

/** Matching's pure parts stay pure, and its periodic work is declared with its policy. */

const importsOf = (file: string) =>
  [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/^(?:import|export)\b[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);

describe("search/matching", () => {
  it("keeps terms, scoring and query building free of I/O: they import only each other and app/utils", () => {
    for (const file of ["search/matching/terms.ts", "search/matching/score.ts", "search/matching/queries.ts"]) {
      for (const spec of importsOf(file)) expect(spec, `${file} imports ${spec}`).toMatch(/^(\.\/(terms|score)\.ts|~\/utils\/[\w-]+\.ts)$/);
    }
  });
});

describe("the match notification job", () => {
  it("runs every minute under its module's name, announcing only pairs well above the display threshold", () => {
    expect(matchNotifyJob).toMatchObject({ name: "matching.notify", everyMs: 60_000 });
    expect(NOTIFY_MIN_SCORE).toBe(0.45);
    expect(NOTIFY_MIN_SCORE).toBeGreaterThan(MATCH_MIN_SCORE);
    expect(NOTIFY_TOP).toBe(10);
    expect(SWEEP_LAG_MS).toBe(5 * 60_000);
  });
});
