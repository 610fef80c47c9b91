import { z } from "zod";
import { FIELDS } from "~/utils/taxonomy.ts";
import { objectIdString } from "./ids.ts";

/** What a broker follows on /work: fields and Yunnan prefectures (4-digit GB/T 2260 codes); none = any. */
export const BrokerPreferencesSchema = z.object({
  fields: z.array(z.enum(FIELDS, { errorMap: () => ({ message: "brokerWork.errors.field" }) })).max(FIELDS.length),
  regions: z.array(z.string().regex(/^\d{4}$/, "brokerWork.errors.region")).max(50),
});
export type BrokerPreferences = z.infer<typeof BrokerPreferencesSchema>;

/** 表示愿意协助: a negotiation (a deal room) or a deal, by id. */
export const OfferHelpSchema = z.object({ target: z.enum(["room", "deal"]), id: objectIdString("brokerWork.errors.notFound") });
export type OfferHelpTarget = z.infer<typeof OfferHelpSchema>;
