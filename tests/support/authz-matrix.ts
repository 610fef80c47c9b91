/**
 * The authorization matrix: who may use each route and socket event (issue 17, point 1;
 * docs/decisions/034-authorization-matrix.md). tests/e2e/authorization-matrix.test.ts asks every
 * route of the route tree as each person below and compares with this table.
 */

/** Anonymous and the demo accounts (README "Demo accounts"), each a role or a relation to the objects below. */
export const ACTORS = [
  "anon",
  "admin",
  "bureau",
  "broker",
  "seller",
  "seller3",
  "seller2",
  "sanqi",
  "tea",
  "buyer",
  "eco",
  "food",
  "applicant",
] as const;
export type ActorKey = (typeof ACTORS)[number];

export const EMAIL: Record<Exclude<ActorKey, "anon">, string> = {
  admin: "admin@demo.chengguo.cn",
  bureau: "bureau@demo.chengguo.cn",
  broker: "broker@demo.chengguo.cn",
  seller: "seller@demo.chengguo.cn",
  seller3: "seller3@demo.chengguo.cn",
  seller2: "seller2@demo.chengguo.cn",
  sanqi: "sanqi@demo.chengguo.cn",
  tea: "tea@demo.chengguo.cn",
  buyer: "buyer@demo.chengguo.cn",
  eco: "eco@demo.chengguo.cn",
  food: "food@demo.chengguo.cn",
  applicant: "applicant@demo.chengguo.cn",
};

/** The objects the routes are asked about (found in the seeded data by the test). */
export interface Fixtures {
  deal: string;
  room: string;
  roomFile: string;
  draftAchievement: string;
  draftFile: string;
  sellerTrading: string;
  publishedAchievement: string;
  privateDemand: string;
  submittedRegistration: string;
  registrationFile: string;
  registeredRegistration: string;
  registeredNumber: string;
  draftPolicy: string;
  policyFile: string;
  payout: string;
  refund: string;
  receiptProof: string;
  commissioner: string;
  vocabularyGroup: string;
  offer: string;
  missing: string;
}

export interface Rule {
  /** Who is let past authorization; everyone else must be refused (401/403/404/405 or the login page). */
  allow: readonly ActorKey[];
  /** Instead of allow/deny: the statuses every caller gets (signature-checked webhooks, tokens in the URL). */
  statuses?: readonly number[];
  /** Only these callers are asked (e.g. logout, which would end the other probes' sessions). */
  probeAs?: readonly ActorKey[];
  /** A GET that answers an allowed caller 4xx for the object's state (e.g. a page for a step already done). */
  getMayRefuseInput?: boolean;
  /**
   * A known finding, not yet fixed: the action reads its input before it checks who may act, so a
   * refused caller gets the same 400 as an allowed one (no object data in it — the leak check
   * still applies — but authorization is not what answers). Says what was found.
   */
  validatesFirst?: string;
  /** Why, where the row is not obvious. */
  why?: string;
}

export function allowedBy(rule: Pick<Rule, "allow">, actor: ActorKey): boolean {
  return rule.allow.includes(actor);
}

// ---------------------------------------------------------------------------------------------
// Who, by role and relation

const USERS = ACTORS.filter((a) => a !== "anon");
const EVERYONE = ACTORS;
const NOBODY: readonly ActorKey[] = [];
const ADMIN = ["admin"] as const;
const BUREAU = ["bureau", "admin"] as const;
/** Anyone holding the seller role. */
const SELLERS = ["seller", "seller3", "seller2", "sanqi", "tea"] as const;
/** Anyone holding the buyer role. */
const BUYERS = ["buyer", "eco", "food", "sanqi", "tea", "applicant"] as const;

