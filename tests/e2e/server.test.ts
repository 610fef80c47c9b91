import { execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { MongoClient } from "mongodb";
import { describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { freePort } from "../../server/embedded/process.ts";
import { appEnv, spawnApp, waitForHealthy } from "../setup/app.global.ts";
import { ROOT } from "../setup/tmp.ts";
import { HttpClient } from "../support/http.ts";

const baseURL = inject("baseURL");
const run = promisify(execFile);

describe("the running server (started like `npm start`)", () => {
  it("GET /healthz names the connected MongoDB and Meilisearch versions", async () => {
    const res = await fetch(`${baseURL}/healthz`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      status: "ok",
      mongodb: { ok: true, version: "8.2.6", replicaSet: "rs0" },
      meilisearch: { ok: true, version: "1.21.0" },
    });
  });

  it("seeded the demo data on first start: the home page shows the county's organisations and towns", async () => {
    const { res, html } = await new HttpClient(baseURL).page("/");
    expect(res.status).toBe(200);
    expect(html).toContain('lang="zh-CN"');
    expect(html).toContain("西畴县科学技术局");
    expect(html).not.toContain("\0"); // React 18's streaming renderer must not leak NUL bytes into Chinese text
    for (const town of ["西洒镇", "兴街镇", "蚌谷乡", "莲花塘乡", "新马街乡", "柏林乡", "法斗乡", "董马乡", "鸡街乡"]) {
      expect(html).toContain(town);
    }
  });

  it("an unknown address gets a friendly 404 page inside the site's layout, not a stack trace", async () => {
    const { res, html } = await new HttpClient(baseURL).page("/no-such-page");
    expect(res.status).toBe(404);
    expect(html).toContain("页面不存在");
    expect(html).toContain("返回首页");
    expect(html).toContain('href="/login"'); // the header is still there to go on from
    expect(html).not.toMatch(/at [\w.]+ \(|node_modules/);
  });

  it("refuses a form post without the CSRF token", async () => {
    const c = new HttpClient(baseURL);
    await c.page("/login");
    const res = await c.post("/login", { email: "admin@demo.chengguo.cn", password: DEMO_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie") ?? "").not.toContain("__session");
  });

  it("registration with bad input answers 400, names each field and keeps what was typed", async () => {
    const c = new HttpClient(baseURL);
    const { csrf } = await c.page("/register");
    const res = await c.post("/register", {
      csrf,
      roles: "seller",
      email: "seller@demo.chengguo.cn", // already taken by the seed
      name: "王老师",
      password: "Terraces2025",
      confirmPassword: "Terraces2025",
      accountType: "university",
      orgName: "文山某研究所",
      creditCode: "12532623MB1234567X", // wrong check character
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("校验位不正确"); // the credit code's own message
    expect(html).toContain('value="王老师"');
    expect(html).toContain('value="文山某研究所"');
    expect(html).toContain('value="12532623MB1234567X"');
    expect(html).not.toContain("Terraces2025"); // passwords are never echoed back

    const weak = await c.post("/register", {
      csrf,
      roles: "buyer",
      email: "new-person@example.cn",
      name: "新用户",
      password: "short",
      confirmPassword: "short",
      accountType: "individual",
    });
    expect(weak.status).toBe(400);
    expect(await weak.text()).toContain("密码太弱");

    const fixedCode = await c.post("/register", {
      csrf,
      roles: "seller",
      email: "seller@demo.chengguo.cn",
      name: "王老师",
      password: "Terraces2025",
      confirmPassword: "Terraces2025",
      accountType: "individual",
    });
    expect(fixedCode.status).toBe(400);
    expect(await fixedCode.text()).toContain("该邮箱已注册");
  });

  it("only an admin may open the user administration", async () => {
    const anon = await new HttpClient(baseURL).get("/admin/users");
    expect(anon.status).toBe(302);
    expect(anon.headers.get("location")).toBe("/login?redirectTo=%2Fadmin%2Fusers");

    const buyer = new HttpClient(baseURL);
    expect((await buyer.login("buyer@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    expect((await buyer.get("/admin/users")).status).toBe(403);

    const admin = new HttpClient(baseURL);
    expect((await admin.login("admin@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    const { res, html } = await admin.page("/admin/users?role=broker");
    expect(res.status).toBe(200);
    expect(html).toContain("broker@demo.chengguo.cn");
    expect(html).not.toContain("buyer@demo.chengguo.cn");

    // A search that cannot be one is named on the page with 400 (issue 12 point 12), never a 500.
    for (const [q, message] of [
      ["a".repeat(101), "搜索词最多 100 个字符"],
      ["a%00b", "搜索词不能包含控制字符"],
    ]) {
      const bad = await admin.page(`/admin/users?q=${q}`);
      expect(bad.res.status).toBe(400);
      expect(bad.html).toContain(message);
      expect(bad.html).toContain('data-testid="search-error"');
    }
  });

  it("an admin grants a role through the form and the user gets it on their next page", async () => {
    const admin = new HttpClient(baseURL);
    await admin.login("admin@demo.chengguo.cn", DEMO_PASSWORD);
    const { html, csrf } = await admin.page("/admin/users?q=food%40demo");
    const userId = /name="userId" value="([a-f0-9]{24})"/.exec(html)![1]!;
    const res = await admin.post("/admin/users?q=food%40demo", {
      csrf,
      intent: "set-roles",
      userId,
      roles: ["buyer", "seller"],
    });
    expect(res.status).toBe(200);

    const food = new HttpClient(baseURL);
    await food.login("food@demo.chengguo.cn", DEMO_PASSWORD);
    const account = await food.page("/account");
    expect(account.html).toContain("成果持有方");

    const bad = await admin.post("/admin/users", { csrf, intent: "set-roles", userId, roles: ["emperor"] });
    expect(bad.status).toBe(400);
  });

  it("throttles repeated failed logins with 429", async () => {
    const c = new HttpClient(baseURL);
    const statuses: number[] = [];
    // An account no other e2e test logs into: it stays locked for the rest of the run.
    for (let i = 0; i < 6; i++) statuses.push((await c.login("seller3@demo.chengguo.cn", "wrong-password-1")).status);
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses[5]).toBe(429);
    // Even the right password is refused while throttled.
    expect((await c.login("seller3@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(429);
  });

  it("logout ends the session on the server, not just in the browser", async () => {
    const c = new HttpClient(baseURL);
    await c.login("seller@demo.chengguo.cn", DEMO_PASSWORD);
    const stolen = c.cookie("__session")!;
    const { csrf } = await c.page("/account");
    expect((await c.post("/logout", { csrf })).status).toBe(302);
    const replay = await fetch(`${baseURL}/account`, { headers: { Cookie: `__session=${stolen}` }, redirect: "manual" });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("location")).toContain("/login");
  });

  it("`npm run seed` works while the app runs, using the app's embedded services", async () => {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "seeds/cli.ts"], {
      cwd: ROOT,
      env: appEnv({ DATA_DIR: inject("appDataDir") }),
    });
    expect(stderr).toMatch(/using the services of the running app \(pid \d+\)/);
    expect(stdout).toMatch(/Seeded demo data: 12 organisations, \d+ users/);
  });

  it("answers 503 on /healthz while Meilisearch is unreachable", async () => {
    const state = JSON.parse(await fs.readFile(path.join(inject("appDataDir"), "services.json"), "utf8"));
    const port = await freePort();
    const deadMeili = `http://127.0.0.1:${await freePort()}`;
    // A database of its own on the same mongod: its job runner is then the only one there and takes
    // the jobs due at its start. On the shared database, which instance locks a due job depends on
    // their polls' phases; in one CI run the first instance won every one for 30 s.
    const ownDb = new URL(state.mongoUri);
    ownDb.pathname = "/chengguo_second";
    const mongo = await MongoClient.connect(state.mongoUri);
    const agendaJobs = mongo.db("chengguo_second").collection("agendaJobs");
    const child = spawnApp(
      {
        DATA_DIR: path.join(inject("appDataDir"), "second"),
        PORT: String(port),
        MONGODB_URI: ownDb.href,
        MEILI_HOST: deadMeili,
        MEILI_MASTER_KEY: "0123456789abcdef0123",
        EMBEDDED_STRIPE_PORT: String(await freePort()),
        EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
        EMBEDDED_MAIL_WEB_PORT: String(await freePort()),
      },
      { quiet: true },
    );
    try {
      let res: Response | undefined;
      for (let i = 0; i < 200 && !res; i++) {
        res = await fetch(`http://localhost:${port}/healthz`).catch(() => undefined);
        if (!res) await new Promise((r) => setTimeout(r, 250));
      }
      expect(res!.status).toBe(503);
      const body = await res!.json();
      expect(body.status).toBe("unavailable");
      expect(body.mongodb).toMatchObject({ ok: true, version: "8.2.6" });
      expect(body.meilisearch.ok).toBe(false);
      // Its job runner works meanwhile: once it has taken a job, it is stopped.
      await expect
        .poll(() => agendaJobs.countDocuments({ lastModifiedBy: { $regex: `:${child.pid}:` } }), { timeout: 30_000 })
        .toBeGreaterThan(0);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    try {
      // Stopped, it holds no job's lock (a lock left behind kept the vocabulary rebuild off every
      // instance for the job's 30-minute lockMs).
      const held = await agendaJobs
        .find({ lockedAt: { $ne: null }, lastModifiedBy: { $regex: `:${child.pid}:` } }, { projection: { name: 1 } })
        .toArray();
      expect(held.map((j) => j.name)).toEqual([]);
    } finally {
      await mongo.close();
    }
  });

  it("`npm start` stops the app and both embedded services on SIGTERM, keeping the data", async () => {
    const dataDir = path.join(inject("appDataDir"), "via-npm");
    const [port, mongoPort, meiliPort, stripePort, mailPort, mailWebPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const start = () =>
      // --ignore-scripts skips only the prestart build, which the e2e setup has already done.
      spawn("npm", ["start", "--ignore-scripts", "--silent"], {
        cwd: ROOT,
        env: appEnv({
          DATA_DIR: dataDir,
          PORT: String(port),
          EMBEDDED_MONGO_PORT: String(mongoPort),
          EMBEDDED_MEILI_PORT: String(meiliPort),
          EMBEDDED_STRIPE_PORT: String(stripePort),
          EMBEDDED_MAIL_SMTP_PORT: String(mailPort),
          EMBEDDED_MAIL_WEB_PORT: String(mailWebPort),
        }),
        stdio: "ignore",
      });
    const answers = (p: number) =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(p, "127.0.0.1");
        s.once("connect", () => (s.destroy(), resolve(true)));
        s.once("error", () => resolve(false));
      });
    const stop = async (child: ReturnType<typeof start>) => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM"); // to npm, as a service manager or `docker stop` would
      await exited;
      for (
        let i = 0;
        i < 100 && ((await answers(port)) || (await answers(mongoPort)) || (await answers(meiliPort)) || (await answers(stripePort)));
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const first = start();
    await waitForHealthy(`http://localhost:${port}`, first);
    const c = new HttpClient(`http://localhost:${port}`);
    expect((await c.login("admin@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    const { pid: appPid } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
    try {
      await stop(first);
      expect({
        app: await answers(port),
        mongod: await answers(mongoPort),
        meili: await answers(meiliPort),
        stripe: await answers(stripePort),
      }).toEqual({
        app: false,
        mongod: false,
        meili: false,
        stripe: false,
      });
    } finally {
      try {
        process.kill(appPid, "SIGTERM"); // only reached when npm failed to pass the signal on
      } catch {
        // already gone, as it should be
      }
    }

    // The data survived: the session created before the restart still logs the admin in.
    const second = start();
    try {
      await waitForHealthy(`http://localhost:${port}`, second);
      const { html } = await c.page("/account");
      expect(html).toContain("admin@demo.chengguo.cn");
    } finally {
      await stop(second);
    }
  });
});
