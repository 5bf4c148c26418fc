/**
 * A union of address ranges answering "is this address/range inside any of them?" by binary
 * search over merged, sorted intervals: O(log n) per question however many ranges the stack has.
 */
import type { Cidr } from "../cidr";

export class RangeSet {
  private readonly starts: bigint[] = [];
  private readonly ends: bigint[] = [];

  constructor(ranges: Cidr[]) {
    const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    for (const range of sorted) {
      const last = this.ends.length - 1;
      // Adjacent or overlapping ranges merge, so a range spanning two reservations is still inside.
      if (last >= 0 && range.start <= this.ends[last] + 1n) {
        if (range.end > this.ends[last]) this.ends[last] = range.end;
      } else {
        this.starts.push(range.start);
        this.ends.push(range.end);
      }
    }
  }

  get size(): number {
    return this.starts.length;
  }

  /** True when every address of [start, end] is inside the union. */
  covers(range: { start: bigint; end: bigint }): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= range.start) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && range.end <= this.ends[hi];
  }
}
