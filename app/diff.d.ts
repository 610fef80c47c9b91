/**
 * The part of the `diff` package (jsdiff 5, no bundled types) that the contracts module uses for
 * the diff between contract versions (app/services/contracts/rules.ts).
 */
declare module "diff" {
  export interface Change {
    value: string;
    added?: boolean;
    removed?: boolean;
    count?: number;
  }
  export function diffLines(oldStr: string, newStr: string): Change[];
}
