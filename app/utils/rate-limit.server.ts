import mongoose from "mongoose";
import { RateLimiterMongo, RateLimiterRes } from "rate-limiter-flexible";
import { RateLimitedError } from "./errors.ts";

/**
 * Login and registration throttling, kept in MongoDB so every app instance counts the same
 * attempts:
 * - login: 5 failed logins per email+IP per 15 minutes, and 50 per IP (a password-spraying guard);
 * - password reset requests: 3 per email and 10 per IP per hour;
 * - registration: 10 attempts per IP per hour (every well-formed registration form counts, taken
 *   email or not: it bounds both mass sign-ups and probing which emails have accounts).
 * Documented in docs/api.md (site forms).
 */
export const LOGIN_FAILURES_PER_PAIR = 5;
export const LOGIN_FAILURES_PER_IP = 50;
export const REGISTRATIONS_PER_IP = 10;
const REGISTRATION_WINDOW_SECONDS = 60 * 60;

export const PASSWORD_RESETS_PER_EMAIL = 3;
export const PASSWORD_RESETS_PER_IP = 10;

let limiters:
  | { pair: RateLimiterMongo; ip: RateLimiterMongo; register: RateLimiterMongo; resetEmail: RateLimiterMongo; resetIp: RateLimiterMongo }
  | undefined;

function get() {
  limiters ??= {
    pair: new RateLimiterMongo({
      storeClient: mongoose.connection,
      tableName: "ratelimit_login",
      keyPrefix: "login_pair",
      points: LOGIN_FAILURES_PER_PAIR,
      duration: 15 * 60,
    }),
    ip: new RateLimiterMongo({
      storeClient: mongoose.connection,
      tableName: "ratelimit_login",
      keyPrefix: "login_ip",
      points: LOGIN_FAILURES_PER_IP,
      duration: 15 * 60,
    }),
    register: new RateLimiterMongo({
      storeClient: mongoose.connection,
      tableName: "ratelimit_register",
      keyPrefix: "register_ip",
      points: REGISTRATIONS_PER_IP,
      duration: REGISTRATION_WINDOW_SECONDS,
    }),
    resetEmail: new RateLimiterMongo({
      storeClient: mongoose.connection,
      tableName: "ratelimit_reset",
      keyPrefix: "reset_email",
      points: PASSWORD_RESETS_PER_EMAIL,
      duration: 60 * 60,
    }),
    resetIp: new RateLimiterMongo({
      storeClient: mongoose.connection,
      tableName: "ratelimit_reset",
      keyPrefix: "reset_ip",
      points: PASSWORD_RESETS_PER_IP,
      duration: 60 * 60,
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

/** Counts one registration attempt from `ip`; throws RateLimitedError once the IP has used up its attempts. */
export async function consumeRegistrationAttempt(ip: string): Promise<void> {
  try {
    await get().register.consume(ip);
  } catch (e) {
    throw new RateLimitedError(retryAfter(e), "errors.tooManyRegistrations");
  }
}

/**
 * Counts one "忘记密码" request: 3 per email and 10 per IP per hour, whether or not the address has
 * an account (so the limit tells nothing either). Throws RateLimitedError past either.
 */
export async function consumePasswordResetAttempt(email: string, ip: string): Promise<void> {
  const { resetEmail, resetIp } = get();
  try {
    await resetIp.consume(ip);
    await resetEmail.consume(email);
  } catch (e) {
    throw new RateLimitedError(retryAfter(e), "passwordReset.errors.tooMany");
  }
}
