import { z } from "zod";
import { objectIdString } from "./ids.ts";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { yuan } from "./auctions.ts";
import { termsProblems, type Terms } from "./terms.ts";

/**
 * Inputs of the deal rooms, shared by the socket events (app/schemas/realtime.ts), the room page's
 * plain forms and the services. Money arrives in yuan and leaves in fen. Messages are i18n keys
 * (app/locales/modules/rooms.ts).
 */
export const MESSAGE_MAX = 4000;
const objectId = objectIdString("rooms.errors.badId");
/** A room's (or a card's) id as a client sends it. */
export const RoomObjectIdSchema = objectId;
/** The client's own id for a message, so a retried send is stored once. */
const clientId = z
  .string()
  .regex(/^[\w-]{1,64}$/, "rooms.errors.badClientId")
  .optional();

export const MessageSchema = z.object({
  clientId,
  text: z
    .string({ required_error: "rooms.errors.textRequired", invalid_type_error: "rooms.errors.textRequired" })
    .transform((s) => s.replace(/\r\n?/g, "\n").trim())
    .pipe(z.string().min(1, "rooms.errors.textRequired").max(MESSAGE_MAX, "rooms.errors.textTooLong")),
});
export type MessageInput = z.input<typeof MessageSchema>;

const optionalText = (max: number) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), z.string().trim().max(max, "rooms.errors.tooLong").optional());
const optionalNumber = (min: number, max: number, message: string) =>
  z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce.number({ invalid_type_error: message }).min(min, message).max(max, message).optional(),
  );

export const MilestoneSchema = z.object({
  title: z.string().trim().min(1, "rooms.errors.milestoneTitle").max(100, "rooms.errors.tooLong"),
  amount: yuan({ min: 0 }),
  dueInDays: optionalNumber(0, 3650, "rooms.errors.dueInDays").pipe(z.number().int("rooms.errors.dueInDays").optional()),
});

/**
 * The terms on an offer card: price (yuan in, fen out), mode, exclusivity, territory, term,
 * royalty, milestones — the one terms shape (./terms.ts) as a person types it, plus a note.
 */
export const CardTermsSchema = z
  .object({
    price: yuan({ min: 0 }),
    transactionMode: z.enum(TRANSACTION_MODES, { errorMap: () => ({ message: "rooms.errors.transactionMode" }) }),
    licenseExclusivity: z.preprocess((v) => (v === "" ? undefined : v), z.enum(LICENSE_EXCLUSIVITY).optional()),
    territory: optionalText(100),
    termMonths: optionalNumber(1, 600, "rooms.errors.termMonths").pipe(z.number().int("rooms.errors.termMonths").optional()),
    royaltyPercent: optionalNumber(0, 50, "rooms.errors.royaltyPercent"),
    milestones: z.array(MilestoneSchema).max(10, "rooms.errors.tooManyMilestones").default([]),
    note: optionalText(1000),
  })
  .superRefine((t, ctx) => {
    for (const p of termsProblems(t)) ctx.addIssue({ code: "custom", path: [p.field], message: `rooms.errors.${p.code}` });
  });
export type CardTermsInput = z.input<typeof CardTermsSchema>;
export type CardTerms = z.output<typeof CardTermsSchema>;
// What the card form produces is the one terms shape (checked here, at compile time).
export type CardTermsAreTerms = CardTerms extends Omit<Terms, "currency"> ? true : never;
const cardTermsAreTerms: CardTermsAreTerms = true;
void cardTermsAreTerms;

export const ProposeCardSchema = z.object({
  clientId,
  terms: CardTermsSchema,
  /** A broker says which party the card speaks for. */
  onBehalfOf: z.enum(["buyer", "seller"]).optional(),
});

export const RespondCardSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("accept"), cardId: objectId }),
  z.object({ action: z.literal("reject"), cardId: objectId, reason: optionalText(500) }),
  z.object({ action: z.literal("withdraw"), cardId: objectId }),
  z.object({ action: z.literal("counter"), cardId: objectId, terms: CardTermsSchema, onBehalfOf: z.enum(["buyer", "seller"]).optional() }),
]);
export type RespondCardInput = z.input<typeof RespondCardSchema>;

export const InviteBrokerSchema = z.object({ email: z.string().trim().toLowerCase().email("rooms.errors.email").max(200) });
