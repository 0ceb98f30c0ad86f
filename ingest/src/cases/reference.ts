/** Case references, e.g. ASB-2026-0001: a prefix of 2–8 capitals, the year, a serial. */
import { z } from 'zod';

export const CASE_REF_PATTERN = /^[A-Z]{2,8}-\d{4}-\d{4,6}$/;

export const CaseRef = z.string().regex(CASE_REF_PATTERN, 'a case reference such as ASB-2026-0001');
