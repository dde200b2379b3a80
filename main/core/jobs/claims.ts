/**
 * Which memberships this app is writing right now, shared by every runner in the process (the
 * desk's one-op jobs and a batch). A runner reads a chunk of memberships and writes them over the
 * next seconds; a write of ours to the same membership in between (a person at the desk, an undo)
 * must make the queued op look again instead of overwriting it. Each membership has a generation,
 * bumped when a write to it starts and when it ends: an op read at generation g goes out only if
 * the generation is still g and no write to it is in flight; otherwise it is re-read, and the
 * re-read (the op kind's `state`) turns it into a conflict.
 */
export interface MembershipClaims {
  generation(membershipId: number): number;
  /** True when an op read at `generation` may be sent now. */
  unchanged(membershipId: number, generation: number): boolean;
  begin(membershipId: number): void;
  end(membershipId: number): void;
}

export function createMembershipClaims(): MembershipClaims {
  const gen = new Map<number, number>();
  const busy = new Map<number, number>();
  const bump = (id: number) => gen.set(id, (gen.get(id) ?? 0) + 1);
  return {
    generation: (id) => gen.get(id) ?? 0,
    unchanged: (id, g) => (gen.get(id) ?? 0) === g && (busy.get(id) ?? 0) === 0,
    begin(id) {
      bump(id);
      busy.set(id, (busy.get(id) ?? 0) + 1);
    },
    end(id) {
      bump(id);
      const n = (busy.get(id) ?? 1) - 1;
      if (n <= 0) busy.delete(id);
      else busy.set(id, n);
    },
  };
}
