/**
 * `npm run bench:certificate-pdf [-- --registrations 500 --requests 100]`
 *
 * The registration certificate (技术合同登记证明) as a PDF through the real app:
 * GET /registrations/:id/certificate.pdf, logged in as the bureau, for registered contracts
 * stored through the Registration model in a fresh embedded mongod. Measured interleaved in one
 * run, at concurrency 1 and 4, next to the drawing alone (services/registration/certificate.server.ts's
 * renderCertificatePdf of the same registration, in this process: font subset, QR code, pdfkit)
 * as the raw figure. Goal: p95 < 500 ms (issue 17). Needs the CJK font (Debian's fonts-noto-cjk,
 * or CJK_FONT_PATH).
 */
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  interleaved,
  reportResults,
  seriesFigures,
  sessionCookie,
  startBenchApp,
  startBenchServices,
  stopApp,
  type BenchRow,
} from "./support.ts";
import { seedRegistrations } from "./registrations.ts";

const { values } = parseArgs({
  options: {
    registrations: { type: "string", default: "500" },
    requests: { type: "string", default: "100" },
  },
});
const nRegistrations = Number(values.registrations);
const nRequests = Number(values.requests);
if (![nRegistrations, nRequests].every((v) => Number.isInteger(v) && v > 0)) {
  console.error("--registrations and --requests must be positive whole numbers");
  process.exit(2);
}
const GOAL_MS = 500;

process.env.SESSION_SECRET = randomBytes(32).toString("base64url");
process.env.LOG_LEVEL ??= "warn";

const mongoose = (await import("mongoose")).default;
const { connectDb } = await import("~/utils/db.server.ts");
const { cjkFont, cjkFontAvailable } = await import("~/services/contracts/pdf.server.ts");
const { certificateView, loadNumbered, renderCertificatePdf } = await import("~/services/registration/certificate.server.ts");
const { currentChinaYear } = await import("~/services/statistics/period.ts");
const { person } = await import("../seeds/trading-fixtures.ts");

const font = cjkFont();
if (!cjkFontAvailable(font)) {
  console.error(`no CJK font at ${font.path}: install Debian's fonts-noto-cjk or set CJK_FONT_PATH`);
  process.exit(1);
}

const { dataDir, services } = await startBenchServices("certificate-pdf");
let app: ChildProcess | undefined;
try {
  await connectDb(services.mongoUri);
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  const ids = await seedRegistrations({ year: currentChinaYear() - 1, count: nRegistrations });
  const bureau = await person("bureau@bench.chengguo.cn", ["bureau"], "西畴县科学技术局", "government");
  const cookie = await sessionCookie(bureau.id, "bench:certificate-pdf");
  let base: string;
  ({ app, base } = await startBenchApp({ dataDir, services, env: { SESSION_SECRET: process.env.SESSION_SECRET } }));

  let bytes = 0;
  const get = async (i: number) => {
    const id = ids[Math.abs(i) % ids.length]!;
    const r = await fetch(`${base}/registrations/${id}/certificate.pdf`, { headers: { Cookie: cookie } });
    const body = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200 || !body.subarray(0, 5).equals(Buffer.from("%PDF-"))) throw new Error(`certificate ${id}: ${r.status}`);
    bytes = body.length;
  };
  // The raw figure: the same registration drawn by the service's renderer, without HTTP or the session.
  const draw = async (i: number) => renderCertificatePdf(certificateView(await loadNumbered(ids[Math.abs(i) % ids.length]!)), font);

  const rows: BenchRow[] = [];
  for (const concurrency of [1, 4]) {
    const s = await interleaved({ raw: draw, route: get }, { rounds: Math.ceil(nRequests / concurrency), concurrency });
    if (s.raw!.errors || s.route!.errors) throw new Error(`${s.raw!.errors + s.route!.errors} requests failed`);
    const raw = { name: "renderCertificatePdf (drawing alone)", ...seriesFigures(s.raw!) };
    const f = seriesFigures(s.route!);
    rows.push(
      { path: "renderCertificatePdf (in this process)", concurrency, ...seriesFigures(s.raw!) },
      {
        path: "GET /registrations/:id/certificate.pdf",
        concurrency,
        ...f,
        raw,
        goal: { text: `p95 < ${GOAL_MS} ms`, met: f.p95 < GOAL_MS },
      },
    );
  }
  await reportResults({
    bench: "certificate-pdf",
    title: "Registration certificate PDF",
    params: { registrations: nRegistrations, requests: nRequests, font: font.path },
    rows,
    notes: [
      `A certificate PDF is ${(bytes / 1024).toFixed(1)} KiB.`,
      ...(rows.some((r) => r.goal?.met === false)
        ? [
            "Missed: the time is pdfkit/fontkit drawing with a 19 MB CFF font (Noto Sans CJK), not the route: the route is within a few per cent of the drawing alone. " +
              "Parsing the font once per process (services/contracts/pdf.server.ts) halved it; what is left, by CPU profile: OpenType shaping of every string " +
              "(GSUB chaining contexts, useless for CJK text), the CFF subset (fontkit's subsetSubrs walks the font's subroutines for every document) and garbage collection. " +
              "What it would take: shaping with features off for CJK runs, a TrueType (glyf) CJK font or a pre-subset font of the characters the certificate can use, " +
              "or keeping each certificate's bytes until the registration changes (a certificate is the same until then).",
          ]
        : []),
    ],
  });
} finally {
  await stopApp(app);
  await mongoose.disconnect().catch(() => {});
  await services.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
}
