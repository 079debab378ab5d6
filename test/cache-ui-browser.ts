// Headless Chromium for the /cache/ui suite: Debian's `chromium` package driven by playwright-core
// (no browser download). A missing browser fails the suite with a message saying how to install
// it, never skips it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh browser profile in a temp folder, removed on close. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the /cache/ui browser tests need it. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (bash .ci/run does this when missing).',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'cache-ui-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** What a page did that the suite checks after each test: every URL it requested, every dialog. */
export interface WatchedPage {
  page: Page;
  requests: string[];
  dialogs: string[];
}

export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const watched: WatchedPage = { page, requests: [], dialogs: [] };
  page.on('request', (request) => watched.requests.push(request.url()));
  page.on('dialog', (dialog) => {
    watched.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return watched;
}

/** URLs the page requested anywhere but the API on 127.0.0.1 (data: URLs never leave the page). */
export function outsideRequests(requests: readonly string[]): string[] {
  return requests.filter((url) => !url.startsWith('data:') && new URL(url).hostname !== '127.0.0.1');
}
