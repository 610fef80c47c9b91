import type http from "node:http";
import { completeOnboarding } from "./connect.ts";
import { backgroundCtx, type Core } from "./core.ts";
import { now } from "./params.ts";

/**
 * The connected account's onboarding page an account link opens, /connect/onboarding/:token, in
 * Chinese and English: what Stripe's hosted onboarding asks is replaced by one 提交 / Submit that
 * completes the account (account.updated) and sends the person to return_url. A link works once
 * and for five minutes, like Stripe's: a used or expired one sends the person to refresh_url.
 */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function onboardingPage(core: Core, apiVersion: string, req: http.IncomingMessage, res: http.ServerResponse, token: string) {
  const link = core.state.accountLinks[token];
  const account = link ? core.state.accounts[link.account] : undefined;
  if (!link || !account) {
    res.writeHead(404, { "Content-Type": "text/html; charset=utf-8" });
    return res.end(`<!doctype html><meta charset="utf-8"><title>Not found</title><p>找不到此链接。/ No such link.</p>`);
  }
  if (link.used || link.expiresAt <= now()) {
    res.writeHead(303, { Location: link.refreshUrl });
    return res.end();
  }
  if (req.method === "POST") {
    const ctx = backgroundCtx(apiVersion);
    link.used = true;
    completeOnboarding(core, ctx, account);
    core.save();
    setImmediate(() => core.events.dispatch(ctx.emitted));
    res.writeHead(303, { Location: link.returnUrl });
    return res.end();
  }
  if (req.method !== "GET") {
    res.writeHead(405, { Allow: "GET, POST" });
    return res.end();
  }
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>收款账户开通 / Set up payouts</title>
<style>
  body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  .badge { display: inline-block; background: #fff4e5; color: #8a4b00; border-radius: 4px; padding: .15rem .5rem; font-size: .8rem; }
  button { width: 100%; padding: .8rem; font-size: 1rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
  a { display: block; text-align: center; margin-top: 1rem; color: #635bff; }
</style>
</head>
<body>
<main>
  <span class="badge">测试模式 · Test mode — 本地 Stripe 兼容服务 / local Stripe-compatible server</span>
  <h1>收款账户开通 / Set up payouts</h1>
  <p data-testid="stripe-account">${escapeHtml(account.email ?? account.id)}</p>
  <p>测试模式下无需填写资料：提交即完成开通。/ In test mode no details are needed: submitting completes the account.</p>
  <form method="post" action="/connect/onboarding/${escapeHtml(token)}">
    <button type="submit" data-testid="stripe-onboarding-submit">提交 / Submit</button>
  </form>
  <a href="${escapeHtml(link.returnUrl)}">稍后再说 / Later</a>
</main>
</body>
</html>`);
}
