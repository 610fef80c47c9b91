import { createHash } from "node:crypto";
import { hashPassword } from "~/services/accounts/accounts.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import type { OrganizationType, OrgRole } from "~/utils/organization.ts";
import type { Role } from "~/utils/permissions.ts";
import { usccCheckChar } from "~/utils/uscc.ts";

/**
 * A valid unified social credit code: 2-character authority+type prefix (91 enterprise,
 * 12 public institution, 11 government organ, 52 private non-enterprise), the region, a
 * 9-digit organisation code derived from `seed`, and the computed check character.
 */
export function makeUscc(prefix: string, region6: string, seed: string): string {
  const digits = BigInt("0x" + createHash("sha256").update(seed).digest("hex").slice(0, 15))
    .toString()
    .padStart(9, "0")
    .slice(-9);
  const first17 = `${prefix}${region6}${digits}`;
  return first17 + usccCheckChar(first17);
}

const PREFIX: Record<OrganizationType, string> = {
  enterprise: "91",
  university: "12",
  institute: "12",
  government: "11",
  "service-agency": "52",
  individual: "",
};

export async function upsertOrganization(o: { name: string; type: OrganizationType; region: string; creditCode?: string }) {
  const creditCode = o.type === "individual" ? undefined : (o.creditCode ?? makeUscc(PREFIX[o.type], o.region.slice(0, 6), o.name));
  const filter = creditCode ? { creditCode } : { name: o.name, type: o.type };
  const doc = await Organization.findOneAndUpdate(
    filter,
    { $set: { name: o.name, type: o.type, region: o.region, ...(creditCode ? { creditCode } : {}) } },
    { upsert: true, returnDocument: "after", runValidators: true },
  ).lean();
  return doc!;
}

let cachedHash: { password: string; hash: Promise<string> } | undefined;

/** Creates or updates a user by email; the password is (re)set so the README's demo logins work. */
export async function upsertUser(u: {
  email: string;
  name: string;
  password: string;
  roles: Role[];
  organization?: { _id: unknown } | null;
  /** The person's role in the organisation (decision 015); left as it is when not given. */
  orgRole?: OrgRole;
}) {
  if (cachedHash?.password !== u.password) cachedHash = { password: u.password, hash: hashPassword(u.password) };
  const passwordHash = await cachedHash.hash;
  const doc = await User.findOneAndUpdate(
    { email: u.email.toLowerCase() },
    {
      $set: {
        name: u.name,
        roles: u.roles,
        organization: u.organization?._id,
        passwordHash,
        disabled: false,
        ...(u.orgRole && u.organization ? { orgRole: u.orgRole } : {}),
      },
    },
    { upsert: true, returnDocument: "after", runValidators: true },
  ).lean();
  return doc!;
}
