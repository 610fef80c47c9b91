import { DEFAULT_REGISTRATION_TARGET_FEN, type PlatformSettings } from "~/schemas/settings.ts";

/** Progress toward the year's 技术合同交易额 target (settings `registrationTargets`). Pure. */
export interface TargetProgress {
  year: number;
  targetFen: number;
  /** Whether the bureau set this year's target (else the plan's default). */
  isDefault: boolean;
  technologyFen: number;
  /** 技术交易额 / target in basis points, rounded down (so 100% means the target is met); may exceed 10,000. */
  progressBps: number;
  /** What is still missing to the target, fen (0 once met). */
  remainingFen: number;
}

export function targetFor(
  settings: Pick<PlatformSettings, "registrationTargets">,
  year: number,
): { amountFen: number; isDefault: boolean } {
  const set = settings.registrationTargets.find((t) => t.year === year);
  return set ? { amountFen: set.amountFen, isDefault: false } : { amountFen: DEFAULT_REGISTRATION_TARGET_FEN, isDefault: true };
}

export function targetProgress(
  settings: Pick<PlatformSettings, "registrationTargets">,
  year: number,
  technologyFen: number,
): TargetProgress {
  const { amountFen, isDefault } = targetFor(settings, year);
  const progressBps = amountFen > 0 ? Math.floor((technologyFen * 10_000) / amountFen) : 0;
  return { year, targetFen: amountFen, isDefault, technologyFen, progressBps, remainingFen: Math.max(0, amountFen - technologyFen) };
}
