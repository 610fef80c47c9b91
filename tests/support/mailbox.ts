import { inject } from "vitest";

/** A mail as the local mail catcher (maildev) keeps it. */
export interface CaughtMail {
  id: string;
  subject: string;
  text?: string;
  html?: string;
  to: { address: string; name?: string }[];
  time: string;
}

/**
 * Reads what the app sent from the mail catcher's REST API (maildev: `GET /api/email`), the same
 * catcher whose page `npm start` shows when no SMTP_URL is set.
 */
export class Mailbox {
  constructor(readonly catcherUrl: string) {}

  /** Every mail caught for `address`, oldest first. */
  async to(address: string): Promise<CaughtMail[]> {
    const res = await fetch(`${this.catcherUrl}/api/email?to.address=${encodeURIComponent(address.toLowerCase())}`);
    if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
    const all = (await res.json()) as CaughtMail[];
    // Addresses are compared as the app writes them (lower case); maildev's filter is exact.
    return all.filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()));
  }

  /** Waits until a mail for `address` that `match` accepts arrives (delivery is right after the commit). */
  async waitFor(address: string, match: (m: CaughtMail) => boolean = () => true, timeoutMs = 15_000): Promise<CaughtMail> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.to(address)).find(match);
      if (found) return found;
      if (Date.now() > end) {
        const seen = (await this.to(address)).map((m) => m.subject);
        throw new Error(`no matching mail for ${address} within ${timeoutMs / 1000}s (caught: ${JSON.stringify(seen)})`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** The links (http…) in a mail's text, in order. */
export function linksIn(mail: CaughtMail): string[] {
  return [...(mail.text ?? "").matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]);
}

/** The mailbox of the catcher the test project's global setup started (integration and e2e). */
export function mailbox(): Mailbox {
  return new Mailbox(inject("mailCatcherUrl"));
}
