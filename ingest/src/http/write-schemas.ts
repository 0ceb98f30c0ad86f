/** Request bodies of the officer's actions in the browser (issue 12), as zod schemas. */
import { z } from 'zod';
import { ContactMethod } from '../cases/contacts.ts';
import { AudioMode, EquipmentInput } from '../cases/deployment-input.ts';
import { Role } from '../users/user-input.ts';

const Instant = z.iso.datetime({ offset: true });
const Reason = z.string().trim().min(3).max(500);
const Account = z.string().trim().min(1).max(64);
const Category = z.enum(['high-risk', 'general']);

export const OpenCaseBody = z.strictObject({
  category: Category,
  address: z.string().trim().min(3).max(300),
  /** The assigned officer: an account's username, chosen from GET /api/officers. */
  officer: Account,
  complainant: z.strictObject({ name: z.string().trim().min(1).max(100), contact: z.string().trim().min(1).max(200) }).optional(),
});
export const CategoryBody = z.strictObject({ category: Category, reason: Reason });
export const OfficerBody = z.strictObject({ officer: Account, reason: Reason });
export const StatusBody = z.strictObject({ status: z.enum(['open', 'inactive', 'closed']), reason: Reason });
export const ContactBody = z.strictObject({ at: Instant.optional(), method: ContactMethod, summary: z.string().trim().min(3).max(4000) });
export const PlanBody = z.strictObject({ text: z.string().trim().min(3).max(4000) });
export const StartDeploymentBody = z.strictObject({
  deviceId: z.string().regex(/^[a-z0-9-]{3,64}$/),
  audioMode: AudioMode.default('on-event'),
  installedAt: Instant.optional(),
  equipment: EquipmentInput.optional(),
});
export const EndDeploymentBody = z.strictObject({ removedAt: Instant.optional() });
export const DeploymentParams = z.strictObject({ ref: z.string(), id: z.coerce.number().int().positive() });
export const DiaryBody = z.strictObject({
  startedAt: Instant,
  endedAt: Instant.optional(),
  heard: z.string().trim().min(1).max(4000),
  effect: z.string().trim().max(4000).optional(),
});
export const DiaryCorrectionBody = DiaryBody.extend({ reason: Reason });
export const DiaryParams = z.strictObject({ ref: z.string(), id: z.coerce.number().int().positive() });
/** A CSV file's text, up to the import's bound (cases/diary-import.ts). */
export const DiaryImportBody = z.strictObject({ csv: z.string().min(1).max(2_000_000) });
export const DashboardQuery = z.strictObject({ scope: z.enum(['mine', 'all']).optional() });

export const NewUserBody = z.strictObject({
  username: z.string(), displayName: z.string(), initials: z.string(), role: Role, password: z.string(),
});
export const UserParams = z.strictObject({ username: z.string().min(1).max(64) });
export const EnabledBody = z.strictObject({ enabled: z.boolean() });
export const PasswordBody = z.strictObject({ password: z.string().max(256) });
export const DeviceParams = z.strictObject({ id: z.string().min(1).max(64) });
export const NewDeviceBody = z.strictObject({ deviceId: z.string().min(1).max(64) });
