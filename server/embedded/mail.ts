import path from "node:path";
import { MailDev } from "maildev";
import { dataDir, setMailEndpoints, type Env } from "~/utils/env.server.ts";
import { EmbeddedError } from "./process.ts";

export interface MailGateway {
  /** "smtp": SMTP_URL from the environment; "catcher": the local mail catcher started here. */
  mode: "smtp" | "catcher";
  /** The catcher's page listing every mail sent (catcher mode only). */
  catcherUrl?: string;
  stop(): Promise<void>;
}

export interface MailCatcher {
  smtpPort: number;
  webPort: number;
  smtpUrl: string;
  webUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts maildev (a well-kept mail catcher from npm) in this process: an SMTP server that keeps
 * every mail, and a web page with a REST API (`GET /api/email`) that lists them. `mailDirectory`
 * keeps the mails across restarts.
 */
export async function startMailCatcher({
  smtpPort,
  webPort,
  mailDirectory,
}: {
  smtpPort: number;
  webPort: number;
  mailDirectory?: string;
}): Promise<MailCatcher> {
  const catcher = new MailDev({
    smtp: smtpPort,
    web: webPort,
    ip: "127.0.0.1",
    webIp: "127.0.0.1",
    silent: true,
    // Keep the newest thousand: a long-running demo does not grow without bound.
    maxEmails: 1000,
    ...(mailDirectory ? { mailDirectory } : {}),
  });
  try {
    await catcher.start();
  } catch (e) {
    await catcher.stop().catch(() => {});
    if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new EmbeddedError(
        `Port ${smtpPort} or ${webPort} is already in use, so the local mail catcher cannot start there. ` +
          `Set EMBEDDED_MAIL_SMTP_PORT / EMBEDDED_MAIL_WEB_PORT to free ports, or set SMTP_URL to send through a real SMTP server.`,
      );
    }
    throw e;
  }
  return {
    smtpPort,
    webPort,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webUrl: `http://localhost:${webPort}`,
    stop: () => catcher.stop(),
  };
}

/**
 * Resolves where mail goes before the app serves requests, like the payment gateway:
 * - SMTP_URL set → that server; nothing is started.
 * - otherwise the local mail catcher on EMBEDDED_MAIL_SMTP_PORT, its page on
 *   EMBEDDED_MAIL_WEB_PORT, its mails in DATA_DIR/mail; SMTP_URL and MAIL_CATCHER_URL are set
 *   to it, so the app sends through nodemailer exactly as in production.
 */
export async function startMailGateway(config: Env): Promise<MailGateway> {
  if (config.SMTP_URL) return { mode: "smtp", stop: async () => {} };
  const catcher = await startMailCatcher({
    smtpPort: config.EMBEDDED_MAIL_SMTP_PORT,
    webPort: config.EMBEDDED_MAIL_WEB_PORT,
    mailDirectory: path.join(dataDir(config), "mail"),
  });
  setMailEndpoints({ smtpUrl: catcher.smtpUrl, catcherUrl: catcher.webUrl });
  return { mode: "catcher", catcherUrl: catcher.webUrl, stop: () => catcher.stop() };
}
