/** Codes of the court bundle (DESIGN §6): its export and `earshot verify BUNDLE.zip`. */
import type { ErrorSpec } from '../error-spec.ts';

export const bundleErrors = {
  EARSHOT_E_BUNDLE_MODEL_INVALID: { message: 'court bundle data invalid: %s', http: 500, exit: 2 },
  EARSHOT_E_BUNDLE_PERIOD_INVALID: { message: 'court bundle period invalid: %s', http: 400, exit: 2 },
  EARSHOT_E_BUNDLE_INITIALS_INVALID: { message: 'exhibit initials invalid (2–4 capital letters, e.g. JS): %s', http: 400, exit: 2 },
  EARSHOT_E_BUNDLE_CLIP_UNREADABLE: { message: 'clip file for the bundle cannot be read: %s', http: 500, exit: 2 },
  EARSHOT_E_BUNDLE_CLIP_HASH_MISMATCH: { message: 'stored clip does not match its recorded SHA-256, bundle not written: %s', http: 500, exit: 1 },
  EARSHOT_E_BUNDLE_WRITE_FAILED: { message: 'court bundle could not be written: %s', http: 500, exit: 2 },
  EARSHOT_E_BUNDLE_NOT_ZIP: { message: 'not a readable ZIP court bundle: %s', http: 400, exit: 2 },
  EARSHOT_E_BUNDLE_TOO_LARGE: { message: 'ZIP holds more than a court bundle can, not read further: %s', http: 400, exit: 2 },
  EARSHOT_E_BUNDLE_MANIFEST_MALFORMED: { message: 'MANIFEST.sha256 missing or malformed: %s', http: 400, exit: 1 },
  EARSHOT_E_BUNDLE_FILE_MISSING: { message: 'file listed in MANIFEST.sha256 is missing from the bundle: %s', http: 400, exit: 1 },
  EARSHOT_E_BUNDLE_FILE_HASH_MISMATCH: { message: 'bundle file does not match its SHA-256 in MANIFEST.sha256: %s', http: 400, exit: 1 },
  EARSHOT_E_BUNDLE_FILE_UNLISTED: { message: 'bundle holds a file not listed in MANIFEST.sha256: %s', http: 400, exit: 1 },
  EARSHOT_E_BUNDLE_EXHIBIT_UNPROVED: { message: 'exhibit is not the clip a proved evidence-log record names: %s', http: 400, exit: 1 },
} as const satisfies Record<string, ErrorSpec>;