/** The deal's people: its two parties (文山学院's sellers, the cooperative), its broker, and the bureau and admins, who read every deal. */
const DEAL_VIEWERS = ["admin", "bureau", "broker", "buyer", "seller", "seller3"] as const;
/** Who sees seller's draft: its owners (文山学院's sellers), the reviewers (broker, admin) and the bureau. */
const DRAFT_VIEWERS = ["admin", "bureau", "broker", "seller", "seller3"] as const;
/** Who sees eco's demand under review: its owner, the reviewers and the bureau. */
const DEMAND_VIEWERS = ["admin", "bureau", "broker", "eco"] as const;
/** Who sees 文山学院's registration: the applicant organisation's people and the bureau. */
const REGISTRATION_VIEWERS = ["admin", "bureau", "seller", "seller3"] as const;
/** Who sees a registered contract's certificate: both parties (文山学院 and 食品厂) and the bureau. */
const CERTIFICATE_VIEWERS = ["admin", "bureau", "seller", "seller3", "food"] as const;
/** The bureau, and the 科技特派员 themselves (seller2). */
const COMMISSIONER_VIEWERS = ["admin", "bureau", "seller2"] as const;
const VOCABULARY_KEEPERS = ["admin", "bureau", "broker"] as const;
const REVIEWERS = ["admin", "broker"] as const;
/** The owners of seller's listings (文山学院's sellers). */
const LISTING_OWNERS = ["seller", "seller3"] as const;
/** Who may start an auction of seller's listing: its owners and brokers. */
const AUCTION_RUNNERS = ["seller", "seller3", "broker"] as const;

/** Who is in the deal room (the seller side — seller and its member seller3 — the buyer, the invited broker). */
export const ROOM_MEMBERS = ["seller", "seller3", "buyer", "broker"] as const;
/** The two sides of the offer. */
export const OFFER_SIDES = ["buyer", "sanqi"] as const;

const all = (allow: readonly ActorKey[], why?: string): Rule => ({ allow, why });

// ---------------------------------------------------------------------------------------------
// The object each route's params name. A fixture name, or "=literal".
//
//   deal                  文山学院 (seller; seller3 a member) sells to the cooperative (buyer), broker mediates; contract signed, stage 1 paid, 2 due
//   room                  that deal's room (seller, buyer, broker invited)
//   roomFile              a file seller posted in it
//   draftAchievement      seller's draft (文山学院), with draftFile attached
//   sellerTrading         seller's listing in trading (fixed price)
//   publishedAchievement  a published listing (any owner)
//   privateDemand         eco's demand awaiting review
//   submittedRegistration 文山学院's registration awaiting the bureau, with registrationFile (its signed contract)
//   registeredRegistration 文山学院's registered contract (registeredNumber)
//   draftPolicy           the bureau's draft policy, with policyFile
//   payout / refund / receiptProof   the deal's seller payout; the demo's bank refund; a receipt's proof file
//   offer                 buyer's offer on sanqi's negotiable listing
//   missing               an id of nothing (the demo has no auctions or buy requests)

