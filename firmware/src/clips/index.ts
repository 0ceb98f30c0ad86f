export { ClipRecorder, defaultClipId, type ClipRecorderOptions, type TriggerResult } from './recorder.ts';
export { ClipPlan, type AudioMode, type ClipTiming, type TriggerDecision, type TriggerReason } from './clip-plan.ts';
export { PreTriggerBuffer } from './ring-buffer.ts';
export { clipFormatOf } from './clip-format.ts';
export { writeClipFile, clipManifest, manifestPathOf, writeManifestFile, type WrittenClip } from './clip-writer.ts';
export { findOrphanClips, type OrphanClip } from './recover.ts';
