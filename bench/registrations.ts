/**
 * Registered technology contracts for the dashboard and certificate benchmarks, made fast: whole
 * documents from the seeds' registrationDoc (what the registration module stores), validated by
 * the Registration model and inserted in batches. Spread over a year (China time) across the
 * county's towns, outside parties, all five categories, the technical fields and the entity
 * types; a seeded generator, so every run stores the same data. Imported after the benchmark's
 * services are set (it loads app models).
 */
import { registrationNumber } from "~/utils/registration.ts";

/** mulberry32: small and seeded. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// 西畴县 (532623) and its towns; counties elsewhere for the other party.
const TOWNS = ["532623101", "532623102", "532623201", "532623202", "532623203", "532623204", "532623205", "532623206", "532623207"];
const ELSEWHERE = ["530102", "530103", "532601", "532622", "451002", "530111"];
const ENTITY_TYPES = ["021", "022", "110", "150", "160", "170", "190"];
const FIELDS = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"];
const CATEGORIES = [
  ["development", "commissioned"],
  ["transfer", "patent"],
  ["license", "patent"],
  ["consulting", "feasibility"],
  ["service", "general"],
] as const;

/**
 * Stores `count` registered contracts whose registration dates spread over `year` (and, when
 * asked, `others` more over the year before and submitted ones not yet decided, which the
 * dashboard must leave out). Returns the ids of the registered ones of `year`.
 */
export async function seedRegistrations({
  year,
  count,
  others = 0,
  onProgress,
}: {
  year: number;
  count: number;
  others?: number;
  onProgress?: (done: number) => void;
}): Promise<string[]> {
  const { Registration } = await import("~/models/registration.server.ts");
  const { party, registrationDoc, DEMO_PREFECTURE, DEMO_POINT } = await import("../seeds/registration-fixtures.ts");
  const { chinaYearRange } = await import("~/services/statistics/period.ts");
  const next = rng(17_037 + year);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const serials = new Map<number, number>();
  const bureau = { name: "西畴县科学技术局" };

  const one = (i: number, y: number, registered: boolean) => {
    const { from, to } = chinaYearRange(y);
    const at = new Date(from.getTime() + Math.floor(next() * (to.getTime() - from.getTime() - 86_400_000)));
    // Most contracts have a county party: a county seller, a county buyer, or both.
    const kind = next();
    const local = () => party(`西畴县基准企业 ${Math.floor(next() * 400)}`, pick(TOWNS), pick(ENTITY_TYPES));
    const outside = () => party(`基准外地单位 ${Math.floor(next() * 200)}`, pick(ELSEWHERE), pick(ENTITY_TYPES), "12");
    const seller = kind < 0.45 ? local() : outside();
    const buyer = kind < 0.3 || kind >= 0.45 ? (kind > 0.95 ? outside() : local()) : outside();
    const [category, subCategory] = pick(CATEGORIES);
    const contractFen = Math.round(2_000_000 + next() * 300_000_000);
    const technologyFen = next() < 0.7 ? contractFen : Math.round(contractFen * (0.6 + next() * 0.4));
    const serial = (serials.get(y) ?? 0) + 1;
    serials.set(y, serial);
    return registrationDoc({
      projectName: `基准技术合同 ${y}-${i}`,
      category,
      subCategory,
      seller,
      buyer,
      technicalField: pick(FIELDS),
      contractFen,
      technologyFen,
      submittedAt: new Date(at.getTime() - 10 * 86_400_000),
      ...(registered
        ? { registered: { at, number: registrationNumber(y, DEMO_PREFECTURE, DEMO_POINT, serial), serial, year: y, by: bureau } }
        : { dueAt: new Date(at.getTime() + 20 * 86_400_000) }),
    });
  };

  const ids: string[] = [];
  const BATCH = 1000;
  let done = 0;
  for (let start = 0; start < count; start += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => one(start + k, year, true));
    const stored = await Registration.insertMany(docs, { ordered: true });
    for (const d of stored) ids.push(String(d._id));
    onProgress?.((done += docs.length));
  }
  for (let start = 0; start < others; start += BATCH) {
    const n = Math.min(BATCH, others - start);
    // Half in the year before (registered), half still waiting for a decision.
    const docs = Array.from({ length: n }, (_, k) => (k % 2 ? one(start + k, year - 1, true) : one(start + k, year, false)));
    await Registration.insertMany(docs, { ordered: true });
  }
  return ids;
}