export const PARAMS: Record<string, Record<string, keyof Fixtures | `=${string}`>> = {
  "/*": { "*": "=no-such-page" },
  "/achievements/:id": { id: "draftAchievement" },
  "/achievements/:id/auction/new": { id: "sellerTrading" },
  "/achievements/:id/buy": { id: "sellerTrading" },
  "/achievements/:id/edit": { id: "draftAchievement" },
  "/achievements/:id/offer": { id: "sellerTrading" },
  "/admin/receipts/proof/:fileId": { fileId: "receiptProof" },
  "/api/v1/*": { "*": "=no-such-endpoint" },
  "/api/v1/achievements/:id": { id: "draftAchievement" },
  "/api/v1/achievements/:id/buy": { id: "sellerTrading" },
  "/api/v1/achievements/:id/matches": { id: "draftAchievement" },
  "/api/v1/auctions/:id": { id: "missing" },
  "/api/v1/auctions/:id/bids": { id: "missing" },
  "/api/v1/auctions/:id/registration": { id: "missing" },
  "/api/v1/auctions/:id/verify": { id: "missing" },
  "/api/v1/buy-requests/:id": { id: "missing" },
  "/api/v1/buy-requests/:id/:action": { id: "missing", action: "=decline" },
  "/api/v1/deals/:id": { id: "deal" },
  "/api/v1/deals/:id/cancellation": { id: "deal" },
  "/api/v1/deals/:id/commission": { id: "deal" },
  "/api/v1/deals/:id/contract": { id: "deal" },
  "/api/v1/deals/:id/contract/diff": { id: "deal" },
  "/api/v1/deals/:id/contract/signatures": { id: "deal" },
  "/api/v1/deals/:id/payouts": { id: "deal" },
  "/api/v1/deals/:id/stages": { id: "deal" },
  "/api/v1/deals/:id/stages/:number/checkout": { id: "deal", number: "=2" },
  "/api/v1/deals/:id/stages/:number/royalty-reports": { id: "deal", number: "=2" },
  "/api/v1/demands/:id": { id: "privateDemand" },
  "/api/v1/demands/:id/matches": { id: "privateDemand" },
  "/api/v1/demands/:id/matches/:achievementId/feedback": { id: "privateDemand", achievementId: "publishedAchievement" },
  "/api/v1/demands/:id/recommendations": { id: "privateDemand" },
  "/api/v1/offers/:id": { id: "offer" },
  "/api/v1/offers/:id/:action": { id: "offer", action: "=counter" },
  "/api/v1/payouts/:id/:action": { id: "payout", action: "=bank-payout" },
  "/api/v1/policies/:id": { id: "draftPolicy" },
  "/api/v1/refunds/:id/bank": { id: "refund" },
  "/api/v1/registrations/:id": { id: "submittedRegistration" },
  "/api/v1/registrations/:id/:action": { id: "submittedRegistration", action: "=refuse" },
  "/api/v1/verify/:number": { number: "registeredNumber" },
  "/attachments/:id": { id: "draftFile" },
  "/auctions/:id": { id: "missing" },
  "/auctions/:id/deposit": { id: "missing" },
  "/bureau/commissioners/:id": { id: "commissioner" },
  "/bureau/policies/:id/edit": { id: "draftPolicy" },
  "/bureau/registrations/:id": { id: "submittedRegistration" },
  "/bureau/vocabulary/:id": { id: "vocabularyGroup" },
  "/confirm-email/:token": { token: "=not-a-token" },
  "/deals/:id": { id: "deal" },
  "/deals/:id/cancel": { id: "deal" },
  "/deals/:id/contract": { id: "deal" },
  "/deals/:id/contract.pdf": { id: "deal" },
  "/deals/:id/contract/edit": { id: "deal" },
  "/deals/:id/contract/print": { id: "deal" },
  "/deals/:id/registration": { id: "deal" },
  "/deals/:id/stages": { id: "deal" },
  "/deals/:id/stages/:number": { id: "deal", number: "=2" },
  "/demands/:id": { id: "privateDemand" },
  "/demands/:id/edit": { id: "privateDemand" },
  "/invite/:token": { token: "=not-a-token" },
  "/my/registrations/:id": { id: "submittedRegistration" },
  "/offers/:id": { id: "offer" },
  "/policies/:id": { id: "draftPolicy" },
  "/policies/:id/files/:fileId": { id: "draftPolicy", fileId: "policyFile" },
  "/registrations/:id/certificate": { id: "registeredRegistration" },
  "/registrations/:id/certificate.pdf": { id: "registeredRegistration" },
  "/registrations/:id/changes": { id: "registeredRegistration" },
  "/registrations/:id/file/:fileId": { id: "submittedRegistration", fileId: "registrationFile" },
  "/reset-password/:token": { token: "=not-a-token" },
  "/rooms/:id": { id: "room" },
  "/rooms/:id/attachments/:fileId": { id: "room", fileId: "roomFile" },
  "/verify/:number": { number: "registeredNumber" },
};

// ---------------------------------------------------------------------------------------------
// The table: "METHOD pattern" → who. GET is the loader (a page, a file, an API read); POST the
// action (a form, an API write: the probe's body is refused by validation once past authorization).

