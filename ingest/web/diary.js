// The diary on the case page: entries with who recorded each, add, correct (the old stays, shown as
// corrected) and import a CSV file.
import { api, ApiError } from './api.js';
import { el, fmtTime, optionalInstant, toLocalInput } from './format.js';
import { formCard } from './ui.js';

const SOURCE = { manual: 'entered by an officer', csv: 'imported from a file', resident: 'entered by the resident' };

function entryItem(d, c, refresh) {
  const text = d.heard ?? null;
  const body = el('div', { class: d.correctedBy === null ? '' : 'corrected' }, text ?? el('em', {}, 'text removed under the retention policy'), d.effect ? ` — ${d.effect}` : '');
  const meta = el('p', { class: 'hint' }, `Recorded by ${d.recordedBy ?? (d.source === 'manual' ? 'an officer' : 'the complainant')} (${SOURCE[d.source] ?? d.source})${d.createdAt ? `, ${fmtTime(d.createdAt)}` : ''}.`,
    d.corrects === null ? '' : ` Corrects entry ${d.corrects}.`);
  const li = el('li', { id: `diary-${d.id}` }, el('strong', {}, `${fmtTime(d.startedAt)}${d.endedAt ? ` to ${fmtTime(d.endedAt)}` : ''}`), body, meta);
  if (d.correctedBy !== null) {
    li.append(el('p', { class: 'hint' }, el('strong', {}, 'Corrected'), ` by ${d.correctedBy.byName} on ${fmtTime(d.correctedBy.at)}: ${d.correctedBy.reason} (see entry ${d.correctedBy.replacementId}).`));
  } else if (c.status !== 'closed' && text !== null) {
    li.append(formCard({
      title: `Correct this entry`, id: `correct-${d.id}`, collapsed: true,
      intro: 'The entry stays on the record, marked as corrected; the correction is a new entry.',
      fields: [
        { name: 'startedAt', label: 'Started (your local time)', type: 'datetime-local', required: true, value: toLocalInput(d.startedAt), what: 'when it started' },
        { name: 'endedAt', label: 'Ended (your local time)', type: 'datetime-local', value: d.endedAt ? toLocalInput(d.endedAt) : '' },
        { name: 'heard', label: 'What was heard', type: 'textarea', required: true, value: text },
        { name: 'effect', label: 'How it affected them', type: 'textarea', value: d.effect ?? '' },
        { name: 'reason', label: 'Reason for the correction', type: 'textarea', required: true, minLength: 3, rows: 2, what: 'the reason' },
      ],
      submit: 'Save correction',
      onSubmit: async (v) => {
        await api('POST', `/api/cases/${encodeURIComponent(c.ref)}/diary/${d.id}/correction`, {
          startedAt: optionalInstant(v.startedAt), ...(v.endedAt === '' ? {} : { endedAt: optionalInstant(v.endedAt) }), heard: v.heard, ...(v.effect === '' ? {} : { effect: v.effect }), reason: v.reason,
        });
        await refresh('Correction saved. The old entry stays, marked as corrected.');
      },
    }));
  }
  return li;
}

export function diarySection(c, refresh) {
  const ref = encodeURIComponent(c.ref);
  const list = c.diary.length === 0 ? el('p', { class: 'muted' }, 'No diary entries yet.') : el('ul', { class: 'list', id: 'diary' }, c.diary.map((d) => entryItem(d, c, refresh)));
  const forms = [];
  if (c.status !== 'closed') {
    forms.push(formCard({
      title: 'Add a diary entry', id: 'diary-form', collapsed: true,
      intro: 'For an entry the complainant gives you, for example by phone. You are recorded as its author.',
      fields: [
        { name: 'startedAt', label: 'Started (your local time)', type: 'datetime-local', required: true, what: 'when it started' },
        { name: 'endedAt', label: 'Ended (your local time)', type: 'datetime-local' },
        { name: 'heard', label: 'What was heard', type: 'textarea', required: true, what: 'what was heard' },
        { name: 'effect', label: 'How it affected them', type: 'textarea' },
      ],
      submit: 'Add entry',
      onSubmit: async (v) => {
        await api('POST', `/api/cases/${ref}/diary`, { startedAt: optionalInstant(v.startedAt), ...(v.endedAt === '' ? {} : { endedAt: optionalInstant(v.endedAt) }), heard: v.heard, ...(v.effect === '' ? {} : { effect: v.effect }) });
        await refresh('Diary entry added.');
      },
    }));
    forms.push(formCard({
      title: 'Import a diary file (CSV)', id: 'diary-import', collapsed: true,
      intro: 'Columns: started_at, ended_at, heard, effect, recorded_by; UK local times such as 2026-11-20 23:40. All rows or none: a file with a bad line imports nothing. Rows already on the case are skipped.',
      fields: [{ name: 'file', label: 'CSV file', type: 'file', accept: '.csv,text/csv', required: true, what: 'a CSV file' }],
      submit: 'Import',
      onSubmit: async (v) => {
        const csv = await v.file.text();
        try {
          const r = await api('POST', `/api/cases/${ref}/diary/import`, { csv });
          await refresh(`${r.imported} entr${r.imported === 1 ? 'y' : 'ies'} imported${r.skipped > 0 ? `, ${r.skipped} already on the case skipped` : ''}.`);
        } catch (e) {
          if (e instanceof ApiError && e.code === 'EARSHOT_E_DIARY_CSV_INVALID') {
            const lines = e.message.replace(/^diary CSV not imported: /, '').split('; ');
            e.extra = el('ul', {}, lines.map((l) => el('li', {}, l.replace(/^line (\d+):/, 'Line $1:'))));
          }
          throw e;
        }
      },
    }));
  }
  return el('section', { 'aria-labelledby': 'diary-title' }, el('h2', { id: 'diary-title' }, 'Diary'), el('div', { class: 'card' }, list), el('div', { class: 'grid' }, forms));
}
