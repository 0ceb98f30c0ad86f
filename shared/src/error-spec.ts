/** The shape of one entry in the error registry (errors.ts). */
export interface ErrorSpec {
  /** Message shown to the user; `%s` is replaced by the detail. */
  readonly message: string;
  /** HTTP status when the error crosses the API. */
  readonly http: number;
  /** CLI exit code: 1 the thing checked failed, 2 bad usage or bad input (DESIGN §1). */
  readonly exit: 1 | 2;
}
