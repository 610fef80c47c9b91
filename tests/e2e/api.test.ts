import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { appEnv } from "../setup/app.global.ts";
import { ROOT } from "../setup/tmp.ts";

const baseURL = inject("baseURL");
const run = promisify(execFile);

/** `npm run token -- --name NAME --role admin`, against the running app's DATA_DIR. */
async function token(name: string): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "server/cli/token.ts", "--name", name, "--role", "admin"], {
    cwd: ROOT,
    env: appEnv({ DATA_DIR: inject("appDataDir") }),
  });
  expect(stderr).toMatch(/using the services of the running app/);
  return stdout.trim();
}

describe("open data API over HTTP, with a token from the command line", () => {
  it("imports a mixed batch, then serves the good records to the API, the export and the public pages", async () => {
    const bearer = await token(`e2e-${Date.now()}`);
    expect(bearer).toMatch(/^cg_[A-Za-z0-9_-]{43}$/);
    const auth = { Authorization: `Bearer ${bearer}` };
    const body = {
      achievements: [
        {
          externalId: "A1",
          title: "三七种子包衣防腐技术",
          summary: "种子包衣减少三七种子腐烂",
          description: "以生防菌与成膜剂包衣三七种子，贮藏期腐烂率由 30% 降至 8%。",
          field: "plateau-agriculture",
          keywords: ["三七", "种子包衣"],
          ipType: "invention-patent",
          patentNumbers: ["ZL201910123456.7"],
          trl: 6,
          transactionModes: ["license", "transfer"],
          price: { mode: "fixed", amount: 300000 },
          owner: { name: "文山学院", type: "university" },
          region: "532627",
        },
        {
          externalId: "A2",
          title: "坏记录",
          description: "成熟度超出范围",
          field: "biomedicine",
          trl: 12,
          ipType: "none",
          transactionModes: ["license"],
          price: { mode: "negotiable" },
          owner: { name: "某所", type: "institute" },
          region: "532627",
        },
      ],
      demands: [
        {
          externalId: "D1",
          title: "需要三七种子贮藏技术",
          description: "合作社三七种子贮藏期间烂种严重。",
          field: "plateau-agriculture",
          keywords: ["三七", "烂种"],
          budget: { max: 500000 },
          transactionModes: ["license"],
          minTrl: 5,
          enterprise: { name: "西畴县兴街镇三七种植专业合作社" },
          region: "532623",
        },
      ],
    };
    const res = await fetch(`${baseURL}/api/v1/import`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer.totals).toMatchObject({ received: 3, created: 2, refused: 1 });
    const [a1, a2] = answer.achievements;
    expect(a1).toMatchObject({ externalId: "A1", status: "created" });
    expect(a1.warnings.map((w: { field: string }) => w.field)).toContain("patentNumbers.0");
    expect(a2.status).toBe("refused");
    expect(Object.keys(a2.errors)).toContain("trl");

    const one = await fetch(`${baseURL}/api/v1/achievements/${a1.id}`, { headers: auth });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ externalId: "A1", status: "published", price: { mode: "fixed", amount: 300000 } });

    // The imported record is public on the site straight away.
    const page = await fetch(`${baseURL}/achievements/${a1.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("三七种子包衣防腐技术");

    const exported = await fetch(`${baseURL}/api/v1/export?type=demand`, { headers: auth });
    expect(exported.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await exported.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.externalId === "D1" && l.type === "demand")).toBe(true);

    expect((await fetch(`${baseURL}/api/v1/import`, { method: "POST", body: "{}" })).status).toBe(401);
  });
});