export const MATRIX: Record<string, Rule> = {
  "GET /": all(EVERYONE),
  "GET /*": { allow: NOBODY, why: "an unknown page: 404 for everyone" },
  "GET /account": all(USERS),
  "POST /account": all(USERS),
  "GET /account/organization": all(USERS),
  "POST /account/organization": all(USERS),
  "GET /account/payouts": all(USERS),
  "POST /account/payouts": all(USERS),
  "GET /achievements": all(EVERYONE),
  "GET /achievements/:id": { allow: DRAFT_VIEWERS, why: "a draft: its owners (文山学院's sellers) and the reviewers and bureau" },
  "POST /achievements/:id": {
    allow: DRAFT_VIEWERS,
    why: "a draft: refused before the form is read to whoever may not see it; each intent then checks its own right",
  },
  "GET /achievements/:id/auction/new": {
    allow: USERS,
    why: "a public listing: the page tells anyone signed in why they may not start an auction (not its seller)",
  },
  "POST /achievements/:id/auction/new": { allow: AUCTION_RUNNERS, why: "its sellers and brokers; anyone else 403 before the form is read" },
  "GET /achievements/:id/buy": {
    allow: USERS,
    why: "a trading listing: anyone signed in sees the buy page (the seller is told they cannot buy their own)",
  },
  "POST /achievements/:id/buy": { allow: USERS, why: "a trading listing: anyone signed in may try; the service refuses the seller" },
  "GET /achievements/:id/edit": { allow: LISTING_OWNERS, why: "a draft: only its owners edit" },
  "POST /achievements/:id/edit": {
    allow: LISTING_OWNERS,
    why: "only its owners, before the form is read (others 403, or 404 if they may not see it)",
  },
  "GET /achievements/:id/offer": { allow: USERS, why: "as the buy page" },
  "POST /achievements/:id/offer": { allow: USERS, why: "as the buy page" },
  "GET /achievements/new": all(SELLERS),
  "POST /achievements/new": all(SELLERS),
  "GET /admin/audit": all(ADMIN),
  "GET /admin/ledger": all(ADMIN),
  "GET /admin/organizations": all(ADMIN),
  "POST /admin/organizations": all(ADMIN),
  "GET /admin/payouts": all(ADMIN),
  "POST /admin/payouts": all(ADMIN),
  "GET /admin/receipts": all(ADMIN),
  "POST /admin/receipts": all(ADMIN),
  "GET /admin/receipts/proof/:fileId": all(ADMIN),
  "GET /admin/refunds": all(ADMIN),
  "POST /admin/refunds": all(ADMIN),
  "GET /admin/settings": all(ADMIN),
  "POST /admin/settings": all(ADMIN),
  "GET /admin/tokens": all(ADMIN),
  "POST /admin/tokens": all(ADMIN),
  "GET /admin/users": all(ADMIN),
  "POST /admin/users": all(ADMIN),
  "GET /api/v1/*": { allow: NOBODY, why: "an unknown endpoint: 404 for everyone" },
  "POST /api/v1/*": { allow: NOBODY, why: "an unknown endpoint: 404 for everyone" },
  "GET /api/v1/account/payouts/onboarding-link": all(NOBODY),
  "POST /api/v1/account/payouts/onboarding-link": all(USERS),
  "GET /api/v1/achievements": {
    allow: NOBODY,
    why: "the open data API takes an API token, not a browser session (tokens and scopes: tests/integration/api-*.test.ts)",
  },
  "POST /api/v1/achievements": all(NOBODY),
  "GET /api/v1/achievements/:id": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/achievements/:id": all(NOBODY),
  "GET /api/v1/achievements/:id/buy": all(NOBODY),
  "POST /api/v1/achievements/:id/buy": { allow: USERS, why: "a trading listing: anyone signed in may try" },
  "GET /api/v1/achievements/:id/matches": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/achievements/:id/matches": all(NOBODY),
  "GET /api/v1/auctions/:id": { allow: NOBODY, why: "no such auction (the demo has none): 404 for everyone" },
  "POST /api/v1/auctions/:id": all(NOBODY),
  "GET /api/v1/auctions/:id/bids": { allow: NOBODY, why: "no such auction: 404 for everyone" },
  "POST /api/v1/auctions/:id/bids": { allow: NOBODY, why: "no such auction: 404 before the body is read" },
  "GET /api/v1/auctions/:id/registration": { allow: NOBODY, why: "no such auction: 404 for everyone" },
  "POST /api/v1/auctions/:id/registration": { allow: NOBODY, why: "no such auction: 404 before the body is read" },
  "GET /api/v1/auctions/:id/verify": { allow: NOBODY, why: "no such auction: 404 for everyone" },
  "POST /api/v1/auctions/:id/verify": all(NOBODY),
  "GET /api/v1/buy-requests": all(USERS),
  "POST /api/v1/buy-requests": all(NOBODY),
  "GET /api/v1/buy-requests/:id": { allow: NOBODY, why: "no such buy request: 404 for everyone" },
  "POST /api/v1/buy-requests/:id": all(NOBODY),
  "GET /api/v1/buy-requests/:id/:action": all(NOBODY),
  "POST /api/v1/buy-requests/:id/:action": { allow: NOBODY, why: "no such buy request: 404 before the body is read" },
  "GET /api/v1/deals": all(USERS),
  "POST /api/v1/deals": all(NOBODY),
  "GET /api/v1/deals/:id": all(DEAL_VIEWERS),
  "POST /api/v1/deals/:id": all(NOBODY),
  "GET /api/v1/deals/:id/cancellation": all(DEAL_VIEWERS),
  "POST /api/v1/deals/:id/cancellation": { allow: DEAL_VIEWERS, why: "as the page" },
  "GET /api/v1/deals/:id/commission": all(NOBODY),
  "POST /api/v1/deals/:id/commission": {
    allow: DEAL_VIEWERS,
    why: "the deal's people pass the deal check; setting the commission is then an admin's",
  },
  "GET /api/v1/deals/:id/contract": all(DEAL_VIEWERS),
  "POST /api/v1/deals/:id/contract": { allow: DEAL_VIEWERS, why: "as the page" },
  "GET /api/v1/deals/:id/contract/diff": {
    allow: DEAL_VIEWERS,
    getMayRefuseInput: true,
    why: "the deal's parties, brokers and the bureau; the probe asks without ?from&to",
  },
  "POST /api/v1/deals/:id/contract/diff": all(NOBODY),
  "GET /api/v1/deals/:id/contract/signatures": all(NOBODY),
  "POST /api/v1/deals/:id/contract/signatures": { allow: DEAL_VIEWERS, why: "as the page" },
  "GET /api/v1/deals/:id/payouts": { allow: DEAL_VIEWERS, why: "the deal's people (a buyer sees none of the amounts)" },
  "POST /api/v1/deals/:id/payouts": all(NOBODY),
  "GET /api/v1/deals/:id/stages": all(DEAL_VIEWERS),
  "POST /api/v1/deals/:id/stages": all(NOBODY),
  "GET /api/v1/deals/:id/stages/:number/checkout": all(NOBODY),
  "POST /api/v1/deals/:id/stages/:number/checkout": { allow: ["buyer"], why: "only the buyer pays: a Checkout session for stage 2" },
  "GET /api/v1/deals/:id/stages/:number/royalty-reports": all(NOBODY),
  "POST /api/v1/deals/:id/stages/:number/royalty-reports": {
    allow: DEAL_VIEWERS,
    why: "the deal's people pass the deal check; reporting is then the licensee's",
  },
  "GET /api/v1/demands": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/demands": all(NOBODY),
  "GET /api/v1/demands/:id": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/demands/:id": all(NOBODY),
  "GET /api/v1/demands/:id/matches": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/demands/:id/matches": all(NOBODY),
  "GET /api/v1/demands/:id/matches/:achievementId/feedback": all(NOBODY),
  "POST /api/v1/demands/:id/matches/:achievementId/feedback": all(DEMAND_VIEWERS),
  "GET /api/v1/demands/:id/recommendations": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/demands/:id/recommendations": {
    allow: ["broker"],
    why: "who may see the demand, before the body is read; recommending is then a seller's or a broker's (others 403): here the broker",
  },
  "GET /api/v1/evaluation": { allow: BUREAU, why: "the bureau's scorecards" },
  "POST /api/v1/evaluation": all(NOBODY),
  "GET /api/v1/export": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/export": all(NOBODY),
  "GET /api/v1/import": all(NOBODY),
  "POST /api/v1/import": { allow: NOBODY, why: "an API token with the import scope, not a browser session" },
  "GET /api/v1/offers": all(USERS),
  "POST /api/v1/offers": all(USERS),
  "GET /api/v1/offers/:id": { allow: OFFER_SIDES, why: "the two sides of the offer" },
  "POST /api/v1/offers/:id": all(NOBODY),
  "GET /api/v1/offers/:id/:action": all(NOBODY),
  "POST /api/v1/offers/:id/:action": { allow: OFFER_SIDES, why: "the two sides, before the body is read" },
  "GET /api/v1/payouts/:id/:action": all(NOBODY),
  "POST /api/v1/payouts/:id/:action": { allow: ADMIN, why: "who pays out (admins), before the body is read" },
  "GET /api/v1/policies": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/policies": all(NOBODY),
  "GET /api/v1/policies/:id": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/policies/:id": all(NOBODY),
  "GET /api/v1/refunds/:id/bank": all(NOBODY),
  "POST /api/v1/refunds/:id/bank": { allow: ADMIN, why: "who records refunds (admins), before the body is read" },
  "GET /api/v1/registrations": all(USERS),
  "POST /api/v1/registrations": all(USERS),
  "GET /api/v1/registrations/:id": { allow: REGISTRATION_VIEWERS, why: "the applicant organisation's people and the bureau" },
  "POST /api/v1/registrations/:id": all(NOBODY),
  "GET /api/v1/registrations/:id/:action": all(NOBODY),
  "POST /api/v1/registrations/:id/:action": {
    allow: REGISTRATION_VIEWERS,
    why: "who may see the registration, before the body is read; refusing is then the bureau's, resubmitting the applicant's",
  },
  "GET /api/v1/stages/receipts": all(NOBODY),
  "POST /api/v1/stages/receipts": { allow: ADMIN, why: "who records bank receipts (admins), before the body is read" },
  "GET /api/v1/statistics": { allow: NOBODY, why: "the open data API takes an API token, not a browser session" },
  "POST /api/v1/statistics": all(NOBODY),
  "GET /api/v1/verify/:number": { allow: EVERYONE, why: "public verification of a registered contract" },
  "POST /api/v1/verify/:number": all(NOBODY),
  "GET /attachments/:id": all(DRAFT_VIEWERS),
  "GET /auctions": all(EVERYONE),
  "GET /auctions/:id": { allow: NOBODY, why: "no such auction: 404 for everyone" },
  "POST /auctions/:id": { allow: NOBODY, why: "no such auction: 404 before the form is read" },
  "GET /auctions/:id/deposit": { allow: USERS, why: "the deposit's return page sends a signed-in person back to the auction (404 here)" },
  "GET /bureau": all(BUREAU),
  "GET /bureau/commissioners": all(BUREAU),
  "POST /bureau/commissioners": all(BUREAU),
  "GET /bureau/commissioners/:id": { allow: COMMISSIONER_VIEWERS, why: "the bureau, and the 科技特派员 themselves (seller2)" },
  "POST /bureau/commissioners/:id": {
    allow: COMMISSIONER_VIEWERS,
    why: "as the page, before the form is read; the bureau then edits, the commissioner logs activity",
  },
  "GET /bureau/dashboard": all(BUREAU),
  "GET /bureau/dashboard.csv": { allow: BUREAU, getMayRefuseInput: true, why: "the bureau; the probe asks without a year" },
  "GET /bureau/evaluation": all(BUREAU),
  "POST /bureau/evaluation": all(BUREAU),
  "GET /bureau/evaluation.csv": all(BUREAU),
  "GET /bureau/policies": all(BUREAU),
  "GET /bureau/policies/:id/edit": all(BUREAU),
  "POST /bureau/policies/:id/edit": all(BUREAU),
  "GET /bureau/policies/new": all(BUREAU),
  "POST /bureau/policies/new": all(BUREAU),
  "GET /bureau/registrations": { allow: BUREAU, why: "the bureau's queue (others 404)" },
  "GET /bureau/registrations/:id": { allow: BUREAU, why: "the bureau (others 404)" },
  "POST /bureau/registrations/:id": { allow: BUREAU, why: "the bureau (others 404 before the form is read)" },
  "GET /bureau/settings": all(BUREAU),
  "POST /bureau/settings": all(BUREAU),
  "GET /bureau/targets": all(BUREAU),
  "POST /bureau/targets": all(BUREAU),
  "GET /bureau/vocabulary": { allow: VOCABULARY_KEEPERS, why: "the vocabulary keepers: bureau, brokers, admins" },
  "POST /bureau/vocabulary": all(VOCABULARY_KEEPERS),
  "GET /bureau/vocabulary/:id": all(VOCABULARY_KEEPERS),
  "POST /bureau/vocabulary/:id": all(VOCABULARY_KEEPERS),
  "GET /bureau/vocabulary/proposals": all(VOCABULARY_KEEPERS),
  "POST /bureau/vocabulary/proposals": all(VOCABULARY_KEEPERS),
  "GET /bureau/vocabulary/weak": all(VOCABULARY_KEEPERS),
  "GET /confirm-email/:token": { allow: EVERYONE, statuses: [410], why: "a mailed token: 410 for a wrong one, whoever asks" },
  "POST /confirm-email/:token": { allow: NOBODY, statuses: [404], why: "a mailed token: nothing to post to" },
  "GET /deals": all(USERS),
  "GET /deals/:id": all(DEAL_VIEWERS),
  "GET /deals/:id/cancel": all(DEAL_VIEWERS),
  "POST /deals/:id/cancel": {
    allow: DEAL_VIEWERS,
    why: "the deal's people pass the deal check before the form is read; each intent then checks its own right (a party proposes, an admin cancels)",
  },
  "GET /deals/:id/contract": all(DEAL_VIEWERS),
  "POST /deals/:id/contract": {
    allow: DEAL_VIEWERS,
    why: "the deal's people pass the deal check before the form is read; signing is then the parties'",
  },
  "GET /deals/:id/contract.pdf": all(DEAL_VIEWERS),
  "GET /deals/:id/contract/edit": { allow: NOBODY, why: "the contract is signed: nobody edits it now (parties 403, everyone else 404)" },
  "POST /deals/:id/contract/edit": {
    allow: DEAL_VIEWERS,
    why: "the deal's people pass the deal check before the form is read; the signed contract then refuses every edit",
  },
  "GET /deals/:id/contract/print": all(DEAL_VIEWERS),
  "GET /deals/:id/registration": all(DEAL_VIEWERS),
  "POST /deals/:id/registration": { allow: DEAL_VIEWERS, why: "the deal's people; applying is then the parties'" },
  "GET /deals/:id/stages": all(DEAL_VIEWERS),
  "GET /deals/:id/stages/:number": all(DEAL_VIEWERS),
  "POST /deals/:id/stages/:number": {
    allow: DEAL_VIEWERS,
    why: "the deal's people pass the deal check before the form is read; paying is then the buyer's, confirming the seller's",
  },
  "GET /demands": all(EVERYONE),
  "GET /demands/:id": { allow: DEMAND_VIEWERS, why: "a demand under review: its owner (eco), the reviewers and the bureau" },
  "POST /demands/:id": { allow: DEMAND_VIEWERS, why: "refused before the form is read to whoever may not see the demand" },
  "GET /demands/:id/edit": { allow: ["eco"], why: "only its owner edits" },
  "POST /demands/:id/edit": { allow: ["eco"], why: "only its owner, before the form is read" },
  "GET /demands/new": all(BUYERS),
  "POST /demands/new": all(BUYERS),
  "GET /forgot-password": all(EVERYONE),
  "POST /forgot-password": all(EVERYONE),
  "GET /invite/:token": { allow: EVERYONE, statuses: [410], why: "a mailed token: 410 for a wrong one" },
  "POST /invite/:token": { allow: NOBODY, statuses: [404], why: "a mailed token: 404 for a wrong one" },
  "GET /login": all(EVERYONE),
  "POST /login": all(EVERYONE),
  "GET /logout": { allow: EVERYONE, why: "a GET only sends home" },
  "POST /logout": { allow: EVERYONE, probeAs: ["anon"], why: "asked as anonymous only: it would end the other probes' sessions" },
  "GET /my/achievements": all(SELLERS),
  "POST /my/achievements": all(SELLERS),
  "GET /my/buy-requests": all(USERS),
  "POST /my/buy-requests": all(USERS),
  "GET /my/commissioner": { allow: ["seller2"], why: "the 科技特派员's own page (seller2); others 404" },
  "GET /my/commissions": { allow: ["broker"], why: "brokers" },
  "GET /my/demands": all(BUYERS),
  "POST /my/demands": all(BUYERS),
  "GET /my/registrations": all(USERS),
  "GET /my/registrations/:id": { allow: REGISTRATION_VIEWERS, why: "the applicant organisation's people and the bureau" },
  "POST /my/registrations/:id": {
    allow: LISTING_OWNERS,
    why: "the applicant organisation's people (a submitted registration: 409 for its state)",
  },
  "GET /notifications": all(USERS),
  "POST /notifications": all(USERS),
  "GET /offers": all(USERS),
  "GET /offers/:id": { allow: OFFER_SIDES, why: "the two sides" },
  "POST /offers/:id": { allow: OFFER_SIDES, why: "the two sides, before the form is read" },
  "GET /policies": all(EVERYONE),
  "GET /policies/:id": { allow: BUREAU, why: "a draft policy: the bureau and admins" },
  "GET /policies/:id/files/:fileId": { allow: BUREAU, why: "a draft policy's file: the bureau and admins" },
  "GET /register": all(EVERYONE),
  "POST /register": all(EVERYONE),
  "GET /registrations/:id/certificate": {
    allow: CERTIFICATE_VIEWERS,
    why: "the registered contract's parties (文山学院 and 食品厂) and the bureau",
  },
  "GET /registrations/:id/certificate.pdf": { allow: CERTIFICATE_VIEWERS, why: "as the certificate page" },
  "GET /registrations/:id/changes": {
    allow: ["bureau"],
    why: "the registration authority only (contract:register, which admins do not hold)",
  },
  "POST /registrations/:id/changes": { allow: ["bureau"], why: "as the page" },
  "GET /registrations/:id/file/:fileId": { allow: REGISTRATION_VIEWERS, why: "the applicant organisation's people and the bureau" },
  "GET /registrations/new": all(USERS),
  "POST /registrations/new": all(USERS),
  "GET /reset-password/:token": { allow: EVERYONE, statuses: [410], why: "a mailed token: 410 for a wrong one" },
  "POST /reset-password/:token": {
    allow: EVERYONE,
    statuses: [400],
    why: "a mailed token: the form is refused for its input (the token is checked with it)",
  },
  "GET /review": { allow: REVIEWERS, why: "reviewers: brokers and admins" },
  "POST /review": { allow: REVIEWERS, why: "reviewers" },
  "GET /rooms": all(USERS),
  "GET /rooms/:id": { allow: ROOM_MEMBERS, why: "the room's members" },
  "POST /rooms/:id": { allow: ROOM_MEMBERS, why: "the room's members, before the form is read" },
  "GET /rooms/:id/attachments/:fileId": { allow: ROOM_MEMBERS, why: "the room's members" },
  "GET /rooms/new": { allow: EVERYONE, why: "a GET only sends to /rooms (rooms are opened from a listing's form)" },
  "POST /rooms/new": all(USERS),
  "GET /search": all(EVERYONE),
  "GET /search/suggest": all(EVERYONE),
  "GET /set-language": all(EVERYONE),
  "POST /set-language": { allow: EVERYONE, why: "anyone sets the language (the probe's empty form is refused for its input)" },
  "GET /verify/:number": { allow: EVERYONE, why: "public verification of a registered contract" },
  "GET /webhooks/stripe": { allow: NOBODY, statuses: [405], why: "POST only" },
  "POST /webhooks/stripe": { allow: EVERYONE, statuses: [400], why: "signature-checked, no session: 400 for an unsigned body" },
  "GET /webhooks/stripe/connect": { allow: NOBODY, statuses: [405], why: "POST only" },
  "POST /webhooks/stripe/connect": { allow: EVERYONE, statuses: [400], why: "signature-checked, no session: 400 for an unsigned body" },
  "GET /work": { allow: ["broker"], why: "brokers' work queue" },
  "POST /work": { allow: ["broker"], why: "brokers" },
};

