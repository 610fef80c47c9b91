import type { Types } from "mongoose";
import type { OfferDoc, OfferSide } from "~/models/offer.server.ts";
import { expiryInstant, expiryProblem, OFFER_MESSAGE_MAX, type OfferTerms } from "~/schemas/offers.ts";
import { normalizeTerms, type Terms } from "~/schemas/terms.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { fieldErrorList, fieldErrors, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { MAX_FEN } from "~/utils/money.ts";
import { can } from "~/utils/permissions.ts";
import { TRANSACTION_MODES, type LicenseExclusivity, type TransactionMode } from "~/utils/taxonomy.ts";
import { excludedByLicensees } from "../deals/rules.ts";
import { resolveExclusivity, type TradingListing } from "../listing.server.ts";
import { mayAnswer } from "../negotiation.ts";
import type { OfferActions, OfferView } from "./views.ts";

/**
 * 报价 / 议价: the offers' own pure rules — who is on which side, what terms an offer may carry on
 * a listing, what the actor may do with the open version. The rules offers share with room cards
 * are in ../negotiation.ts.
 */

export const OFFER_LINK = (thread: Types.ObjectId | string) => `/offers/${thread}`;

/**
 * The side the actor is on for this offer, or null when they have nothing to do with it. The seller
 * side (the listing's author or organisation) needs the seller role — a token's roles limit it too.
 */
export function sideOf(actor: Actor, offer: Pick<OfferDoc, "buyer" | "seller">): OfferSide | null {
  if (actor.id && String(offer.buyer.user) === actor.id) return "buyer";
  if (!can(actor, "trading:sell")) return null;
  if (actor.id && offer.seller.user && String(offer.seller.user) === actor.id) return "seller";
  if (actor.organization && String(offer.seller.organization) === actor.organization.id) return "seller";
  return null;
}

export function requirePerson(actor: Actor): string {
  if (!actor.id) throw new ForbiddenError("offers.errors.personRequired");
  return actor.id;
}

// ---------------------------------------------------------------------------------------------
// Terms

interface ResolvedTerms {
  amount: number;
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
  message: string;
  expiresAt: Date;
}

/** Checks terms against the listing and the clock; every problem at once, by field. */
export function resolveTerms(listing: TradingListing, terms: OfferTerms, now: Date): ResolvedTerms {
  const errors = fieldErrors();
  const add = (field: string, message: string) => fieldErrorList(errors, field).push(message);
  const amount = terms.amountFen;
  if (!Number.isSafeInteger(amount) || amount <= 0) add("amount", "offers.errors.amountPositive");
  else if (amount > MAX_FEN) add("amount", "offers.errors.amountTooLarge");
  const mode = terms.transactionMode;
  if (!TRANSACTION_MODES.includes(mode)) add("transactionMode", "offers.errors.transactionMode");
  else if (!(listing.transactionModes ?? []).includes(mode)) add("transactionMode", "trading.modeNotOffered");
  const exclusivity = resolveExclusivity(listing, mode, terms.licenseExclusivity);
  if (exclusivity.error) add("licenseExclusivity", exclusivity.error);
  // Non-exclusive licensees rule out an exclusive or sole licence (../deals/rules.ts).
  else if (excludedByLicensees({ transactionMode: mode, licenseExclusivity: exclusivity.value }, listing.nonExclusiveLicences ?? 0)) {
    add("licenseExclusivity", "trading.licenseesExist");
  }
  const message = (terms.message ?? "").trim();
  if (message.length > OFFER_MESSAGE_MAX) add("message", "offers.errors.messageTooLong");
  const problem = terms.expiry ? expiryProblem(terms.expiry, now) : null;
  if (problem) add(problem.field, problem.message);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { amount, transactionMode: mode, licenseExclusivity: exclusivity.value, message, expiresAt: expiryInstant(terms.expiry, now) };
}

/** A stored offer version as the one terms shape (what its acceptance makes the deal's terms). */
/** A stored offer version as the one terms shape (what its acceptance makes the deal's terms). */
export function offerTermsOf(o: Pick<OfferDoc, "amount" | "currency" | "transactionMode" | "licenseExclusivity">): Terms {
  return normalizeTerms({
    price: o.amount,
    currency: o.currency ?? "CNY",
    transactionMode: o.transactionMode as TransactionMode,
    licenseExclusivity: (o.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
  });
}

const NO_ACTIONS: OfferActions = { accept: false, reject: false, counter: false, withdraw: false };

export function actionsFor(actor: Actor, side: OfferSide | null, current: OfferView, listingStatus: string): OfferActions {
  if (!side || current.status !== "open") return NO_ACTIONS;
  const answering = mayAnswer(side, current.by, "accept");
  // The buyer side acts as a buyer: it needs the role it made the offer with.
  const mayAct = side === "seller" || can(actor, "offer:make");
  const trading = listingStatus === "trading";
  return {
    accept: answering && mayAct && trading,
    reject: answering,
    counter: answering && mayAct && trading,
    withdraw: !answering,
  };
}
