// Open a case: category, address, the complainant (kept confidential), the officer chosen from accounts.
import { api } from './api.js';
import { el } from './format.js';
import { formCard } from './ui.js';

export async function newCaseView(me) {
  const { officers } = await api('GET', '/api/officers');
  const options = officers.map((o) => [o.username, `${o.displayName} (${o.role})`]);
  const mine = options.findIndex(([u]) => u === me.username);
  if (mine > 0) options.unshift(...options.splice(mine, 1));
  return [
    el('p', {}, el('a', { href: '#/' }, '← Caseload')),
    el('h1', {}, 'Open a case'),
    formCard({
      title: 'Case details', id: 'open-case',
      fields: [
        { name: 'category', label: 'Category', type: 'select', required: true, options: [['general', 'General (first contact within 5 working days)'], ['high-risk', 'High-risk or serious (first contact within 24 hours)']] },
        { name: 'address', label: 'Address', type: 'textarea', rows: 2, required: true, minLength: 3, what: 'the address', autocomplete: 'street-address' },
        { name: 'officer', label: 'Assigned officer', type: 'select', required: true, options },
        { name: 'complainantName', label: 'Complainant’s name', hint: 'Kept confidential: shown only on request, and named in a bundle only when asked.' },
        { name: 'complainantContact', label: 'Complainant’s phone or email', check: () => null },
      ],
      submit: 'Open case',
      onSubmit: async (v) => {
        if ((v.complainantName === '') !== (v.complainantContact === '')) {
          throw Object.assign(new Error('complainant'), { userSentence: 'Please give both the complainant’s name and a way to reach them, or neither.' });
        }
        const r = await api('POST', '/api/cases', {
          category: v.category, address: v.address, officer: v.officer,
          ...(v.complainantName === '' ? {} : { complainant: { name: v.complainantName, contact: v.complainantContact } }),
        });
        location.hash = `#/case/${encodeURIComponent(r.ref)}`;
      },
    }),
  ];
}
