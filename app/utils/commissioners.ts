/** 科技特派员 (issue 15, point 7): the words of the registry, shared by models, schemas and pages. */

/** Whom a commissioner is sent to: an enterprise, a cooperative (专业合作社) or a village. */
export const ASSIGNMENT_TARGET_TYPES = ["enterprise", "cooperative", "village"] as const;
export type AssignmentTargetType = (typeof ASSIGNMENT_TARGET_TYPES)[number];

/** What a commissioner did: training 培训, trial and demonstration 试验示范, technical advice 技术指导. */
export const ACTIVITY_KINDS = ["training", "trial", "advice"] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const COMMISSIONER_NAME_MAX = 40;
export const COMMISSIONER_UNIT_MAX = 80;
export const PLACE_NAME_MAX = 60;
export const ACTIVITY_NOTE_MAX = 500;
export const PEOPLE_REACHED_MAX = 100_000;
/** Years the registry accepts for assignments and activity. */
export const COMMISSIONER_YEAR_MIN = 2000;
export const COMMISSIONER_YEAR_MAX = 2100;
