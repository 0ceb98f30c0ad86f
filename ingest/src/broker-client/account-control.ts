/**
 * mosquitto's dynamic-security control topic, as a request and its answer
 * (mosquitto.org/documentation/dynamic-security, "Usage"): a message
 * `{"commands":[…]}` on $CONTROL/dynamic-security/v1, answered on
 * $CONTROL/dynamic-security/v1/response with `{"responses":[{"command","error"?,
 * "correlationData"?}]}` in the same order. Every client allowed there sees
 * every answer, so each command carries correlationData naming this channel and
 * the request; answers to others are ignored. Works on any mqtt.js client that
 * emits 'message' for the response topic (the consumer's connection or a
 * short-lived one from the CLI).
 */
import { randomBytes } from 'node:crypto';
import { EarshotError } from '@earshot/shared';
import type { MqttClient } from 'mqtt';
import { z } from 'zod';
import { DYNSEC_CONTROL } from '../broker-config/mosquitto.ts';

export const DYNSEC_RESPONSE = `${DYNSEC_CONTROL}/response`;
/** A broker answers in milliseconds; the device change must be in force within 5 s (DESIGN §8). */
export const CONTROL_TIMEOUT_MS = 5_000;

export interface DynsecCommand {
  readonly command: string;
  readonly [field: string]: unknown;
}

export interface DynsecAnswer {
  readonly command: string;
  readonly error?: string;
}

const Responses = z.object({
  responses: z.array(z.object({ command: z.string(), error: z.string().optional(), correlationData: z.string().optional() })),
});

interface Pending {
  readonly n: number;
  readonly answers: (DynsecAnswer | undefined)[];
  readonly resolve: (answers: DynsecAnswer[]) => void;
  readonly timer: NodeJS.Timeout;
}

export class AccountControl {
  private readonly channel = randomBytes(6).toString('hex');
  private next = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly client: MqttClient, private readonly timeoutMs = CONTROL_TIMEOUT_MS) {
    client.on('message', (topic, payload) => {
      if (topic === DYNSEC_RESPONSE) this.answer(payload);
    });
  }

  /** The response topic, at QoS 1; again after a session the broker did not keep. */
  async subscribe(): Promise<void> {
    const granted = await this.client.subscribeAsync(DYNSEC_RESPONSE, { qos: 1 });
    if (granted[0]?.qos === 128) throw new EarshotError('EARSHOT_E_BROKER_REFUSED', `subscribe ${DYNSEC_RESPONSE}: the account may not manage device accounts`);
  }

  /** Sends the commands as one request; the broker's answer to each, in order. */
  run(commands: readonly DynsecCommand[]): Promise<DynsecAnswer[]> {
    const id = `${this.channel}.${this.next++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EarshotError('EARSHOT_E_BROKER_UNREACHABLE', `no answer on ${DYNSEC_RESPONSE} within ${this.timeoutMs} ms (is mosquitto's dynamic-security plugin loaded?)`));
      }, this.timeoutMs);
      this.pending.set(id, { n: commands.length, answers: [], resolve, timer });
      const body = { commands: commands.map((c, i) => ({ ...c, correlationData: `${id}.${i}` })) };
      this.client.publish(DYNSEC_CONTROL, JSON.stringify(body), { qos: 1 }, (err) => {
        if (err === undefined || err === null) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new EarshotError('EARSHOT_E_BROKER_UNREACHABLE', `${DYNSEC_CONTROL}: ${err.message}`));
      });
    });
  }

  private answer(payload: Buffer): void {
    let parsed: z.output<typeof Responses>;
    try {
      parsed = Responses.parse(JSON.parse(payload.toString('utf8')));
    } catch {
      return; // not an answer this channel can read
    }
    for (const r of parsed.responses) {
      const c = r.correlationData;
      const dot = c?.lastIndexOf('.') ?? -1;
      if (c === undefined || dot < 0) continue;
      const p = this.pending.get(c.slice(0, dot));
      const i = Number(c.slice(dot + 1));
      if (p === undefined || !Number.isInteger(i) || i < 0 || i >= p.n) continue;
      p.answers[i] = r.error === undefined ? { command: r.command } : { command: r.command, error: r.error };
      if (p.answers.filter((a) => a !== undefined).length === p.n) {
        clearTimeout(p.timer);
        this.pending.delete(c.slice(0, dot));
        p.resolve(p.answers as DynsecAnswer[]);
      }
    }
  }

  /** Ends every request still waiting. */
  close(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve(p.answers.map((a, i) => a ?? { command: `#${i}`, error: 'channel closed before the broker answered' }));
    }
  }
}
