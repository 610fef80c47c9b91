import { User } from "~/models/user.server.ts";
import { BrokerPreferencesSchema, type BrokerPreferences } from "~/schemas/broker-work.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import { yunnanCounties } from "~/utils/regions.server.ts";
import type { Actor } from "../kernel/actor.ts";
import { oid } from "../kernel/ids.server.ts";

/** A broker's work preferences (the fields and regions they follow on /work), kept on their user. */

/** The Yunnan prefectures a broker may follow, for the form. */
export function brokerRegionChoices(): { code: string; name: string }[] {
  return yunnanCounties().map((p) => ({ code: p.code, name: p.name }));
}

export async function brokerPreferences(actor: Actor): Promise<BrokerPreferences> {
  assertCan(actor, "deal:mediate");
  const u = await User.findById(oid(actor.id!), { brokerProfile: 1 }).lean();
  return { fields: [...(u?.brokerProfile?.fields ?? [])], regions: [...(u?.brokerProfile?.regions ?? [])] };
}

export async function saveBrokerPreferences(actor: Actor, input: unknown): Promise<BrokerPreferences> {
  assertCan(actor, "deal:mediate");
  const parsed = BrokerPreferencesSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const known = new Set(brokerRegionChoices().map((r) => r.code));
  if (parsed.data.regions.some((r) => !known.has(r))) throw new ValidationError({ regions: ["brokerWork.errors.region"] });
  const prefs = { fields: [...new Set(parsed.data.fields)], regions: [...new Set(parsed.data.regions)] };
  await User.updateOne({ _id: oid(actor.id!) }, { $set: { brokerProfile: prefs } });
  return prefs;
}
