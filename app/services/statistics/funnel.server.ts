import { Achievement } from "~/models/achievement.server.ts";
import { Contract } from "~/models/contract.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MatchRecord } from "~/models/match-record.server.ts";
import { Registration } from "~/models/registration.server.ts";
import { chinaYearRange, COUNTED_STATUSES } from "./period.ts";

/**
 * The platform's funnel for a year (China time), each stage counted by when it happened:
 * listings published (achievements and demands, `publishedAt`) → matches announced
 * (`MatchRecord.notifiedAt`) → deal rooms opened → deals made → contracts signed (`signedAt`) →
 * platform contracts registered (`registeredAt`; contracts signed outside the platform are not
 * part of the funnel). Read-only over the other modules' collections.
 */
export const FUNNEL_STAGES = ["listings", "matches", "rooms", "deals", "contracts", "registrations"] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export async function platformFunnel(year: number): Promise<Record<FunnelStage, number>> {
  const { from, to } = chinaYearRange(year);
  const within = { $gte: from, $lt: to };
  const [achievements, demands, matches, rooms, deals, contracts, registrations] = await Promise.all([
    Achievement.countDocuments({ publishedAt: within }),
    Demand.countDocuments({ publishedAt: within }),
    MatchRecord.countDocuments({ notifiedAt: within }),
    DealRoom.countDocuments({ createdAt: within }),
    Deal.countDocuments({ createdAt: within }),
    Contract.countDocuments({ status: "signed", signedAt: within }),
    Registration.countDocuments({ source: "platform", status: { $in: [...COUNTED_STATUSES] }, registeredAt: within }),
  ]);
  return { listings: achievements + demands, matches, rooms, deals, contracts, registrations };
}
