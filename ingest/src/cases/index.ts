/** The cases area: what the service, the pipeline and the `earshot` command call. */
export { casesMigrations } from './migrations.ts';
export type { CasesContext, EvidenceAppender, EvidenceKind, EvidenceLeafInput } from './evidence-port.ts';
export { CASE_REF_PATTERN, CaseRef } from './reference.ts';
export { nextCaseRef } from './next-reference.ts';
export { openCase, categoriseCase, changeCaseStatus, closeCase, reopenCase } from './cases.ts';
export { listCases, showCase, type CaseDetail, type CaseHistoryEntry } from './case-queries.ts';
export type { CaseSummary } from './case-row.ts';
export { responseTarget, addWorkingDays, isWorkingDay, type CaseCategory, type ResponseTarget } from './response-target.ts';
export { startDeployment, endDeployment, listDeployments, type Deployment, type CalibrationCheck } from './deployments.ts';
export { CALIBRATOR_DB, AudioMode } from './deployment-input.ts';
export { createAttacher, type Attach, type Attachment, type UnassignedReason } from './attach.ts';
export { addDiaryEntry, listDiary, type DiaryEntry } from './diary.ts';
export { importDiaryCsv, DIARY_CSV_COLUMNS, type DiaryImportResult, type RowProblem, type SkippedRow } from './diary-import.ts';
export { annotate, type Annotation } from './annotations.ts';
export { commitContent, contentMatches } from './content.ts';
