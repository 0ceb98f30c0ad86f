/** Codes of cases, deployments, diary entries, attachment and retention. */
import type { ErrorSpec } from '../error-spec.ts';

export const casesErrors = {
  EARSHOT_E_CASE_REF_INVALID: { message: 'invalid case reference: %s', http: 400, exit: 2 },
  EARSHOT_E_CASE_INPUT_INVALID: { message: 'invalid case details: %s', http: 400, exit: 2 },
  EARSHOT_E_CASE_NOT_FOUND: { message: 'no such case: %s', http: 404, exit: 2 },
  EARSHOT_E_CASE_EXISTS: { message: 'case already exists: %s', http: 409, exit: 2 },
  EARSHOT_E_CASE_OFFICER_UNKNOWN: { message: 'the assigned officer must be the username of an enabled officer or supervisor account (see earshot user list): %s', http: 400, exit: 2 },
  EARSHOT_E_CASE_STATUS: { message: 'not allowed in the case status: %s', http: 409, exit: 2 },
  EARSHOT_E_CASE_DEVICE_DEPLOYED: { message: 'a device is still deployed on the case: %s', http: 409, exit: 2 },
  EARSHOT_E_DEPLOYMENT_INVALID: { message: 'invalid deployment: %s', http: 400, exit: 2 },
  EARSHOT_E_DEPLOYMENT_NOT_FOUND: { message: 'no such deployment: %s', http: 404, exit: 2 },
  EARSHOT_E_DEPLOYMENT_OVERLAP: { message: 'device already deployed in that period: %s', http: 409, exit: 2 },
  EARSHOT_E_DIARY_INVALID: { message: 'invalid diary entry: %s', http: 400, exit: 2 },
  EARSHOT_E_DIARY_CSV_INVALID: { message: 'diary CSV not imported: %s', http: 400, exit: 2 },
  EARSHOT_E_ANNOTATION_INVALID: { message: 'invalid annotation: %s', http: 400, exit: 2 },
} as const satisfies Record<string, ErrorSpec>;
