/** What an audit entry can be about (app/models/audit-event.server.ts; the admin's search of the log). */
export const AUDIT_SUBJECT_TYPES = [
  "achievement",
  "demand",
  "auction",
  "offer",
  "deal",
  "room",
  // The platform's own administration (issue 13, point 11).
  "user",
  "organization",
  "settings",
  // Technology contracts (issue 14).
  "contract",
  // Policies and notices (issue 15, point 8).
  "policy",
  // 科技特派员 (issue 15, point 7).
  "commissioner",
  // Technology-contract registration (issue 15).
  "registration",
  // The live matching vocabulary: groups and rejected proposals (issue 16, point 4).
  "vocabulary",
] as const;
export type AuditSubjectType = (typeof AUDIT_SUBJECT_TYPES)[number];
