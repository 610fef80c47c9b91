import { termsProblems, type TermsProblem } from "~/schemas/terms.ts";

/**
 * The rules both negotiation channels follow — offers (报价, formal, expiring, in the API) and
 * offer cards in a deal room (报价卡, conversational, with brokers) — see decision 009. A
 * negotiation is a thread of versions; one version is open at a time; the party that did not make
 * it answers it (accept, reject, counter), the party that made it may withdraw it; a counter is
 * the next version. Pure: no I/O, unit-tested in tests/unit/negotiation.test.ts.
 */

export type Party = "buyer" | "seller";
export type Answer = "accept" | "reject" | "counter" | "withdraw";

/** The status the answered version takes. */
export const ANSWER_STATUS = {
  accept: "accepted",
  reject: "rejected",
  counter: "countered",
  withdraw: "withdrawn",
} as const satisfies Record<Answer, string>;
export type AnsweredStatus = (typeof ANSWER_STATUS)[Answer];

export function otherParty(party: Party): Party {
  return party === "buyer" ? "seller" : "buyer";
}

/**
 * Whether `party` may give this answer to a version made for `versionParty`: withdrawing is for
 * the party that made it, every other answer for the other party. A null party (not a party of
 * the negotiation) may do nothing, and neither may a broker (it speaks for a party only when it
 * proposes or counters, see the rooms module).
 */
export function mayAnswer(party: Party | "broker" | null | undefined, versionParty: Party, answer: Answer): boolean {
  if (!party) return false;
  return answer === "withdraw" ? party === versionParty : party === otherParty(versionParty);
}

/** The version number a counter to `version` gets. */
export function nextVersion(version: { version: number }): number {
  return version.version + 1;
}

/** Whether a version past its expiry (if it has one) at `now`: such an open version counts as expired. */
export function isExpired(version: { expiresAt?: Date | null }, now: Date): boolean {
  return !!version.expiresAt && version.expiresAt.getTime() <= now.getTime();
}

/** A version may be answered while it is open and not expired. */
export function isAnswerable(version: { status: string; expiresAt?: Date | null }, now: Date): boolean {
  return version.status === "open" && !isExpired(version, now);
}

/** The status a version shows at `now`: open but past its expiry reads as expired. */
export function effectiveStatus<S extends string>(version: { status: S; expiresAt?: Date | null }, now: Date): S | "expired" {
  return version.status === "open" && isExpired(version, now) ? "expired" : version.status;
}

/** Terms validity, the same for both channels: a licence names its exclusivity; milestones ≤ price. */
export { termsProblems, type TermsProblem };
