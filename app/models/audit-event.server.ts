import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { AUDIT_SUBJECT_TYPES, type AuditSubjectType } from "~/utils/audit-subjects.ts";

export { AUDIT_SUBJECT_TYPES, type AuditSubjectType };

/**
 * Append-only log of everything that happened to a listing, an auction, an offer, a deal or a
 * room: transitions, edits, objections, imports (written through services/kernel/audit.server.ts).
 * Never updated or deleted by the application (the hooks below refuse it).
 */
const auditEventSchema = new Schema(
  {
    subjectType: { type: String, enum: AUDIT_SUBJECT_TYPES, required: true },
    subject: { type: Schema.Types.ObjectId, required: true },
    /** A workflow action, or "create", "edit", "import", "objection", "objectionDismissed". */
    action: { type: String, required: true },
    from: String,
    to: String,
    actor: { type: Schema.Types.ObjectId, ref: "User" },
    actorName: { type: String, required: true },
    actorRoles: { type: [String], default: [] },
    via: { type: String, enum: ["ui", "api", "system"], required: true },
    reason: String,
    at: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
auditEventSchema.index({ subjectType: 1, subject: 1, at: 1 });
// The admin's search of the whole log, newest first (by date, by actor, by action).
auditEventSchema.index({ at: -1, _id: -1 });
auditEventSchema.index({ actor: 1, at: -1 });
auditEventSchema.index({ action: 1, at: -1 });

for (const op of ["updateOne", "updateMany", "findOneAndUpdate", "replaceOne", "deleteOne", "deleteMany", "findOneAndDelete"] as const) {
  auditEventSchema.pre(op, function () {
    throw new Error("the audit log is append-only");
  });
}

export type AuditEventDoc = InferSchemaType<typeof auditEventSchema>;
export const AuditEvent = (mongoose.models.AuditEvent as mongoose.Model<AuditEventDoc>) ?? mongoose.model("AuditEvent", auditEventSchema);
