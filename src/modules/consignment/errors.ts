import { HttpProblem } from '../../platform/http/problem.ts';

/** Every refusal of the consignment module, by code, with the one HTTP status each maps to. */
const PROBLEMS = {
  consignor_not_found: [404, 'Consignor not found'],
  batch_not_found: [404, 'Batch not found'],
  batch_closed: [409, 'Batch closed'],
  batch_empty: [422, 'Batch empty'],
  consignor_inactive: [409, 'Consignor inactive'],
  tax_id_absent: [404, 'No tax identifier'],
  agreement_version_unknown: [422, 'Unknown agreement version'],
  email_taken: [409, 'E-mail taken'],
  unknown_category: [422, 'Unknown category'],
} as const;

export type ConsignmentErrorCode = keyof typeof PROBLEMS;

/** A domain error of consignment: its `code` is in the problem body, so clients branch on it, not on text. */
export class ConsignmentError extends HttpProblem {
  readonly code: ConsignmentErrorCode;

  constructor(code: ConsignmentErrorCode, detail: string) {
    const [status, title] = PROBLEMS[code];
    super(status, title, detail, { extensions: { code } });
    this.name = 'ConsignmentError';
    this.code = code;
  }
}
