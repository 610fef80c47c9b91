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
  "GET /": all(USERS),
  "GET /*": all(USERS),
  "GET /account": all(USERS),
  "POST /account": all(USERS),
  "GET /account/organization": all(USERS),
  "POST /account/organization": all(USERS),
  "GET /account/payouts": all(USERS),
  "POST /account/payouts": all(USERS),
  "GET /achievements": all(USERS),
  "GET /achievements/:id": all(USERS),
  "POST /achievements/:id": all(USERS),
  "GET /achievements/:id/auction/new": all(USERS),
  "POST /achievements/:id/auction/new": all(USERS),
  "GET /achievements/:id/buy": all(USERS),
  "POST /achievements/:id/buy": all(USERS),
  "GET /achievements/:id/edit": all(USERS),
  "POST /achievements/:id/edit": all(USERS),
  "GET /achievements/:id/offer": all(USERS),
  "POST /achievements/:id/offer": all(USERS),
  "GET /achievements/new": all(USERS),
  "POST /achievements/new": all(USERS),
  "GET /admin/audit": all(USERS),
  "GET /admin/ledger": all(USERS),
  "GET /admin/organizations": all(USERS),
  "POST /admin/organizations": all(USERS),
  "GET /admin/payouts": all(USERS),
  "POST /admin/payouts": all(USERS),
  "GET /admin/receipts": all(USERS),
  "POST /admin/receipts": all(USERS),
  "GET /admin/receipts/proof/:fileId": all(USERS),
  "GET /admin/refunds": all(USERS),
  "POST /admin/refunds": all(USERS),
  "GET /admin/settings": all(USERS),
  "POST /admin/settings": all(USERS),
  "GET /admin/tokens": all(USERS),
  "POST /admin/tokens": all(USERS),
  "GET /admin/users": all(USERS),
  "POST /admin/users": all(USERS),
  "GET /api/v1/*": all(USERS),
  "POST /api/v1/*": all(USERS),
  "GET /api/v1/account/payouts/onboarding-link": all(USERS),
  "POST /api/v1/account/payouts/onboarding-link": all(USERS),
  "GET /api/v1/achievements": all(USERS),
  "POST /api/v1/achievements": all(USERS),
  "GET /api/v1/achievements/:id": all(USERS),
  "POST /api/v1/achievements/:id": all(USERS),
  "GET /api/v1/achievements/:id/buy": all(USERS),
  "POST /api/v1/achievements/:id/buy": all(USERS),
  "GET /api/v1/achievements/:id/matches": all(USERS),
  "POST /api/v1/achievements/:id/matches": all(USERS),
  "GET /api/v1/auctions/:id": all(USERS),
  "POST /api/v1/auctions/:id": all(USERS),
  "GET /api/v1/auctions/:id/bids": all(USERS),
  "POST /api/v1/auctions/:id/bids": all(USERS),
  "GET /api/v1/auctions/:id/registration": all(USERS),
  "POST /api/v1/auctions/:id/registration": all(USERS),
  "GET /api/v1/auctions/:id/verify": all(USERS),
  "POST /api/v1/auctions/:id/verify": all(USERS),
  "GET /api/v1/buy-requests": all(USERS),
  "POST /api/v1/buy-requests": all(USERS),
  "GET /api/v1/buy-requests/:id": all(USERS),
  "POST /api/v1/buy-requests/:id": all(USERS),
  "GET /api/v1/buy-requests/:id/:action": all(USERS),
  "POST /api/v1/buy-requests/:id/:action": all(USERS),
  "GET /api/v1/deals": all(USERS),
  "POST /api/v1/deals": all(USERS),
  "GET /api/v1/deals/:id": all(USERS),
  "POST /api/v1/deals/:id": all(USERS),
  "GET /api/v1/deals/:id/cancellation": all(USERS),
  "POST /api/v1/deals/:id/cancellation": all(USERS),
  "GET /api/v1/deals/:id/commission": all(USERS),
  "POST /api/v1/deals/:id/commission": all(USERS),
  "GET /api/v1/deals/:id/contract": all(USERS),
  "POST /api/v1/deals/:id/contract": all(USERS),
  "GET /api/v1/deals/:id/contract/diff": all(USERS),
  "POST /api/v1/deals/:id/contract/diff": all(USERS),
  "GET /api/v1/deals/:id/contract/signatures": all(USERS),
  "POST /api/v1/deals/:id/contract/signatures": all(USERS),
  "GET /api/v1/deals/:id/payouts": all(USERS),
  "POST /api/v1/deals/:id/payouts": all(USERS),
  "GET /api/v1/deals/:id/stages": all(USERS),
  "POST /api/v1/deals/:id/stages": all(USERS),
  "GET /api/v1/deals/:id/stages/:number/checkout": all(USERS),
  "POST /api/v1/deals/:id/stages/:number/checkout": all(USERS),
  "GET /api/v1/deals/:id/stages/:number/royalty-reports": all(USERS),
  "POST /api/v1/deals/:id/stages/:number/royalty-reports": all(USERS),
  "GET /api/v1/demands": all(USERS),
  "POST /api/v1/demands": all(USERS),
  "GET /api/v1/demands/:id": all(USERS),
  "POST /api/v1/demands/:id": all(USERS),
  "GET /api/v1/demands/:id/matches": all(USERS),
  "POST /api/v1/demands/:id/matches": all(USERS),
  "GET /api/v1/demands/:id/matches/:achievementId/feedback": all(USERS),
  "POST /api/v1/demands/:id/matches/:achievementId/feedback": all(USERS),
  "GET /api/v1/demands/:id/recommendations": all(USERS),
  "POST /api/v1/demands/:id/recommendations": all(USERS),
  "GET /api/v1/evaluation": all(USERS),
  "POST /api/v1/evaluation": all(USERS),
  "GET /api/v1/export": all(USERS),
  "POST /api/v1/export": all(USERS),
  "GET /api/v1/import": all(USERS),
  "POST /api/v1/import": all(USERS),
  "GET /api/v1/offers": all(USERS),
  "POST /api/v1/offers": all(USERS),
  "GET /api/v1/offers/:id": all(USERS),
  "POST /api/v1/offers/:id": all(USERS),
  "GET /api/v1/offers/:id/:action": all(USERS),
  "POST /api/v1/offers/:id/:action": all(USERS),
  "GET /api/v1/payouts/:id/:action": all(USERS),
  "POST /api/v1/payouts/:id/:action": all(USERS),
  "GET /api/v1/policies": all(USERS),
  "POST /api/v1/policies": all(USERS),
  "GET /api/v1/policies/:id": all(USERS),
  "POST /api/v1/policies/:id": all(USERS),
  "GET /api/v1/refunds/:id/bank": all(USERS),
  "POST /api/v1/refunds/:id/bank": all(USERS),
  "GET /api/v1/registrations": all(USERS),
  "POST /api/v1/registrations": all(USERS),
  "GET /api/v1/registrations/:id": all(USERS),
  "POST /api/v1/registrations/:id": all(USERS),
  "GET /api/v1/registrations/:id/:action": all(USERS),
  "POST /api/v1/registrations/:id/:action": all(USERS),
  "GET /api/v1/stages/receipts": all(USERS),
  "POST /api/v1/stages/receipts": all(USERS),
  "GET /api/v1/statistics": all(USERS),
  "POST /api/v1/statistics": all(USERS),
  "GET /api/v1/verify/:number": all(USERS),
  "POST /api/v1/verify/:number": all(USERS),
  "GET /attachments/:id": all(USERS),
  "GET /auctions": all(USERS),
  "GET /auctions/:id": all(USERS),
  "POST /auctions/:id": all(USERS),
  "GET /auctions/:id/deposit": all(USERS),
  "GET /bureau": all(USERS),
  "GET /bureau/commissioners": all(USERS),
  "POST /bureau/commissioners": all(USERS),
  "GET /bureau/commissioners/:id": all(USERS),
  "POST /bureau/commissioners/:id": all(USERS),
  "GET /bureau/dashboard": all(USERS),
  "GET /bureau/dashboard.csv": all(USERS),
  "GET /bureau/evaluation": all(USERS),
  "POST /bureau/evaluation": all(USERS),
  "GET /bureau/evaluation.csv": all(USERS),
  "GET /bureau/policies": all(USERS),
  "GET /bureau/policies/:id/edit": all(USERS),
  "POST /bureau/policies/:id/edit": all(USERS),
  "GET /bureau/policies/new": all(USERS),
  "POST /bureau/policies/new": all(USERS),
  "GET /bureau/registrations": all(USERS),
  "GET /bureau/registrations/:id": all(USERS),
  "POST /bureau/registrations/:id": all(USERS),
  "GET /bureau/settings": all(USERS),
  "POST /bureau/settings": all(USERS),
  "GET /bureau/targets": all(USERS),
  "POST /bureau/targets": all(USERS),
  "GET /bureau/vocabulary": all(USERS),
  "POST /bureau/vocabulary": all(USERS),
  "GET /bureau/vocabulary/:id": all(USERS),
  "POST /bureau/vocabulary/:id": all(USERS),
  "GET /bureau/vocabulary/proposals": all(USERS),
  "POST /bureau/vocabulary/proposals": all(USERS),
  "GET /bureau/vocabulary/weak": all(USERS),
  "GET /confirm-email/:token": all(USERS),
  "POST /confirm-email/:token": all(USERS),
  "GET /deals": all(USERS),
  "GET /deals/:id": all(USERS),
  "GET /deals/:id/cancel": all(USERS),
  "POST /deals/:id/cancel": all(USERS),
  "GET /deals/:id/contract": all(USERS),
  "POST /deals/:id/contract": all(USERS),
  "GET /deals/:id/contract.pdf": all(USERS),
  "GET /deals/:id/contract/edit": all(USERS),
  "POST /deals/:id/contract/edit": all(USERS),
  "GET /deals/:id/contract/print": all(USERS),
  "GET /deals/:id/registration": all(USERS),
  "POST /deals/:id/registration": all(USERS),
  "GET /deals/:id/stages": all(USERS),
  "GET /deals/:id/stages/:number": all(USERS),
  "POST /deals/:id/stages/:number": all(USERS),
  "GET /demands": all(USERS),
  "GET /demands/:id": all(USERS),
  "POST /demands/:id": all(USERS),
  "GET /demands/:id/edit": all(USERS),
  "POST /demands/:id/edit": all(USERS),
  "GET /demands/new": all(USERS),
  "POST /demands/new": all(USERS),
  "GET /forgot-password": all(USERS),
  "POST /forgot-password": all(USERS),
  "GET /invite/:token": all(USERS),
  "POST /invite/:token": all(USERS),
  "GET /login": all(USERS),
  "POST /login": all(USERS),
  "GET /logout": all(USERS),
  "POST /logout": { allow: EVERYONE, probeAs: ["anon"], why: "asked as anonymous only: it would end the other probes' sessions" },
  "GET /my/achievements": all(USERS),
  "POST /my/achievements": all(USERS),
  "GET /my/buy-requests": all(USERS),
  "POST /my/buy-requests": all(USERS),
  "GET /my/commissioner": all(USERS),
  "GET /my/commissions": all(USERS),
  "GET /my/demands": all(USERS),
  "POST /my/demands": all(USERS),
  "GET /my/registrations": all(USERS),
  "GET /my/registrations/:id": all(USERS),
  "POST /my/registrations/:id": all(USERS),
  "GET /notifications": all(USERS),
  "POST /notifications": all(USERS),
  "GET /offers": all(USERS),
  "GET /offers/:id": all(USERS),
  "POST /offers/:id": all(USERS),
  "GET /policies": all(USERS),
  "GET /policies/:id": all(USERS),
  "GET /policies/:id/files/:fileId": all(USERS),
  "GET /register": all(USERS),
  "POST /register": all(USERS),
  "GET /registrations/:id/certificate": all(USERS),
  "GET /registrations/:id/certificate.pdf": all(USERS),
  "GET /registrations/:id/changes": all(USERS),
  "POST /registrations/:id/changes": all(USERS),
  "GET /registrations/:id/file/:fileId": all(USERS),
  "GET /registrations/new": all(USERS),
  "POST /registrations/new": all(USERS),
  "GET /reset-password/:token": all(USERS),
  "POST /reset-password/:token": all(USERS),
  "GET /review": all(USERS),
  "POST /review": all(USERS),
  "GET /rooms": all(USERS),
  "GET /rooms/:id": all(USERS),
  "POST /rooms/:id": all(USERS),
  "GET /rooms/:id/attachments/:fileId": all(USERS),
  "GET /rooms/new": all(USERS),
  "POST /rooms/new": all(USERS),
  "GET /search": all(USERS),
  "GET /search/suggest": all(USERS),
  "GET /set-language": all(USERS),
  "POST /set-language": all(USERS),
  "GET /verify/:number": all(USERS),
  "GET /webhooks/stripe": all(USERS),
  "POST /webhooks/stripe": all(USERS),
  "GET /webhooks/stripe/connect": all(USERS),
  "POST /webhooks/stripe/connect": all(USERS),
  "GET /work": all(USERS),
  "POST /work": all(USERS),
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

/** Who is in the deal room (the seller side — seller and its member seller3 — the buyer, the invited broker). */
export const ROOM_MEMBERS = ["seller", "seller3", "buyer", "broker"] as const;
/** The two sides of the offer. */
export const OFFER_SIDES = ["buyer", "sanqi"] as const;

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
  "room:nda:accept": { allow: NOBODY, payload: (f) => ({ roomId: f.room }), why: "the room has no NDA to accept" },
};

void [ADMIN, BUREAU, SELLERS, BUYERS, NOBODY, EVERYONE];
