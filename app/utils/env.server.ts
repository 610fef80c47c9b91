import path from "node:path";
import { z } from "zod";

/**
 * Every environment variable the app reads, validated once. The embedded default (no
 * MONGODB_URI / MEILI_HOST) is resolved by server/embedded before the app reads the
 * service endpoints, so those are optional here.
 */
const boolish = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes");

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default(".data"),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "must start with mongodb:// or mongodb+srv://")
    .optional(),
  MEILI_HOST: z.string().url("must be a URL such as http://127.0.0.1:7700").optional(),
  MEILI_MASTER_KEY: z.string().min(16, "must be at least 16 bytes").optional(),
  MEILI_INDEX_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]*$/, "letters, digits, _ and - only")
    .default(""),
  EMBEDDED_MONGO_PORT: z.coerce.number().int().min(1).max(65535).default(27017),
  EMBEDDED_MEILI_PORT: z.coerce.number().int().min(1).max(65535).default(7700),
  // Comma-separated, newest first: cookies are signed with the first and accepted with any.
  SESSION_SECRET: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((x) => x.length >= 32), "each secret must be at least 32 characters")
    .optional(),
  COOKIE_SECURE: boolish.optional(),
  SEED_ON_EMPTY: boolish.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Payments. With STRIPE_SECRET_KEY the real Stripe API is used (STRIPE_WEBHOOK_SECRET is then
  // required). Without it the app starts the local Stripe-compatible server (server/stripe-local/)
  // on EMBEDDED_STRIPE_PORT and points the same SDK at it. STRIPE_API_BASE
  // points the SDK at another Stripe-compatible server (e.g. one shared by several instances).
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, "must look like sk_test_… or sk_live_…")
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, "must look like whsec_…")
    .optional(),
  // The Connect endpoint's (/webhooks/stripe/connect) signing secret; unset = STRIPE_WEBHOOK_SECRET
  // (the local server signs every delivery with the one endpoint's secret).
  STRIPE_CONNECT_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\w+$/, "must look like whsec_…")
    .optional(),
  STRIPE_API_BASE: z.string().url("must be a URL such as http://127.0.0.1:12111").optional(),
  EMBEDDED_STRIPE_PORT: z.coerce.number().int().min(1).max(65535).default(12111),
  // Email. With SMTP_URL (nodemailer's connection URL, e.g. smtps://user:pass@smtp.example.cn:465)
  // mail goes to that server. Without it `npm start` runs a local mail catcher (maildev) whose
  // SMTP side listens on EMBEDDED_MAIL_SMTP_PORT and whose page on EMBEDDED_MAIL_WEB_PORT lists
  // every mail sent; MAIL_CATCHER_URL is then set to that page.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional(),
  MAIL_FROM: z.string().min(3).default("成果平台 <noreply@chengguo.localhost>"),
  MAIL_CATCHER_URL: z.string().url().optional(),
  EMBEDDED_MAIL_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(1025),
  EMBEDDED_MAIL_WEB_PORT: z.coerce.number().int().min(1).max(65535).default(1080),
  // The site's public address, for links in emails (password reset, invitations, notifications).
  // Default: http://localhost:PORT.
  APP_URL: z.string().url("must be a URL such as https://chengguo.example.cn").optional(),
  // Other origins (scheme://host[:port], comma-separated) whose pages may open the site's socket.io
  // connection; the site's own origin (the request's Host) always may, any other is refused.
  ALLOWED_ORIGINS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.every((x) => URL.canParse(x) && /^https?:$/.test(new URL(x).protocol)),
      "each must be a URL such as https://example.cn",
    )
    .transform((list) => list.map((x) => new URL(x).origin)),
  // The CJK font embedded in contract PDFs (services/contracts/pdf.server.ts): Noto Sans CJK from
  // Debian's fonts-noto-cjk by default. A .ttc collection is read by its face's PostScript name
  // (CJK_FONT_NAME); a .ttf/.otf file needs none. Missing file: the PDF answers 503 with a notice.
  CJK_FONT_PATH: z
    .string()
    .regex(/\.(ttc|ttf|otf)$/i, "must be a .ttc, .ttf or .otf font file")
    .default("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
  CJK_FONT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "must be a font's PostScript name such as NotoSansCJKsc-Regular")
    .default("NotoSansCJKsc-Regular"),
  // Optional semantic layer (docs/decisions/032-optional-embeddings.md). With EMBEDDINGS_URL (an
  // OpenAI-compatible embeddings service: its base, …/v1 or …/v1/embeddings) listings carry vectors
  // in Meilisearch and matching adds a vector query; unset, nothing of it runs.
  EMBEDDINGS_URL: z
    .string()
    .url("must be a URL such as http://127.0.0.1:8080 (an OpenAI-compatible /v1/embeddings service)")
    .refine((v) => !URL.canParse(v) || /^https?:$/.test(new URL(v).protocol), "must be an http:// or https:// URL")
    .optional(),
  EMBEDDINGS_MODEL: z.string().trim().min(1).max(200).optional(),
  EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  // The vectors' length; unset: read from the service's first answer.
  EMBEDDINGS_DIMENSIONS: z.coerce
    .number({ message: "must be a whole number such as 512" })
    .int("must be a whole number such as 512")
    .min(1)
    .max(8192, "must be at most 8192")
    .optional(),
  // Who may scrape /metrics besides loopback and private addresses: `Authorization: Bearer <this>`
  // (docs/decisions/039-metrics-and-request-ids.md).
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  // Express "trust proxy": which hops may set X-Forwarded-For (the login limiter keys on the
  // client IP). "loopback" suits a local reverse proxy; a number counts hops; "true" trusts all.
  TRUST_PROXY: z
    .string()
    .default("loopback")
    .transform((v) => (v === "true" ? true : v === "false" ? false : /^\d+$/.test(v) ? Number(v) : v)),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset: `FOO= npm start` should mean "default".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join(".") || "(env)"} ${i.message}`);
  // Cross-variable rules, checked on the raw input so they are reported together with the rest.
  if (cleaned.MEILI_HOST && !cleaned.MEILI_MASTER_KEY) {
    problems.push("MEILI_MASTER_KEY is required when MEILI_HOST is set");
  }
  if (cleaned.STRIPE_SECRET_KEY && !cleaned.STRIPE_WEBHOOK_SECRET) {
    problems.push("STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set");
  }
  if (cleaned.EMBEDDINGS_URL && !cleaned.EMBEDDINGS_MODEL) {
    problems.push("EMBEDDINGS_MODEL is required when EMBEDDINGS_URL is set (the model name the service expects, e.g. bge-small-zh-v1.5)");
  }
  for (const k of ["EMBEDDINGS_MODEL", "EMBEDDINGS_API_KEY", "EMBEDDINGS_DIMENSIONS"]) {
    if (cleaned[k] && !cleaned.EMBEDDINGS_URL) problems.push(`${k} is set but EMBEDDINGS_URL is not: set EMBEDDINGS_URL, or unset ${k}`);
  }
  if (problems.length || !result.success) throw new EnvError(problems);
  return result.data;
}

let cached: Env | undefined;
/** The validated environment, parsed once. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Sets the resolved service endpoints into process.env (shared by every module copy) and re-validates. */
export function setServiceEndpoints(p: { mongoUri: string; meiliHost: string; meiliKey?: string }) {
  process.env.MONGODB_URI = p.mongoUri;
  // Empty for a command that needs MongoDB only (npm run backup).
  if (p.meiliHost) process.env.MEILI_HOST = p.meiliHost;
  if (p.meiliKey) process.env.MEILI_MASTER_KEY = p.meiliKey;
  cached = parseEnv(process.env);
  return cached;
}

/**
 * Sets the resolved payment gateway (server/embedded/stripe.ts: the local Stripe-compatible
 * server and its webhook secret; tests) into process.env and re-validates. `apiBase: null`
 * means api.stripe.com.
 */
export function setPaymentEndpoints(p: { apiBase: string | null; secretKey: string; webhookSecret: string }) {
  if (p.apiBase) process.env.STRIPE_API_BASE = p.apiBase;
  else delete process.env.STRIPE_API_BASE;
  process.env.STRIPE_SECRET_KEY = p.secretKey;
  process.env.STRIPE_WEBHOOK_SECRET = p.webhookSecret;
  cached = parseEnv(process.env);
  return cached;
}

/** Sets the resolved mail endpoints (server/embedded/mail.ts: the local mail catcher; tests) and re-validates. */
export function setMailEndpoints(p: { smtpUrl: string; catcherUrl?: string }) {
  process.env.SMTP_URL = p.smtpUrl;
  if (p.catcherUrl) process.env.MAIL_CATCHER_URL = p.catcherUrl;
  else delete process.env.MAIL_CATCHER_URL;
  cached = parseEnv(process.env);
  return cached;
}

/**
 * Sets (or with null removes) the embeddings service (tests: the deterministic server of
 * tests/support/embedding-server.ts) and re-validates.
 */
export function setEmbeddingsEndpoint(p: { url: string; model: string; apiKey?: string; dimensions?: number } | null) {
  for (const k of ["EMBEDDINGS_URL", "EMBEDDINGS_MODEL", "EMBEDDINGS_API_KEY", "EMBEDDINGS_DIMENSIONS"]) delete process.env[k];
  if (p) {
    process.env.EMBEDDINGS_URL = p.url;
    process.env.EMBEDDINGS_MODEL = p.model;
    if (p.apiKey) process.env.EMBEDDINGS_API_KEY = p.apiKey;
    if (p.dimensions) process.env.EMBEDDINGS_DIMENSIONS = String(p.dimensions);
  }
  cached = parseEnv(process.env);
  return cached;
}

/** The site's public base URL (no trailing slash), for links that leave the site (emails). */
export function publicUrl(e: Env = env()): string {
  return (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
}

export function dataDir(e: Env = env()): string {
  return path.resolve(e.DATA_DIR);
}

/** The resolved service endpoints, set by server/embedded or taken from the environment. */
export function serviceEndpoints() {
  const e = env();
  if (!e.MONGODB_URI) throw new Error("MONGODB_URI is not resolved: services not started");
  if (!e.MEILI_HOST) throw new Error("MEILI_HOST is not resolved: services not started");
  return { mongoUri: e.MONGODB_URI, meiliHost: e.MEILI_HOST, meiliKey: e.MEILI_MASTER_KEY };
}
