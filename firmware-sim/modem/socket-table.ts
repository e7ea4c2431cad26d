/** The modem's socket table. */
import type { SimSocket } from './sim-socket.ts';

/** Up to 8 sockets; handles start at `firstHandle` (not always 0, as on real firmware). */
export class SocketTable {
  static readonly MAX = 8;
  private readonly byHandle = new Map<number, SimSocket>();
  /** Old dialect: the selected socket, and the order sockets were opened in (ranking). */
  selected: SimSocket | undefined;
  private ranking: SimSocket[] = [];

  constructor(readonly firstHandle: number) {}

  get size(): number {
    return this.byHandle.size;
  }

  get(handle: number): SimSocket | undefined {
    return this.byHandle.get(handle);
  }

  all(): SimSocket[] {
    return [...this.byHandle.values()];
  }

  /** Lowest free handle, or undefined when 8 sockets are open. */
  freeHandle(): number | undefined {
    if (this.byHandle.size >= SocketTable.MAX) return undefined;
    for (let h = this.firstHandle; ; h++) if (!this.byHandle.has(h)) return h;
  }

  add(s: SimSocket): void {
    this.byHandle.set(s.handle, s);
    this.ranking.push(s);
    this.selected = s;
  }

  remove(s: SimSocket): void {
    s.close();
    this.byHandle.delete(s.handle);
    this.ranking = this.ranking.filter((x) => x !== s);
    if (this.selected === s) this.selected = this.ranking[this.ranking.length - 1];
  }

  select(s: SimSocket): void {
    this.selected = s;
    this.ranking = this.ranking.filter((x) => x !== s);
    this.ranking.push(s);
  }

  /** Reboot (`hard`: peers see a reset) or shutdown (peers see a close): every connection dropped. */
  clear(hard: boolean): void {
    for (const s of this.byHandle.values()) (hard ? s.reset() : s.close());
    this.byHandle.clear();
    this.ranking = [];
    this.selected = undefined;
  }
}
