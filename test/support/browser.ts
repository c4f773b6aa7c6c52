// Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (never a downloaded browser). Persistent context in a throwaway profile folder, removed on close.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SG_CHROMIUM ?? '/usr/bin/chromium';

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run "sudo bash scripts/install-chromium.sh" (or set SG_CHROMIUM)`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'sg-chromium-'));
  let context: BrowserContext;
  try {
    // Plain launch() refuses --user-data-dir, hence the persistent context.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      chromiumSandbox: false,
      viewport: options.viewport ?? { width: 1366, height: 768 },
      args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-sandbox'],
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | null = null;
  return {
    context,
    close() {
      closed ??= (async () => {
        await context.close().catch(() => {});
        await rm(profile, { recursive: true, force: true, maxRetries: 3 });
      })();
      return closed;
    },
  };
}
