// The thresholds form of the alerts panel: each field as the user types it (lag in MiB, times in
// seconds), checked here before anything is sent, with a message per field that is wrong.
import type { AlertThresholds } from '../../../electron/shared/types';

export type ThresholdKey = keyof AlertThresholds;
export type ThresholdFields = Record<ThresholdKey, string>;

const MIB = 1024 * 1024;

export const THRESHOLD_FIELDS: readonly { key: ThresholdKey; label: string; unit: string; title: string; max?: number }[] = [
  { key: 'lagBytes', label: 'Lag', unit: 'MiB', title: 'A replica more than this far behind its master' },
  { key: 'lagSeconds', label: 'Lag', unit: 's', title: 'A replica more than this many seconds behind its master' },
  { key: 'linkDownSeconds', label: 'Link down', unit: 's', title: "A replica's link to its master down this long" },
  { key: 'unreachableSeconds', label: 'Unreachable', unit: 's', title: 'A node not answering this long' },
  { key: 'staleSeconds', label: 'Stale', unit: 's', title: 'A reachable node not read this long' },
  { key: 'backlogShortSeconds', label: 'Backlog short', unit: 's', title: "A master's backlog covering fewer seconds of writes than this" },
  { key: 'forSeconds', label: 'For', unit: 's', title: 'A condition must hold this long before it fires (0: at once)', max: 3600 },
];

/** The form's text for the engine's thresholds (lag in MiB, the rest as they are). */
export function thresholdFields(t: AlertThresholds): ThresholdFields {
  const text = (n: number): string => String(Math.round(n * 100) / 100);
  return Object.fromEntries(THRESHOLD_FIELDS.map(({ key }) => [key, text(key === 'lagBytes' ? t[key] / MIB : t[key])])) as ThresholdFields;
}

export type ThresholdParse = { ok: true; change: Partial<AlertThresholds> } | { ok: false; errors: Partial<Record<ThresholdKey, string>> };

/**
 * What to send: only the fields edited (their text differs from what the form showed for
 * `current`) to a value that differs from it; or a message for each field that is not a valid
 * number. A field left as shown is never sent: the form rounds to two decimals, and sending that
 * back turned a lag of 5,000,000 B into 5,001,708 B when only "For" was changed.
 */
export function parseThresholds(fields: ThresholdFields, current: AlertThresholds): ThresholdParse {
  const errors: Partial<Record<ThresholdKey, string>> = {};
  const change: Partial<AlertThresholds> = {};
  const shown = thresholdFields(current);
  for (const { key, unit, max } of THRESHOLD_FIELDS) {
    const raw = fields[key].trim();
    if (raw === shown[key]) continue;
    const value = Number(raw);
    if (raw === '') errors[key] = 'Required';
    else if (!Number.isFinite(value)) errors[key] = 'Not a number';
    else if (value < 0) errors[key] = 'Must be 0 or more';
    else if (max !== undefined && value > max) errors[key] = `At most ${max} ${unit}`;
    else {
      const next = key === 'lagBytes' ? Math.round(value * MIB) : value;
      if (next !== current[key]) change[key] = next;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, change };
}
