/**
 * What a deal does to its listing (issue 13, point 5; decision 009, amended). A non-exclusive licence
 * (普通许可) can be granted to many licensees: the listing stays in trading and other buyers can
 * still take one. A transfer, an exclusive (独占) or sole (排他) licence, equity or cooperation
 * sells the right itself: the listing leaves trading (trading → deal) and no further deal is made.
 * An auction sells the right it names to the top bidder and always ends trading. Once a
 * non-exclusive licence is granted, an exclusive or sole licence can no longer be (it would take
 * from the licensees what they hold); a transfer can (their licences survive it). Pure: no I/O.
 */

export interface DealKind {
  source: string;
  transactionMode: string;
  licenseExclusivity?: string | null;
}

/** A non-exclusive licence: many can be granted. */
export function isNonExclusiveLicence(t: { transactionMode: string; licenseExclusivity?: string | null }): boolean {
  return t.transactionMode === "license" && (t.licenseExclusivity ?? "non-exclusive") === "non-exclusive";
}

/** Whether the deal takes the listing off the market (trading → deal). */
export function dealEndsTrading(d: DealKind): boolean {
  return d.source === "auction" || !isNonExclusiveLicence(d);
}

/** Exclusive or sole licences cannot be granted over non-exclusive licensees. */
export function excludedByLicensees(t: { transactionMode: string; licenseExclusivity?: string | null }, licensees: number): boolean {
  return licensees > 0 && t.transactionMode === "license" && (t.licenseExclusivity === "exclusive" || t.licenseExclusivity === "sole");
}
