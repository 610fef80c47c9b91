import { ConnectedAccount } from "~/models/connected-account.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { WebhookEvent } from "~/models/payment.server.ts";
import { User } from "~/models/user.server.ts";
import { ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { parseId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { paymentGateway } from "../payments/gateway.server.ts";
import type { ConnectedAccountState, GatewayEvent } from "../payments/types.ts";
import { accountStateOf, type AccountState } from "./payouts.server.ts";

/**
 * Connect onboarding (issue 14, point 6): a payee opens a connected account at the gateway (Stripe
 * Express) through a one-time account link, and the platform mirrors the account's state in
 * ConnectedAccount — from the return page (asked of the gateway) and from `account.updated`
 * webhooks. Payees: a seller organisation (onboarded by one of its admins, orgRole admin), a
 * broker, or a seller selling alone (no organisation), each for their own user.
 */

export type OwnerKind = "organization" | "user";

export interface PayeeAccount {
  ownerKind: OwnerKind;
  owner: string;
  name: string;
  state: AccountState;
  accountRef: string | null;
  detailsSubmitted: boolean;
  requirementsDue: string[];
}

/** Whom the actor may onboard: their organisation when they are its admin and sell, themselves as a broker or a seller without one. */
export async function payeesOf(actor: Actor): Promise<{ ownerKind: OwnerKind; owner: string; name: string }[]> {
  if (!actor.id) return [];
  const me = await User.findById(parseId(actor.id)).select("organization orgRole name").lean();
  const out: { ownerKind: OwnerKind; owner: string; name: string }[] = [];
  if (me?.organization && me.orgRole === "admin" && can(actor, "trading:sell")) {
    const org = await Organization.findById(me.organization).select("name").lean();
    if (org) out.push({ ownerKind: "organization", owner: String(org._id), name: org.name });
  }
  if (hasRole(actor, "broker") || (can(actor, "trading:sell") && !me?.organization)) {
    out.push({ ownerKind: "user", owner: actor.id, name: me?.name ?? actor.name });
  }
  return out;
}

async function requirePayee(actor: Actor, ownerKind: string, owner: string) {
  const payees = await payeesOf(actor);
  const p = payees.find((x) => x.ownerKind === ownerKind && x.owner === owner);
  if (!p) throw new ForbiddenError("payouts.errors.notPayee");
  return p;
}

/** The actor's payee accounts and where each stands. */
export async function payeeAccountsOf(actor: Actor): Promise<PayeeAccount[]> {
  const payees = await payeesOf(actor);
  const accounts = await ConnectedAccount.find({ owner: { $in: payees.map((p) => parseId(p.owner)) } }).lean();
  return payees.map((p) => {
    const a = accounts.find((x) => String(x.owner) === p.owner && x.ownerKind === p.ownerKind) ?? null;
    return {
      ...p,
      state: accountStateOf(a),
      accountRef: a?.accountRef ?? null,
      detailsSubmitted: !!a?.detailsSubmitted,
      requirementsDue: [...(a?.requirementsDue ?? [])],
    };
  });
}

const stateFields = (s: ConnectedAccountState) => ({
  detailsSubmitted: s.detailsSubmitted,
  chargesEnabled: s.chargesEnabled,
  payoutsEnabled: s.payoutsEnabled,
  requirementsDue: s.requirementsDue,
});

/**
 * Starts or continues onboarding: opens the payee's account at the gateway on first use (one per
 * owner: the idempotency key and the unique index), then answers a fresh account link to send the
 * person to. `returnUrl`/`refreshUrl` are absolute URLs of /account/payouts.
 */
export async function onboardingLink(
  actor: Actor,
  payee: { ownerKind: string; owner: string },
  urls: { returnUrl: string; refreshUrl: string },
  via: Via = "ui",
): Promise<{ url: string; accountRef: string }> {
  const p = await requirePayee(actor, payee.ownerKind, payee.owner);
  for (const [k, v] of Object.entries(urls)) {
    if (!/^https?:\/\//.test(v)) throw new ValidationError({ [k]: ["errors.invalidInput"] });
  }
  let account = await ConnectedAccount.findOne({ ownerKind: p.ownerKind, owner: parseId(p.owner) }).lean();
  if (!account) {
    const email = actor.id ? ((await User.findById(parseId(actor.id)).select("email").lean())?.email ?? null) : null;
    const state = await paymentGateway().createConnectedAccount({
      country: "CN",
      email,
      ownerKind: p.ownerKind,
      owner: p.owner,
      idempotencyKey: `connect:${p.ownerKind}:${p.owner}`,
    });
    try {
      await withTransaction(async (session) => {
        await ConnectedAccount.create(
          [{ ownerKind: p.ownerKind, owner: parseId(p.owner), gateway: "stripe", accountRef: state.accountRef, ...stateFields(state) }],
          { session },
        );
        await recordAudit(session, {
          subjectType: p.ownerKind,
          subject: p.owner,
          action: "payout.accountOpened",
          actor,
          via,
          reason: state.accountRef,
        });
      });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e; // opened at the same time by another click: the same account (one key)
    }
    account = (await ConnectedAccount.findOne({ ownerKind: p.ownerKind, owner: parseId(p.owner) }).lean())!;
  }
  const link = await paymentGateway().onboardingLink({ accountRef: account.accountRef, ...urls });
  return { url: link.url, accountRef: account.accountRef };
}

/** Asks the gateway where the payee's account stands and stores it (the return page: it does not wait for the webhook). */
export async function refreshPayeeAccount(actor: Actor, payee: { ownerKind: string; owner: string }): Promise<void> {
  const p = await requirePayee(actor, payee.ownerKind, payee.owner);
  const account = await ConnectedAccount.findOne({ ownerKind: p.ownerKind, owner: parseId(p.owner) }).lean();
  if (!account) return;
  const state = await paymentGateway().connectedAccountState(account.accountRef);
  await ConnectedAccount.updateOne({ _id: account._id }, { $set: stateFields(state) });
}

/**
 * Applies a verified `account.updated` exactly once (the event id is recorded in WebhookEvent in the
 * same transaction). An account we do not know is recorded and ignored.
 */
export async function applyAccountEvent(event: GatewayEvent, gateway = "stripe"): Promise<"applied" | "duplicate" | "ignored"> {
  if (event.type !== "account.updated" || !event.account) return "ignored";
  const state = event.account;
  try {
    return await withTransaction(async (session) => {
      if (await WebhookEvent.exists({ _id: event.id }).session(session)) return "duplicate" as const;
      await WebhookEvent.create([{ _id: event.id, gateway, type: event.gatewayType }], { session });
      const before = await ConnectedAccount.findOne({ accountRef: state.accountRef }).session(session).lean();
      if (!before) return "ignored" as const;
      await ConnectedAccount.updateOne({ _id: before._id }, { $set: stateFields(state) }, { session });
      if (!!before.payoutsEnabled !== state.payoutsEnabled) {
        await recordAudit(session, {
          subjectType: before.ownerKind as OwnerKind,
          subject: before.owner,
          action: state.payoutsEnabled ? "payout.accountEnabled" : "payout.accountRestricted",
          actor: null,
          via: "system",
          reason: state.accountRef,
        });
      }
      return "applied" as const;
    });
  } catch (e) {
    if (isDuplicateKey(e)) return "duplicate";
    throw e;
  }
}
