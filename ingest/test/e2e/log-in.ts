/** The officer's login form, filled as a person does, in the browser tests (the http fixture's accounts share PASSWORD). */
import type { Page } from 'playwright-core';
import { PASSWORD } from '../http/fixture.ts';

export async function logIn(page: Page, base: string, username = 'jsmith'): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}
