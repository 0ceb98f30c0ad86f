/**
 * The bundle's low-frequency section from the database (issue 16): the events
 * of the low-frequency (bass) rule in the period, each with its 10–160 Hz band
 * levels and those of the quiet time before it (timeline/event-spectrum.ts, the
 * same figures the web view shows), and the settings' criterion curve. Only the
 * case's own deployments are read; a period without such an event has no
 * section.
 */
import type { Db } from '../db/open.ts';
import type { BundleEvent } from '../bundle/model.ts';
import { LF_BANDS, type LowFrequencyCriterionCurve, type LowFrequencySection } from '../bundle/low-frequency-model.ts';
import { bandIndex } from '../store/band-codec.ts';
import { createEventSpectrumReader } from '../timeline/event-spectrum.ts';
import type { TimelineEvent } from '../timeline/index.ts';
import { BACKGROUND_RULE, type Span } from '../timeline/quiet-before.ts';
import type { DeploymentSpan } from './spans.ts';

/** The rule type whose events get the section (firmware rules, shared Rule 'low-frequency'). */
export const LOW_FREQUENCY_RULE = 'low-frequency';

const LF_RANGE = [bandIndex(LF_BANDS[0]), bandIndex(LF_BANDS[LF_BANDS.length - 1]!)] as const;
const iso = (ms: number): string => new Date(ms).toISOString();

/** `events`: the case's events in the period as read (their rule types); `bundleEvents`: as the bundle states them (ends of open events). */
export function lowFrequencySection(
  db: Db,
  events: readonly TimelineEvent[],
  bundleEvents: readonly BundleEvent[],
  spans: readonly DeploymentSpan[],
  criterion: LowFrequencyCriterionCurve | null,
  nowMs: number,
): LowFrequencySection | undefined {
  const key = (device: string, id: string): string => `${device}\u0000${id}`;
  const bass = new Set(events.filter((e) => e.kind === 'event' && e.ruleType === LOW_FREQUENCY_RULE).map((e) => key(e.deviceId, e.eventId)));
  const chosen = bundleEvents.filter((e) => e.kind === 'event' && bass.has(key(e.deviceId, e.id)) && (e.state === 'ended' || e.state === 'ongoing'));
  if (chosen.length === 0) return undefined;
  const spectrum = createEventSpectrumReader(db);
  // The monitor's whole deployments for the case (a background may lie just before the period), never past the export.
  const available = (deviceId: string): Span[] => spans.filter((s) => s.deviceId === deviceId).map((s) => ({
    from: Date.parse(s.deployment.installedAt),
    to: Math.min(nowMs, s.deployment.removedAt === null ? nowMs : Date.parse(s.deployment.removedAt)),
  })).filter((s) => s.to > s.from).sort((a, b) => a.from - b.from);
  const busyOf = (deviceId: string, self: string): Span[] => bundleEvents
    .filter((e) => e.kind === 'event' && e.deviceId === deviceId && e.id !== self)
    .map((e) => ({ from: Date.parse(e.start), to: Date.parse(e.end) }));
  return {
    criterion,
    backgroundRule: BACKGROUND_RULE,
    events: chosen.map((e) => {
      const from = Date.parse(e.start);
      const to = Math.max(from, Date.parse(e.end));
      const s = spectrum({ deviceId: e.deviceId, from, to, available: available(e.deviceId), busy: busyOf(e.deviceId, e.id), bandRange: LF_RANGE });
      return {
        eventId: e.id,
        deviceId: e.deviceId,
        ruleId: e.ruleId,
        state: e.state as 'ended' | 'ongoing',
        start: e.start,
        end: e.end,
        seconds: s.event.seconds,
        levels: s.event.levels,
        background: { intervals: s.backgroundIntervals.map((i) => ({ from: iso(i.from), to: iso(i.to) })), seconds: s.background.seconds, levels: s.background.levels },
      };
    }),
  };
}
