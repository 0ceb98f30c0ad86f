/**
 * The monitor's side of stored receipts (DESIGN §4): which receipts it may act
 * on. Pure apart from the signature check: the uplink feeds it each payload
 * from earshot/v1/<id>/receipt and drops journal entries only on 'advance'.
 * - forged: malformed, not signed by the server key, or naming another device;
 * - replayed: validly signed but with a lower `stored` than one already seen
 *   (an old receipt sent again);
 * - same: the receipt already seen (the retained copy at every reconnect);
 * - advance: a higher `stored` than any before: what it covers may go.
 */
import type { KeyObject } from 'node:crypto';
import { type ErrorInfo, openReceipt } from '@earshot/shared';

export type ReceiptVerdict = 'advance' | 'same' | 'replayed' | 'forged';

/** For the heartbeat (StatusBody.receipts). */
export interface ReceiptCounts {
  readonly stored: number | null;
  readonly forged: number;
  readonly replayed: number;
}

export class ReceiptCheck {
  private highest: number | null = null;
  private forged = 0;
  private replayed = 0;
  /** Why the last receipt ignored was ignored. */
  lastIgnored: ErrorInfo | null = null;

  constructor(private readonly serverKey: KeyObject, private readonly deviceId: string) {}

  /** Judges one receipt payload; on 'advance' and 'same', `stored` is what it covers. */
  check(payload: Buffer): ReceiptVerdict {
    const r = openReceipt(payload, this.serverKey, this.deviceId);
    if (!r.ok) {
      this.forged++;
      this.lastIgnored = r.error;
      return 'forged';
    }
    const n = r.receipt.stored;
    if (this.highest !== null && n < this.highest) {
      this.replayed++;
      this.lastIgnored = { code: 'EARSHOT_E_RECEIPT_REPLAYED', detail: `stored ${n} after ${this.highest}` };
      return 'replayed';
    }
    if (this.highest === n) return 'same';
    this.highest = n;
    return 'advance';
  }

  /** The highest seq a valid receipt has covered since start (null: none yet). */
  get stored(): number | null {
    return this.highest;
  }

  counts(): ReceiptCounts {
    return { stored: this.highest, forged: this.forged, replayed: this.replayed };
  }
}
