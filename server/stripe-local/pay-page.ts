import type http from "node:http";
import { expireOverdue } from "./checkout.ts";
import { ApiError } from "./errors.ts";
import { backgroundCtx, type Core } from "./core.ts";
import { TEST_CARDS, type SessionRecord } from "./objects.ts";
import { confirmIntent, newIntent } from "./payment-intents.ts";
import { formatAmount } from "./params.ts";

/**
 * The hosted payment page, /pay/:cs_id, in Chinese and English: what is paid for and how much,
 * the test cards (4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has
 * insufficient funds), 支付 / Pay.
 * Paying creates and confirms the session's PaymentIntent and sends the payer to success_url.
 * A declined card fails the session's PaymentIntent (payment_intent.payment_failed, charge.failed) and
 * re-renders the page (HTTP 402): the session stays open for another card on the same PaymentIntent.
 */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(rec: SessionRecord, opts: { error?: string; notice?: string } = {}): string {
  const s = rec.session;
  const title = rec.lineItems.map((li) => (li.quantity > 1 ? `${li.name} × ${li.quantity}` : li.name)).join("，");
  const amount = formatAmount(s.amount_total, s.currency);
  const hold = rec.intentData.captureMethod === "manual";
  const cancel = s.cancel_url ? `<a class="cancel" href="${escapeHtml(s.cancel_url)}" data-testid="stripe-cancel">取消 / Cancel</a>` : "";
  const form = opts.notice
    ? `<p class="notice" data-testid="stripe-notice">${opts.notice}</p>`
    : `${opts.error ? `<p class="error" role="alert" data-testid="stripe-error">${opts.error}</p>` : ""}
      <form method="post" action="/pay/${escapeHtml(s.id)}">
        <fieldset>
          <legend>测试卡 / Test card</legend>
          <label><input type="radio" name="card" value="4242424242424242" checked data-testid="stripe-card-success">
            成功卡 / Succeeds · <span class="pan">4242 4242 4242 4242</span></label>
          <label><input type="radio" name="card" value="4000000000000002" data-testid="stripe-card-decline">
            拒付卡 / Declined · <span class="pan">4000 0000 0000 0002</span></label>
          <label><input type="radio" name="card" value="4000000000009995" data-testid="stripe-card-insufficient">
            余额不足 / Insufficient funds · <span class="pan">4000 0000 0000 9995</span></label>
        </fieldset>
        ${s.customer_email ? `<p class="muted">付款人 / Payer: ${escapeHtml(s.customer_email)}</p>` : ""}
        <button type="submit" data-testid="stripe-pay">支付 / Pay ${escapeHtml(amount)}</button>
      </form>
      ${cancel}`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>支付 / Pay · ${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  .badge { display: inline-block; background: #fff4e5; color: #8a4b00; border-radius: 4px; padding: .15rem .5rem; font-size: .8rem; }
  h1 { font-size: 1.15rem; margin: 1rem 0 .25rem; }
  .amount { font-size: 2rem; font-weight: 600; margin: .25rem 0 1rem; }
  .muted { color: #697386; font-size: .9rem; }
  fieldset { border: 1px solid #e3e8ee; border-radius: 6px; margin: 1rem 0; padding: .75rem 1rem; }
  label { display: block; padding: .35rem 0; cursor: pointer; }
  .pan { font-family: ui-monospace, monospace; }
  button { width: 100%; padding: .8rem; font-size: 1rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
  .cancel { display: block; text-align: center; margin-top: 1rem; color: #635bff; }
  .error { background: #fdecea; color: #9b1c1c; padding: .6rem .8rem; border-radius: 6px; }
  .notice { background: #eef2f7; padding: .8rem; border-radius: 6px; }
</style>
</head>
<body>
<main>
  <span class="badge">测试模式 · Test mode — 本地 Stripe 兼容服务 / local Stripe-compatible server</span>
  <h1 data-testid="stripe-description">${escapeHtml(title)}</h1>
  <p class="amount" data-testid="stripe-amount">${escapeHtml(amount)}</p>
  ${hold ? `<p class="muted">预授权：金额将被冻结，暂不扣款。/ Authorisation only: the amount is held, not charged.</p>` : ""}
  ${form}
</main>
</body>
</html>`;
}

function closedNotice(rec: SessionRecord): string {
  return rec.session.status === "complete"
    ? "此付款已完成。/ This payment has already been completed."
    : "此付款页面已过期，请返回原网站重新发起。/ This payment page has expired. Go back to the site and start again.";
}

export async function payPage(
  core: Core,
  apiVersion: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  id: string,
  rawBody: string,
) {
  const html = (status: number, body: string) => {
    res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(body);
  };
  const ctx = backgroundCtx(apiVersion);
  expireOverdue(core, ctx);
  const rec = core.state.sessions[id];
  try {
    if (!rec) {
      return html(404, `<!doctype html><meta charset="utf-8"><title>Not found</title><p>找不到此付款页面。/ No such payment page.</p>`);
    }
    if (req.method === "GET") {
      return html(200, page(rec, rec.session.status === "open" ? {} : { notice: closedNotice(rec) }));
    }
    if (req.method !== "POST") {
      res.writeHead(405, { Allow: "GET, POST" });
      return res.end();
    }
    if (rec.session.status !== "open") return html(409, page(rec, { notice: closedNotice(rec) }));
    const form = new URLSearchParams(rawBody);
    const card = (form.get("card") ?? "").replace(/\D/g, "");
    const outcome = TEST_CARDS[card];
    if (!outcome) {
      return html(400, page(rec, { error: "请选择一张测试卡。/ Choose one of the test cards." }));
    }
    const s = rec.session;
    // Like Stripe's page: the first attempt creates the PaymentIntent, a declined card fails it
    // (payment_intent.payment_failed) and leaves the session open for another card on the same intent.
    let pi = s.payment_intent ? core.state.intents[s.payment_intent] : undefined;
    if (!pi || pi.status !== "requires_payment_method") {
      pi = newIntent(core, {
        amount: s.amount_total,
        currency: s.currency,
        captureMethod: rec.intentData.captureMethod,
        metadata: rec.intentData.metadata,
        description: rec.intentData.description ?? rec.lineItems.map((li) => li.name).join(", "),
        receiptEmail: s.customer_email,
      });
      core.events.emit(ctx, "payment_intent.created", pi);
      s.payment_intent = pi.id;
    }
    try {
      confirmIntent(core, ctx, pi, card);
    } catch (e) {
      if (!(e instanceof ApiError) || outcome.ok) throw e;
      return html(402, page(rec, { error: `付款被拒绝：您的银行卡被拒付。/ ${escapeHtml(outcome.message)}` }));
    }
    s.status = "complete";
    s.url = null;
    s.customer_details = {
      address: null,
      business_name: null,
      email: s.customer_email,
      individual_name: null,
      name: null,
      phone: null,
      tax_exempt: "none",
      tax_ids: [],
    };
    // With manual capture the funds are only authorised, so the session stays "unpaid" until capture.
    s.payment_status = pi.status === "succeeded" ? "paid" : "unpaid";
    core.events.emit(ctx, "checkout.session.completed", s);
    res.writeHead(303, { Location: (s.success_url ?? "/").replace(/\{CHECKOUT_SESSION_ID\}/g, s.id) });
    res.end();
  } finally {
    if (ctx.emitted.length) {
      core.save();
      setImmediate(() => core.events.dispatch(ctx.emitted));
    }
  }
}
