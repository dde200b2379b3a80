/**
 * A fault route (main/sandbox/faults.ts) that matches the first `times` requests of a pattern, then
 * never: the sandbox calls `route.test` once per request, so one-shot faults need no timing.
 */
export class FirstRequests extends RegExp {
  remaining: number;
  constructor(pattern: RegExp, times: number) {
    super(pattern.source, pattern.flags);
    this.remaining = times;
  }
  override test(s: string): boolean {
    if (this.remaining <= 0 || !super.test(s)) return false;
    this.remaining--;
    return true;
  }
}
