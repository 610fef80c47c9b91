import type { RecommendationView } from "~/services/recommendations/queries.server.ts";

/** A recommendation as the open API answers it (the room only when the caller is one of its members). */
export function toApiRecommendation(r: RecommendationView) {
  return {
    id: r.id,
    achievement: r.achievement,
    recommendedBy: { name: r.by.name, organizationName: r.by.organizationName, side: r.by.side },
    note: r.note,
    createdAt: r.createdAt,
    roomId: r.roomId,
  };
}
