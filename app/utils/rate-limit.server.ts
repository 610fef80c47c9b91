import mongoose from "mongoose";
import { RateLimiterMongo, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "./errors.ts";

/**
 * Login throttling, kept in MongoDB so every app instance counts the same attempts:
 * 5 failed logins per email+IP per 15 minutes, and 50 per IP (a password-spraying guard).
 */
let limiters: { pair: RateLimiterMongo; ip: RateLimiterMongo } | undefined;

function get() {
  limiters ??= {
    pair: new RateLimiterMongo({
      storeClient: mongoose.connection,
      tableName: "ratelimit_login",
      keyPrefix: "login_pair",
      points: 5,
      duration: 15 * 60,
    }),
    ip: new RateLimiterMongo({
      storeClient: mongoose.connection,
      tableName: "ratelimit_login",
      keyPrefix: "login_ip",
      points: 50,
      duration: 15 * 60,
    }),
  };
  return limiters;
}

function retryAfter(e: unknown): number {
  if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
  throw e;
}

/** Throws RateLimitedError when the email+IP or IP has used up its failed attempts. */
export async function assertLoginAllowed(email: string, ip: string): Promise<void> {
  const { pair, ip: ipLimiter } = get();
  const [p, i] = await Promise.all([pair.get(`${email}|${ip}`), ipLimiter.get(ip)]);
  const blocked = [p && p.remainingPoints <= 0 ? p : null, i && i.remainingPoints <= 0 ? i : null].filter(Boolean);
  if (blocked.length) throw new RateLimitedError(Math.ceil(Math.max(...blocked.map((r) => r!.msBeforeNext)) / 1000));
}

export async function recordLoginFailure(email: string, ip: string): Promise<void> {
  const { pair, ip: ipLimiter } = get();
  await Promise.all([pair.consume(`${email}|${ip}`).catch(retryAfter), ipLimiter.consume(ip).catch(retryAfter)]);
}

export async function clearLoginFailures(email: string, ip: string): Promise<void> {
  await get().pair.delete(`${email}|${ip}`);
}
