import type { CardTermsInput } from "~/schemas/deal-rooms.ts";
import type { CardTermsView } from "~/services/rooms/views.ts";
import { fenToYuanText } from "~/utils/money.ts";
import { fieldErrorList, fieldErrors } from "~/utils/errors.ts";

/**
 * The offer-card form as plain fields (so it works without JavaScript) and its mapping to the
 * service's CardTermsInput: money stays yuan text here (CardTermsSchema turns it into fen), empty
 * milestone rows are dropped, and the schema's error paths (`terms.milestones.0.amount`) are
 * mapped back to the form's field names (`milestones[2].amount`) — a row's index in the form can
 * differ from its index among the filled rows.
 */
/** Rows the empty form shows; a counter to a card with more milestones (cards hold up to 10) shows them all. */
export const MILESTONE_ROWS = 3;
export const MILESTONE_MAX = 10;
export const MILESTONE_FIELDS = ["title", "amount", "dueInDays"] as const;
export const CARD_FIELDS = [
  "price",
  "transactionMode",
  "licenseExclusivity",
  "territory",
  "termMonths",
  "royaltyPercent",
  "note",
  "onBehalfOf",
] as const;

export const milestoneField = (row: number, f: (typeof MILESTONE_FIELDS)[number]) => `milestones[${row}].${f}`;

/** Every field name of the card form, to give back what was typed. */
export function cardFieldNames(): string[] {
  const names: string[] = [...CARD_FIELDS];
  for (let i = 0; i < MILESTONE_MAX; i++) for (const f of MILESTONE_FIELDS) names.push(milestoneField(i, f));
  return names;
}

export function cardTermsFromForm(values: Record<string, string | undefined>): { terms: CardTermsInput; rows: number[] } {
  const rows: number[] = [];
  const milestones: { title: string; amount: string; dueInDays?: string }[] = [];
  for (let i = 0; i < MILESTONE_MAX; i++) {
    const [title, amount, dueInDays] = MILESTONE_FIELDS.map((f) => (values[milestoneField(i, f)] ?? "").trim());
    if (!title && !amount && !dueInDays) continue;
    rows.push(i);
    milestones.push({ title: title!, amount: amount!, dueInDays: dueInDays || undefined });
  }
  const terms = {
    price: values.price ?? "",
    transactionMode: values.transactionMode ?? "",
    licenseExclusivity: values.licenseExclusivity ?? "",
    territory: values.territory ?? "",
    termMonths: values.termMonths ?? "",
    royaltyPercent: values.royaltyPercent ?? "",
    milestones,
    note: values.note ?? "",
  };
  // The schema decides what is valid; the form only hands over what was typed.
  return { terms: terms as unknown as CardTermsInput, rows };
}

/** Schema or service error paths → the form's field names. */
export function cardErrorsToForm(errors: Record<string, string[]>, rows: number[]): Record<string, string[]> {
  const out = fieldErrors();
  for (const [rawKey, messages] of Object.entries(errors)) {
    let key = rawKey.replace(/^terms\./, "");
    const m = /^milestones\.(\d+)\.(\w+)$/.exec(key);
    if (m) key = milestoneField(rows[Number(m[1])] ?? Number(m[1]), m[2] as (typeof MILESTONE_FIELDS)[number]);
    else if (/^milestones\.\d+$/.test(key)) key = "milestones";
    fieldErrorList(out, key).push(...messages);
  }
  return out;
}

/** A card's terms as the form's text values (the counter form starts as a copy of the open card). */
export function cardFormValues(terms: CardTermsView, note: string | null): Record<string, string> {
  const values: Record<string, string> = {
    price: fenToYuanText(terms.price),
    transactionMode: terms.transactionMode,
    licenseExclusivity: terms.licenseExclusivity ?? "",
    territory: terms.territory ?? "",
    termMonths: terms.termMonths != null ? String(terms.termMonths) : "",
    royaltyPercent: terms.royaltyPercent != null ? String(terms.royaltyPercent) : "",
    note: note ?? "",
  };
  terms.milestones.slice(0, MILESTONE_MAX).forEach((m, i) => {
    values[milestoneField(i, "title")] = m.title;
    values[milestoneField(i, "amount")] = fenToYuanText(m.amount);
    values[milestoneField(i, "dueInDays")] = m.dueInDays != null ? String(m.dueInDays) : "";
  });
  return values;
}
