import { describe, expect, it } from "vitest";
import { ForbiddenError } from "~/utils/errors.ts";
import { assertCan, can, PERMISSIONS, ROLES } from "~/utils/permissions.ts";
import { safeRedirect } from "~/web/auth.server.ts";

describe("permissions", () => {
  it("lets each role do its own work and nothing of the admin's", () => {
    expect(can({ roles: ["seller"] }, "achievement:create")).toBe(true);
    expect(can({ roles: ["buyer"] }, "achievement:create")).toBe(false);
    expect(can({ roles: ["broker"] }, "listing:review")).toBe(true);
    expect(can({ roles: ["bureau"] }, "contract:register")).toBe(true);
    for (const role of ROLES.filter((r) => r !== "admin")) {
      expect(can({ roles: [role] }, "user:manage"), role).toBe(false);
    }
    expect(can({ roles: ["admin"] }, "user:manage")).toBe(true);
  });

  it("adds up the permissions of a person with several roles", () => {
    const both = { roles: ["seller", "buyer"] as const };
    expect(can(both, "achievement:create")).toBe(true);
    expect(can(both, "demand:create")).toBe(true);
    expect(can(both, "listing:review")).toBe(false);
  });

  it("denies anonymous visitors and names every permission's roles from the role list", () => {
    expect(can(null, "offer:make")).toBe(false);
    for (const roles of Object.values(PERMISSIONS)) for (const r of roles) expect(ROLES).toContain(r);
  });

  it("assertCan throws the domain's ForbiddenError", () => {
    expect(() => assertCan({ roles: ["buyer"] }, "user:manage")).toThrow(ForbiddenError);
    expect(() => assertCan({ roles: ["admin"] }, "user:manage")).not.toThrow();
  });
});

describe("safeRedirect", () => {
  it("keeps same-site paths and refuses to send people elsewhere", () => {
    expect(safeRedirect("/admin/users?page=2")).toBe("/admin/users?page=2");
    expect(safeRedirect("https://evil.example/")).toBe("/");
    expect(safeRedirect("//evil.example/")).toBe("/");
    expect(safeRedirect("/\\evil.example")).toBe("/");
    expect(safeRedirect(null, "/account")).toBe("/account");
  });
});
