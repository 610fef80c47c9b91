import type { Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Recommendation, type RecommenderSide } from "~/models/recommendation.server.ts";
import { User } from "~/models/user.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { RecommendSchema, type RecommendInput } from "~/schemas/recommendations.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { CLOSED_DEMAND_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { canView, relationsOf } from "../listings/access.ts";
import { notify } from "../notifications/notify.server.ts";
import { announce } from "../rooms/messages.server.ts";
import { openRecommendedRoom } from "../rooms/recommended.server.ts";

/**
 * 推荐我的成果 (docs/domain.md: Recommendations): a seller answers a published demand with one of
 * their own achievements on offer, or a broker with any achievement on offer. In one transaction:
 * the recommendation, the deal room between the achievement's seller side and the demand's owner
 * (opened, or the one they already have), audit entries on the demand and the room, and an in-app
 * notification to the demand's people. One recommendation per demand and achievement.
 */

/** Achievements that may be recommended: on offer (in 公示 or trading), never sold or hidden. */
export const RECOMMENDABLE_STATUSES: readonly ListingStatus[] = ["published", "trading"];

/** Whether the actor may recommend at all: sellers (their own achievements) and brokers (any on offer). */
export function mayRecommend(actor: Actor | null): boolean {
  return !!actor?.id && (can(actor, "trading:sell") || hasRole(actor, "broker"));
}

type DemandRow = {
  _id: Types.ObjectId;
  title: string;
  status: string;
  enterprise: Types.ObjectId;
  enterpriseName: string;
  createdBy?: Types.ObjectId | null;
};

/** The person who speaks for the demand in the room: its author, else a buyer of its organisation. */
async function demandContact(demand: DemandRow) {
  const projection = { name: 1, organization: 1 };
  const author = demand.createdBy ? await User.findOne({ _id: demand.createdBy, disabled: { $ne: true } }, projection).lean() : null;
  const contact =
    author ??
    (await User.findOne({ organization: demand.enterprise, roles: "buyer", disabled: { $ne: true } }, projection)
      .sort({ _id: 1 })
      .lean());
  if (!contact) throw new ConflictError("recommendations.errors.noDemandContact");
  return { user: contact._id, name: contact.name, organization: demand.enterprise, organizationName: demand.enterpriseName };
}

/** Everyone told about a recommendation: the demand's author and its organisation's people, not the recommender. */
async function demandPeople(demand: DemandRow, except: string): Promise<Types.ObjectId[]> {
  const or: Record<string, unknown>[] = [{ organization: demand.enterprise }];
  if (demand.createdBy) or.push({ _id: demand.createdBy });
  const users = await User.find({ $or: or, disabled: { $ne: true } }, { _id: 1 }).lean();
  return users.map((u) => u._id).filter((id) => String(id) !== except);
}

export interface RecommendResult {
  recommendationId: string;
  roomId: string;
}

export async function recommendAchievement(
  actor: Actor,
  demandId: string,
  input: RecommendInput,
  opts: { via?: Via; now?: Date } = {},
): Promise<RecommendResult> {
  const now = opts.now ?? new Date();
  if (!actor.id) throw new ForbiddenError();
  if (!mayRecommend(actor)) throw new ForbiddenError("recommendations.errors.roleRequired");
  const parsed = RecommendSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const { achievementId, note } = parsed.data;

  const demand = (await Demand.findById(parseId(demandId), {
    title: 1,
    status: 1,
    enterprise: 1,
    enterpriseName: 1,
    createdBy: 1,
  }).lean()) as DemandRow | null;
  if (!demand || !canView(actor, demand)) throw new NotFoundError();
  if (relationsOf(actor, demand).has("owner")) throw new ForbiddenError("recommendations.errors.ownDemand");
  if (CLOSED_DEMAND_STATUSES.includes(demand.status as ListingStatus)) throw new ConflictError("recommendations.errors.demandSolved");
  if (demand.status !== "published") throw new ConflictError("recommendations.errors.demandNotOpen");

  const achievement = await Achievement.findById(parseId(achievementId), {
    title: 1,
    status: 1,
    owner: 1,
    ownerName: 1,
    createdBy: 1,
  }).lean();
  const refuse = (key: string) => new ValidationError({ achievementId: [key] });
  if (!achievement || !canView(actor, achievement)) throw refuse("recommendations.errors.achievementUnknown");
  // A seller speaks for their own organisation's achievements; a broker may put any achievement on offer forward.
  const owns = relationsOf(actor, achievement).has("owner") && can(actor, "trading:sell");
  const side: RecommenderSide | null = owns ? "seller" : hasRole(actor, "broker") ? "broker" : null;
  if (!side) throw refuse("recommendations.errors.notYours");
  if (!RECOMMENDABLE_STATUSES.includes(achievement.status as ListingStatus)) throw refuse("recommendations.errors.notOnOffer");
  if (String(achievement.owner) === String(demand.enterprise)) throw refuse("recommendations.errors.sameOrganization");

  const duplicate = async () => {
    const found = await Recommendation.findOne({ demand: demand._id, achievement: achievement._id }, { _id: 1 }).lean();
    return found ? new ConflictError("recommendations.errors.duplicate") : null;
  };
  const already = await duplicate();
  if (already) throw already;

  const buyer = await demandContact(demand);
  const recipients = await demandPeople(demand, actor.id);
  const via = opts.via ?? "ui";
  for (let attempt = 0; ; attempt++) {
    try {
      const { id, roomId, messages } = await withTransaction(async (session) => {
        const room = await openRecommendedRoom(
          session,
          {
            listing: {
              id: achievement._id,
              title: achievement.title,
              owner: achievement.owner,
              ownerName: achievement.ownerName,
              createdBy: achievement.createdBy,
            },
            buyer,
            demand: { id: demand._id, title: demand.title },
            by: { actor, side },
            note,
          },
          now,
        );
        const [rec] = await Recommendation.create(
          [
            {
              demand: demand._id,
              achievement: achievement._id,
              achievementTitle: achievement.title,
              achievementOwner: achievement.owner,
              recommendedBy: { user: oid(actor.id!), name: actor.name, organizationName: actor.organization?.name ?? null, side },
              note,
              room: room.roomId,
              createdAt: now,
            },
          ],
          { session },
        );
        await recordAudit(session, [
          { subjectType: "demand", subject: demand._id, action: "recommended", actor, via, reason: achievement.title, at: now },
          { subjectType: "room", subject: room.roomId, action: "recommended", actor, via, reason: demand.title, at: now },
        ]);
        await notify(
          session,
          recipients.map((user) => ({
            user,
            type: "demand.recommended" as const,
            subject: { kind: "demand" as const, id: demand._id, title: demand.title },
            counterpart: { kind: "achievement" as const, id: achievement._id, title: achievement.title },
            link: `/rooms/${String(room.roomId)}`,
            params: { by: actor.name },
          })),
          { at: now },
        );
        return { id: rec!._id, roomId: room.roomId, messages: room.messages };
      });
      await announce(messages);
      return { recommendationId: String(id), roomId: String(roomId) };
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // The same recommendation made twice at once, or the room opened meanwhile (then try again: it is found).
      const dup = await duplicate();
      if (dup) throw dup;
      if (attempt > 2) throw e;
    }
  }
}
