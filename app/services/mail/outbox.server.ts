import { randomUUID } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import type { ClientSession } from "mongoose";
import { OutgoingMail } from "~/models/outgoing-mail.server.ts";
import { env } from "~/utils/env.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { metrics } from "~/utils/metrics.server.ts";
import { singleton } from "~/utils/singleton.server.ts";
import { afterCommit } from "../kernel/tx.server.ts";

/** A mail to one person. `text` is required (every client reads it); `html` is the same content marked up. */
export interface MailInput {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** What it is for: "password-reset", "invitation", "notification" … */
  kind: string;
}

const DELIVERER = `${process.pid}-${randomUUID().slice(0, 8)}`;
const CLAIM_MS = 60_000;
/** Mails one pass sends at most before it lets others at the connection (then goes on if more are due). */
const PASS_BATCH = 200;
/** After this many failed attempts (about a day of back-off) a mail is given up and marked failed. */
const MAX_ATTEMPTS = 12;

function backoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.min(attempts, 10), 6 * 3_600_000);
}

let transport: { url: string; transporter: Transporter } | undefined;
function transporter(): Transporter | undefined {
  const url = env().SMTP_URL;
  if (!url) return undefined;
  if (transport?.url !== url) {
    transport?.transporter.close();
    transport = { url, transporter: nodemailer.createTransport(url, { from: env().MAIL_FROM }) };
  }
  return transport.transporter;
}

/**
 * Queues mails in the caller's transaction (or at once without one). They are sent right after
 * the commit, and by the `mail.deliver` job when that first attempt fails (SMTP down) or another
 * instance queued them.
 */
export async function queueMail(session: ClientSession | null, mails: readonly MailInput[]): Promise<void> {
  const valid = mails.filter((m) => m.to);
  if (!valid.length) return;
  const now = new Date();
  await OutgoingMail.insertMany(
    valid.map((m) => ({ ...m, status: "queued", attempts: 0, dueAt: now })),
    { session },
  );
  if (session) afterCommit(session, deliverSoon);
  else deliverSoon();
}

// One per process (the server and the Remix build load their own copies of this module): the
// passes under way, whether one is running and another was asked for meanwhile, and whether
// delivery has stopped for the shutdown.
const delivery = () =>
  singleton("mailDelivery", () => ({ passes: new Set<Promise<unknown>>(), stopped: false, running: false, again: false }));

/**
 * Starts a delivery pass without waiting for it (none once delivery has stopped: the mail waits
 * queued). One pass at a time per process: a commit that queues mail while a pass runs asks it to
 * go round once more rather than starting another. (One pass per commit meant, under a burst of
 * notifications, dozens of passes claiming the same first mail at once: write conflicts and
 * retries on every claim, mongod busy with them while chat and pages waited — decision 037.)
 */
export function deliverSoon(): void {
  const d = delivery();
  if (d.stopped) return;
  if (d.running) {
    d.again = true;
    return;
  }
  d.running = true;
  const pass = (async () => {
    try {
      for (;;) {
        d.again = false;
        const sent = await deliverDue();
        // Again when asked meanwhile, or when the pass stopped at its batch size with more due.
        if (d.stopped || !(d.again || sent >= PASS_BATCH)) break;
      }
    } finally {
      d.running = false;
    }
  })().catch((err) => logger.warn({ err: (err as Error).message }, "mail delivery pass failed"));
  d.passes.add(pass);
  void pass.finally(() => d.passes.delete(pass));
}

/**
 * Waits for the delivery passes under way (a command that queued mail — seeding the demo's
 * workflow notifications — lets them finish before it disconnects from the database).
 */
export async function mailPassesSettled(): Promise<void> {
  const { passes } = delivery();
  while (passes.size) await Promise.allSettled([...passes]);
}

/**
 * At shutdown, before the database goes: every pass (the after-commit ones and the job's) finishes
 * the mail in hand and claims no more; resolves when they have. Otherwise a mail sent but not yet
 * marked sent stays claimed and is sent again after the restart. What is left waits queued for the
 * next start's mail.deliver job.
 */
export function stopMailDelivery(): Promise<void> {
  delivery().stopped = true;
  return mailPassesSettled();
}

/** Tests only: delivery as before stopMailDelivery. */
export function resumeMailDelivery(): void {
  delivery().stopped = false;
}

/**
 * Sends the mails that are due, one claim at a time (so several instances share the work and none
 * sends a mail twice). Returns how many were sent. Without SMTP_URL (a command, a test without
 * mail) nothing is sent and the mails wait.
 */
export async function deliverDue(now = new Date()): Promise<number> {
  const t = transporter();
  if (!t) return 0;
  let sent = 0;
  for (let i = 0; i < PASS_BATCH && !delivery().stopped; i++) {
    const claimedAt = new Date();
    // The oldest due mail, by the index { status, dueAt, _id }: it walks the queue in this order
    // and stops at the first mail not claimed, however long the queue (a sort the index does not
    // give would read and sort every queued mail for each claim).
    const mail = await OutgoingMail.findOneAndUpdate(
      { status: "queued", dueAt: { $lte: now }, $or: [{ claimedUntil: null }, { claimedUntil: { $lt: claimedAt } }] },
      { $set: { claimedBy: DELIVERER, claimedUntil: new Date(claimedAt.getTime() + CLAIM_MS) } },
      { sort: { dueAt: 1, _id: 1 }, returnDocument: "after" },
    ).lean();
    if (!mail) break;
    try {
      const info = await t.sendMail({ to: mail.to, subject: mail.subject, text: mail.text, ...(mail.html ? { html: mail.html } : {}) });
      await OutgoingMail.updateOne(
        { _id: mail._id, claimedBy: DELIVERER },
        {
          $set: { status: "sent", sentAt: new Date(), messageId: info.messageId },
          $inc: { attempts: 1 },
          $unset: { claimedBy: "", claimedUntil: "" },
        },
      );
      sent++;
      metrics().mailSent.inc();
    } catch (err) {
      metrics().mailFailures.inc();
      const attempts = (mail.attempts ?? 0) + 1;
      const message = ((err as Error).message ?? String(err)).slice(0, 500);
      await OutgoingMail.updateOne(
        { _id: mail._id, claimedBy: DELIVERER },
        {
          $set: {
            status: attempts >= MAX_ATTEMPTS ? "failed" : "queued",
            dueAt: new Date(Date.now() + backoffMs(attempts)),
            lastError: message,
            attempts,
          },
          $unset: { claimedBy: "", claimedUntil: "" },
        },
      );
      logger.warn({ to: mail.to, kind: mail.kind, attempts, err: message }, "mail not sent; will retry");
      // The server is probably down: the rest waits for the next pass.
      break;
    }
  }
  return sent;
}
