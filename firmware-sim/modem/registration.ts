/**
 * LTE registration as seen through `AT+CFUN` and `AT+CEREG` (3GPP TS 27.007 §7.2/§8.2):
 * functional mode 0 at boot, stat 2 (searching) after `AT+CFUN=1`, then 1 (home) or 5
 * (roaming) after a delay, with `+CEREG` URCs when the subscriber asked for them.
 */

export type CeregStat = 0 | 1 | 2 | 3 | 4 | 5;

export interface RegistrationOptions {
  /** Time from `AT+CFUN=1` to registration. */
  delayMs: number;
  roaming: boolean;
  /** Extra time spent unregistered (fault `noRegistrationMs`), read when CFUN=1 arrives. */
  noRegistrationMs: () => number;
  /** Emits an unsolicited result line such as `+CEREG: 5`. */
  urc: (line: string) => void;
}

/** Fake cell identity reported with `AT+CEREG=2..5`. */
const TAC = '"0A1B"';
const CELL_ID = '"01A2B3C4"';
const ACT_LTE_M = 7;

export class Registration {
  cfun = 0;
  /** `+CEREG` URC mode set by `AT+CEREG=<n>`. */
  n = 0;
  stat: CeregStat = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: RegistrationOptions) {}

  get registered(): boolean {
    return this.stat === 1 || this.stat === 5;
  }

  setCfun(mode: number): boolean {
    if (mode === 1) {
      if (this.cfun === 1) return true;
      this.cfun = 1;
      this.setStat(2);
      const wait = this.opts.delayMs + Math.max(0, this.opts.noRegistrationMs());
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.setStat(this.opts.roaming ? 5 : 1);
      }, wait);
      return true;
    }
    if (mode === 0 || mode === 4) {
      this.cfun = mode;
      this.cancel();
      this.setStat(0);
      return true;
    }
    return false;
  }

  /** `+CEREG: ...` body for a read (`withN`) or a URC. */
  format(withN: boolean): string {
    const parts: (string | number)[] = withN ? [this.n, this.stat] : [this.stat];
    if (this.n >= 2 && this.registered) parts.push(TAC, CELL_ID, ACT_LTE_M);
    return `+CEREG: ${parts.join(',')}`;
  }

  /** Reboot or close: back to power-on state, no pending timers. */
  reset(): void {
    this.cancel();
    this.cfun = 0;
    this.n = 0;
    this.stat = 0;
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setStat(stat: CeregStat): void {
    if (stat === this.stat) return;
    this.stat = stat;
    // After the final result of the command that caused it, as the firmware's URC queue does.
    if (this.n > 0) {
      const line = this.format(false);
      queueMicrotask(() => this.opts.urc(line));
    }
  }
}
