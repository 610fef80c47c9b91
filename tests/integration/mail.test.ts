import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { inject, describe, expect, it } from "vitest";
import { OutgoingMail } from "~/models/outgoing-mail.server.ts";
import { composeMail } from "~/services/mail/compose.ts";
import { deliverDue, queueMail, resumeMailDelivery, stopMailDelivery } from "~/services/mail/outbox.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { setMailEndpoints } from "~/utils/env.server.ts";
import { linksIn, mailbox } from "../support/mailbox.ts";

/**
 * Mail goes through nodemailer over SMTP to the local mail catcher (maildev) that the global
 * setup started, as `npm start` does without SMTP_URL; these tests read it back from the
 * catcher's API. Mail is queued in the transaction that causes it and sent after the commit.
 */

const box = mailbox();
const address = (name: string) => `${name}-${randomBytes(3).toString("hex")}@mail-test.cn`;

describe("mail", () => {
  it("sends a mail queued in a transaction once the transaction commits, with its text, HTML and link", async () => {
    const to = address("commit");
    const body = composeMail({
      greeting: "王老师，您好：",
      paragraphs: ["您的成果《三七根腐病生物防治菌剂》已通过审核 <公示>。"],
      action: { label: "查看成果", url: "http://localhost:3000/achievements/abc" },
      footer: "西畴县科技成果转移转化交易平台",
    });
    await withTransaction(async (session) => {
      await queueMail(session, [{ to, subject: "成果已通过审核", kind: "notification", ...body }]);
    });
    const mail = await box.waitFor(to);
    expect(mail.subject).toBe("成果已通过审核");
    expect(mail.text).toContain("已通过审核 <公示>");
    expect(mail.html).toContain("&lt;公示&gt;");
    expect(linksIn(mail)).toEqual(["http://localhost:3000/achievements/abc"]);
    // The sender marks the mail sent after the SMTP server took it: the catcher may show it first.
    await expect.poll(async () => OutgoingMail.findOne({ to }).lean(), { timeout: 15_000 }).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("sends nothing for a transaction that rolls back", async () => {
    const to = address("rollback");
    await expect(
      withTransaction(async (session) => {
        await queueMail(session, [{ to, subject: "不该发出", text: "x", kind: "notification" }]);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    // A later mail to the same person arrives alone: the rolled-back one was never queued.
    await queueMail(null, [{ to, subject: "应当发出", text: "y", kind: "notification" }]);
    await box.waitFor(to);
    expect((await box.to(to)).map((m) => m.subject)).toEqual(["应当发出"]);
    expect(await OutgoingMail.countDocuments({ to })).toBe(1);
  });

  it("keeps a mail queued while SMTP is down and sends it once it is back", async () => {
    const to = address("down");
    setMailEndpoints({ smtpUrl: "smtp://127.0.0.1:9", catcherUrl: inject("mailCatcherUrl") });
    try {
      await queueMail(null, [{ to, subject: "重试", text: "z", kind: "notification" }]);
      await expect.poll(async () => (await OutgoingMail.findOne({ to }).lean())?.attempts, { timeout: 10_000 }).toBe(1);
      const waiting = await OutgoingMail.findOne({ to }).lean();
      expect(waiting).toMatchObject({ status: "queued" });
      expect(waiting!.lastError).toBeTruthy();
      expect(waiting!.dueAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      setMailEndpoints({ smtpUrl: inject("smtpUrl"), catcherUrl: inject("mailCatcherUrl") });
    }
    // The job's next pass after the back-off sends it.
    expect(await deliverDue(new Date(Date.now() + 3_600_000))).toBeGreaterThanOrEqual(1);
    expect((await box.waitFor(to)).subject).toBe("重试");
    expect(await OutgoingMail.findOne({ to }).lean()).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("stopped for a shutdown mid-pass, sends each mail once: what went out is marked sent, the rest goes after the restart", async () => {
    const to = address("shutdown");
    const subjects = Array.from({ length: 60 }, (_, i) => `停机前后 ${i + 1}`);
    await queueMail(
      null,
      subjects.map((subject) => ({ to, subject, text: subject, kind: "notification" })),
    );
    try {
      await box.waitFor(to);
      // What the server does on SIGTERM before it closes the database (server/main.ts).
      await stopMailDelivery();
      const stored = await OutgoingMail.find({ to }, { status: 1, claimedBy: 1 }).lean();
      // None left claimed (a claimed mail that went out would be sent again after the restart).
      expect(stored.filter((m) => m.claimedBy).length).toBe(0);
      const sent = stored.filter((m) => m.status === "sent").length;
      expect(sent).toBeLessThan(subjects.length);
      await expect.poll(async () => (await box.to(to)).length).toBe(sent);
      // Nothing new goes out while stopped.
      await queueMail(null, [{ to, subject: "停机后", text: "x", kind: "notification" }]);
      expect(await OutgoingMail.countDocuments({ to, status: "sent" })).toBe(sent);
    } finally {
      resumeMailDelivery();
    }
    // The next start's mail.deliver job sends the rest: every mail arrived, and once.
    await deliverDue();
    await expect.poll(async () => (await box.to(to)).length, { timeout: 20_000 }).toBe(subjects.length + 1);
    expect(new Set((await box.to(to)).map((m) => m.subject)).size).toBe(subjects.length + 1);
    expect(await OutgoingMail.countDocuments({ to, status: "sent" })).toBe(subjects.length + 1);
  });

  /** The deliverer's claims (findAndModify on the queue) while `fn` runs, as MongoDB's profiler recorded them. */
  async function claimsDuring(
    fn: () => Promise<unknown>,
  ): Promise<{ docsExamined: number; hasSortStage?: boolean; writeConflicts?: number }[]> {
    const db = mongoose.connection.db!;
    await OutgoingMail.init(); // the model's indexes are built
    await db
      .collection("system.profile")
      .drop()
      .catch(() => undefined);
    await db.command({ profile: 2, filter: { op: "command", ns: `${db.databaseName}.outgoingmails` } });
    try {
      await fn();
    } finally {
      await db.command({ profile: 0 });
    }
    return (await db.collection("system.profile").find({ "command.findAndModify": "outgoingmails" }).toArray()) as unknown as {
      docsExamined: number;
      hasSortStage?: boolean;
      writeConflicts?: number;
    }[];
  }

  it("claims the oldest due mail by reading that mail alone, however long the queue (an SMTP outage's backlog)", async () => {
    const tag = address("backlog");
    const backlog = Array.from({ length: 3_000 }, (_, i) => ({
      to: `b${i}-${tag}`,
      subject: "积压",
      text: "x",
      kind: "notification",
      status: "queued",
      dueAt: new Date(Date.now() - 3_600_000 + i),
    }));
    await OutgoingMail.insertMany(backlog);
    setMailEndpoints({ smtpUrl: "smtp://127.0.0.1:9", catcherUrl: inject("mailCatcherUrl") });
    try {
      // SMTP is down: the pass claims the oldest mail, fails to send it and stops.
      const claims = await claimsDuring(() => deliverDue());
      expect(claims.length).toBeGreaterThan(0);
      for (const claim of claims) {
        expect(claim.hasSortStage ?? false).toBe(false);
        expect(claim.docsExamined).toBeLessThanOrEqual(3);
      }
      expect(await OutgoingMail.findOne({ to: `b0-${tag}` }).lean()).toMatchObject({ status: "queued", attempts: 1 });
    } finally {
      setMailEndpoints({ smtpUrl: inject("smtpUrl"), catcherUrl: inject("mailCatcherUrl") });
      await OutgoingMail.deleteMany({ to: { $in: backlog.map((m) => m.to) } });
    }
  });

  it("a burst of commits that each queue a mail runs one delivery pass at a time: no claim conflicts with another, and every mail arrives once", async () => {
    const to = address("burst");
    const subjects = Array.from({ length: 30 }, (_, i) => `通知 ${i + 1}`);
    const claims = await claimsDuring(async () => {
      await Promise.all(
        subjects.map((subject) => withTransaction((session) => queueMail(session, [{ to, subject, text: subject, kind: "notification" }]))),
      );
      await expect.poll(async () => OutgoingMail.countDocuments({ to, status: "sent" }), { timeout: 20_000 }).toBe(subjects.length);
    });
    expect(claims.length).toBeGreaterThanOrEqual(subjects.length);
    expect(claims.filter((c) => (c.writeConflicts ?? 0) > 0)).toEqual([]);
    await expect.poll(async () => (await box.to(to)).length).toBe(subjects.length);
    expect(new Set((await box.to(to)).map((m) => m.subject)).size).toBe(subjects.length);
  });
});