// ---------------------------------------------------------------------------------------------
// Socket events (client → server), as the server registers them.

export interface SocketRule {
  allow: readonly ActorKey[];
  /** A valid payload (what an allowed caller is served with). */
  payload: (f: Fixtures) => unknown;
  /** The event has no acknowledgement: only that it delivers nothing private is checked. */
  ackless?: boolean;
  why?: string;
}

export const SOCKET_EVENTS: Record<string, SocketRule> = {
  "auction:watch": {
    allow: NOBODY,
    payload: (f) => ({ auctionId: f.missing }),
    why: "public, but the demo has no auction: everyone hears not found",
  },
  "auction:unwatch": { allow: EVERYONE, payload: (f) => ({ auctionId: f.missing }), ackless: true },
  "offer:watch": { allow: OFFER_SIDES, payload: (f) => ({ offerId: f.offer }) },
  "offer:unwatch": { allow: EVERYONE, payload: (f) => ({ offerId: f.offer }), ackless: true },
  "room:join": { allow: ROOM_MEMBERS, payload: (f) => ({ roomId: f.room }) },
  "room:leave": { allow: EVERYONE, payload: (f) => ({ roomId: f.room }), ackless: true },
  "room:history": { allow: ROOM_MEMBERS, payload: (f) => ({ roomId: f.room, beforeSeq: 1_000_000 }) },
  "room:typing": { allow: ROOM_MEMBERS, payload: (f) => ({ roomId: f.room, typing: true }) },
  "room:read": { allow: ROOM_MEMBERS, payload: (f) => ({ roomId: f.room, seq: 0 }) },
  "room:send": { allow: ROOM_MEMBERS, payload: (f) => ({ roomId: f.room, text: "authz probe message", clientId: crypto.randomUUID() }) },
  "room:card:propose": {
    allow: NOBODY,
    payload: (f) => ({ roomId: f.room }),
    why: "no terms: refused for its input by members, for membership by the others",
  },
  "room:card:respond": {
    allow: NOBODY,
    payload: (f) => ({ roomId: f.room }),
    why: "no card: refused for its input by members, for membership by the others",
  },
  "room:nda:accept": { allow: ROOM_MEMBERS, payload: (f) => ({ roomId: f.room }), why: "each member accepts the room's NDA" },
};
