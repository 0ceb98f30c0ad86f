/** What an admin gives to create an officer account (validated with zod). */
import { z } from 'zod';

export const Role = z.enum(['officer', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'a username: a-z 0-9 . _ - (2–64, starting with a letter or digit)');

export const NewUser = z.strictObject({
  username: Username,
  displayName: z.string().trim().min(1).max(100),
  /** Exhibit initials (the bundle's JS/1 numbering): 2–4 capital letters. */
  initials: z.string().regex(/^[A-Z]{2,4}$/, '2–4 capital letters, e.g. JS'),
  role: Role,
  /** NIST SP 800-63B §5.1.1.2 asks for at least 8 characters; 12 here, and up to 256 (so passphrases fit). */
  password: z.string().min(12).max(256),
});
export type NewUser = z.input<typeof NewUser>;

/** An account as the rest of the service sees it (never the hash). */
export interface User {
  readonly username: string;
  readonly displayName: string;
  readonly initials: string;
  readonly role: Role;
}
