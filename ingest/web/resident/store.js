// What the page keeps on the phone (issue 13: no time-out loses a half-written entry): the draft, saved as it is typed,
// and the outbox of entries sent while offline (or refused for a while), each with the time it was written.
// localStorage holds strings only: a recording (at most about 330 kB as base64) is kept as base64.

const key = (token, what) => `earshot.${what}.${token.slice(0, 12)}`;

function read(k, fallback) {
  try {
    const v = localStorage.getItem(k);
    return v === null ? fallback : JSON.parse(v);
  } catch {
    return fallback;
  }
}

/** True when it was saved (a full phone refuses). */
function write(k, value) {
  try {
    if (value === null) localStorage.removeItem(k);
    else localStorage.setItem(k, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export function createStore(token) {
  return {
    draft: () => read(key(token, 'draft'), null),
    saveDraft: (d) => write(key(token, 'draft'), d),
    clearDraft: () => write(key(token, 'draft'), null),
    outbox: () => read(key(token, 'outbox'), []),
    saveOutbox: (list) => write(key(token, 'outbox'), list.length === 0 ? null : list),
  };
}

export function getLanguage() {
  try {
    const saved = localStorage.getItem('earshot.lang');
    if (saved === 'en' || saved === 'cy') return saved;
  } catch {
    // storage unavailable: fall through
  }
  return (navigator.language || '').toLowerCase().startsWith('cy') ? 'cy' : 'en';
}

export function setLanguage(lang) {
  try {
    localStorage.setItem('earshot.lang', lang);
  } catch {
    // the choice lasts for this visit only
  }
}
