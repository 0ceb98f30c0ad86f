/** What officers give when they open or change a case (validated with zod). */
import { z } from 'zod';
import { CaseRef } from './reference.ts';

/** A person's name or staff id as shown in records. */
export const PersonName = z.string().trim().min(1).max(100);

export const CaseCategory = z.enum(['high-risk', 'general']);
export const CaseStatus = z.enum(['open', 'inactive', 'closed']);
export type CaseStatus = z.infer<typeof CaseStatus>;

/** Kept minimal (UK GDPR Art. 5(1)(c), data minimisation): a name and one way to reach them. */
export const Complainant = z.object({
  name: PersonName,
  contact: z.string().trim().min(1).max(200),
});
export type Complainant = z.infer<typeof Complainant>;

export const OpenCaseInput = z.object({
  ref: CaseRef,
  category: CaseCategory,
  officer: PersonName,
  address: z.string().trim().min(3).max(300),
  complainant: Complainant.optional(),
});
export type OpenCaseInput = z.input<typeof OpenCaseInput>;

export const Reason = z.string().trim().min(3).max(500);

export const CategoriseInput = z.object({
  ref: CaseRef,
  category: CaseCategory,
  reason: Reason,
  by: PersonName,
});
export type CategoriseInput = z.input<typeof CategoriseInput>;

export const StatusChangeInput = z.object({
  ref: CaseRef,
  status: CaseStatus,
  reason: Reason,
  by: PersonName,
});
export type StatusChangeInput = z.input<typeof StatusChangeInput>;

export const ReassignInput = z.object({
  ref: CaseRef,
  /** The account (username) the case is now assigned to (issue 11 item 8: by account, not by name). */
  officer: z.string().trim().min(1).max(100),
  reason: Reason,
  by: PersonName,
});
export type ReassignInput = z.input<typeof ReassignInput>;

export const ListCasesFilter = z.object({
  status: CaseStatus.optional(),
  officer: PersonName.optional(),
});
export type ListCasesFilter = z.input<typeof ListCasesFilter>;
