// Errors as a person reads them: a sentence, with the stable code in small print (docs/errors.md).
import { ApiError } from './api.js';
import { el } from './format.js';

const SENTENCES = {
  EARSHOT_E_HTTP_LOGIN_FAILED: 'The username or password is not right. Please try again.',
  EARSHOT_E_HTTP_LOGIN_LOCKED: 'There have been too many failed attempts for this account. Please wait 15 minutes, then try again.',
  EARSHOT_E_HTTP_LOGIN_BUSY: 'The service is busy. Please try again in a few seconds.',
  EARSHOT_E_HTTP_UNAUTHENTICATED: 'Your session has ended. Please log in again.',
  EARSHOT_E_HTTP_FORBIDDEN: 'Your account is not allowed to do this.',
  EARSHOT_E_HTTP_NOT_FOUND: 'That page or record could not be found.',
  EARSHOT_E_HTTP_BAD_REQUEST: 'Some of the details are missing or not in the expected form. Please check them and try again.',
  EARSHOT_E_HTTP_PERIOD_INVALID: 'That period cannot be shown. Choose a start before the end, within a few weeks.',
  EARSHOT_E_CASE_NOT_FOUND: 'That case could not be found.',
  EARSHOT_E_CASE_STATUS: 'This cannot be done while the case has its current status. A closed case must be reopened first.',
  EARSHOT_E_CASE_DEVICE_DEPLOYED: 'A monitor is still deployed on this case. End the deployment first.',
  EARSHOT_E_CASE_INPUT_INVALID: 'Some of the details are not valid. Please check them and try again.',
  EARSHOT_E_DEPLOYMENT_OVERLAP: 'That monitor is already deployed. Please pick a free monitor.',
  EARSHOT_E_DEPLOYMENT_INVALID: 'The deployment details are not valid. Please check the times and try again.',
  EARSHOT_E_DEPLOYMENT_NOT_FOUND: 'That deployment could not be found on this case.',
  EARSHOT_E_DIARY_INVALID: 'The diary entry is not valid. Please check the times and what was heard.',
  EARSHOT_E_DIARY_CSV_INVALID: 'The file was not imported, and nothing was added. Please correct the lines below and import it again.',
  EARSHOT_E_USER_EXISTS: 'An account with that username already exists.',
  EARSHOT_E_USER_INVALID: 'The account details are not valid. Please check them and try again.',
  EARSHOT_E_USER_NOT_FOUND: 'That account could not be found.',
  EARSHOT_E_DEVICE_EXISTS: 'A monitor with that id is already registered.',
  EARSHOT_E_DEVICE_ID_INVALID: 'A monitor id uses lower-case letters, digits and dashes, 3 to 64 characters.',
  EARSHOT_E_DEVICE_UNKNOWN: 'That monitor is not registered.',
  EARSHOT_E_DEVICE_DISABLED: 'That monitor is disabled. An administrator can enable it.',
  EARSHOT_E_INTERNAL: 'Something went wrong on the server. Please try again; if it keeps happening, tell your administrator.',
};

/** The sentence for an error, and its code (null for errors that are not the API's). */
export function explain(e) {
  if (typeof e?.userSentence === 'string') return { sentence: e.userSentence, code: null, detail: null };
  if (e instanceof ApiError) return { sentence: SENTENCES[e.code] ?? 'The request could not be completed. Please try again.', code: e.code, detail: e.message };
  if (e instanceof TypeError) return { sentence: 'The service could not be reached. Please check your connection and try again.', code: null, detail: null };
  return { sentence: 'Something went wrong. Please reload the page and try again.', code: null, detail: null };
}

/** Fills an alert paragraph: the sentence, then the code in small print; `extra` for lines to add (CSV problems). */
export function showError(box, e, extra) {
  const x = explain(e);
  const children = [x.sentence];
  if (extra !== undefined) children.push(extra);
  if (x.code !== null) children.push(el('small', {}, `Code ${x.code}`));
  box.replaceChildren(...children);
  box.hidden = false;
}
