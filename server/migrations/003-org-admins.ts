import type { Db, ObjectId } from "mongodb";
import type { Migration } from "./runner.ts";

/**
 * Decision 015: a person belongs to an organisation as its `admin` or a `member`. Before, there
 * was one person per organisation and no role. The earliest person of each organisation (by
 * `createdAt`, then `_id`) becomes its admin and anyone else a member; people with an `orgRole`
 * already are left alone, and an organisation that has an admin gets no second one.
 */
export const orgAdmins: Migration = {
  id: "003-org-admins",
  description: "Organisation roles: the earliest person of each organisation becomes its admin, others members",
  async up(db: Db) {
    const users = db.collection<{ _id: ObjectId; organization?: ObjectId | null; orgRole?: string; createdAt?: Date }>("users");
    const orgs = await users.distinct("organization", { organization: { $type: "objectId" }, orgRole: { $exists: false } });
    for (const org of orgs as ObjectId[]) {
      const hasAdmin = await users.countDocuments({ organization: org, orgRole: "admin" });
      if (!hasAdmin) {
        const [first] = await users.find({ organization: org }).sort({ createdAt: 1, _id: 1 }).limit(1).project({ _id: 1 }).toArray();
        if (first) await users.updateOne({ _id: first._id, orgRole: { $exists: false } }, { $set: { orgRole: "admin" } });
      }
      await users.updateMany({ organization: org, orgRole: { $exists: false } }, { $set: { orgRole: "member" } });
    }
  },
};
