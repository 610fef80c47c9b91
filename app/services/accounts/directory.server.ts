import { Organization } from "~/models/organization.server.ts";
import { regionName, townsOf, XICHOU } from "~/utils/regions.server.ts";

/** What the public home page shows about who is on the platform. */
export async function platformOverview() {
  const [byType, recent] = await Promise.all([
    Organization.aggregate<{ _id: string; count: number }>([
      { $match: { type: { $ne: "individual" } } },
      { $group: { _id: "$type", count: { $sum: 1 } } },
      { $sort: { count: -1 } },
    ]),
    Organization.find({ type: { $ne: "individual" } })
      .sort({ createdAt: -1 })
      .limit(8)
      .select("name type region verifiedAt")
      .lean(),
  ]);
  return {
    organizationsByType: byType.map((b) => ({ type: b._id, count: b.count })),
    organizationCount: byType.reduce((n, b) => n + b.count, 0),
    recentOrganizations: recent.map((o) => ({
      id: String(o._id),
      name: o.name,
      type: o.type,
      region: o.region ? (regionName(o.region) ?? o.region) : null,
      verified: !!o.verifiedAt,
    })),
    county: { code: XICHOU, name: regionName(XICHOU)!, towns: townsOf(XICHOU) },
  };
}
