/**
 * Does what a person does on the local Stripe-compatible server's hosted payment page
 * (pay-page.ts): opens the page, picks a test card, presses 支付 / Pay. Tests and benchmarks use it
 * to get deposits held (or checkouts paid) without a browser. Redirects are not followed: the
 * caller sees where Checkout would send the payer (success_url on success).
 */
export const PAGE_TEST_CARDS = {
  success: "4242424242424242",
  decline: "4000000000000002",
  insufficient: "4000000000009995",
} as const;

export async function payCheckout(
  checkoutUrl: string,
  opts: { card?: keyof typeof PAGE_TEST_CARDS } = {},
): Promise<{ status: number; location: string | null }> {
  // Load the page first, as a person would: an expired or completed session shows no form.
  const page = await fetch(checkoutUrl, { redirect: "manual" });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('data-testid="stripe-pay"')) {
    return { status: page.status === 200 ? 409 : page.status, location: null };
  }
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const target = action ? new URL(action.replace(/&amp;/g, "&"), checkoutUrl).href : checkoutUrl;
  const res = await fetch(target, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ card: PAGE_TEST_CARDS[opts.card ?? "success"] }).toString(),
    redirect: "manual",
  });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get("location") };
}
