import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeInChromium, useDemoInChromium } from '../support/demo-in-chromium';

// The demo's file manager page (demo/www/files.html over @microwebsrv/mods-files at /fs/) as a person
// uses it in headless Chromium: list, upload with the progress bar, download, new folder, delete; writes
// need the demo's password (DEMO_PASSWORD here), reads are open. The data folder is a temp folder
// (DEMO_FILES_DIR), removed afterwards.
jest.setTimeout(60_000);

const DATA = mkdtempSync(path.join(os.tmpdir(), 'mws-demo-files-'));
afterAll(() => rmSync(DATA, { recursive: true, force: true }));

describeInChromium('the demo\'s file manager in headless Chromium', () => {
  const ctx = useDemoInChromium({ DEMO_FILES_DIR: DATA, DEMO_PASSWORD: 'test-pw' });

  test('GET /fs/ with Accept: application/json lists; PUT stores only with the credentials; DELETE removes', async () => {
    writeFileSync(path.join(DATA, 'seed.txt'), 'seed');
    const list = await fetch(`${ctx.base}/fs/`, { headers: { accept: 'application/json' } });
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ path: '/', list: [{ path: 'seed.txt', type: 'file', size: 4 }] });
    expect((await fetch(`${ctx.base}/fs/x.txt`, { method: 'PUT', body: 'x' })).status).toBe(401);
    const auth = { authorization: 'Basic ' + Buffer.from('admin:test-pw').toString('base64') };
    expect((await fetch(`${ctx.base}/fs/x.txt`, { method: 'PUT', body: 'x', headers: auth })).status).toBe(201);
    expect(readFileSync(path.join(DATA, 'x.txt'), 'utf8')).toBe('x');
    expect((await fetch(`${ctx.base}/fs/x.txt`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${ctx.base}/fs/x.txt`, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(`${ctx.base}/fs/seed.txt`, { method: 'DELETE', headers: auth })).status).toBe(204);
  });

  test('the page: upload with progress, download, new folder, delete; a wrong password stores nothing', async () => {
    const { page, problems } = await ctx.newPage();
    await page.goto(`${ctx.base}/files.html`);
    expect(await page.title()).toBe('File manager');
    await page.locator('#cwd', { hasText: '/' }).waitFor();

    // A wrong password: the server answers 403 (401 only without credentials: no browser dialog) and the
    // page says so; nothing is stored.
    await page.locator('#password').fill('wrong');
    await page.locator('#file').setInputFiles({ name: 'nope.txt', mimeType: 'text/plain', buffer: Buffer.from('nope') });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#status', { hasText: 'upload nope.txt: 403' }).waitFor();
    expect(existsSync(path.join(DATA, 'nope.txt'))).toBe(false);
    // The refused PUT is the only problem the browser saw (as a response and its console line).
    expect(problems.splice(0).every((p) => /403.*nope\.txt|nope\.txt.*403/.test(p))).toBe(true);

    // Upload 3 MiB: the bar moves to full, the listing shows it, the bytes on disk are the ones sent.
    await page.locator('#password').fill('test-pw');
    const data = Buffer.alloc(3 * 1024 * 1024, 'z');
    await page.locator('#file').setInputFiles({ name: 'big file.txt', mimeType: 'text/plain', buffer: data });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#status', { hasText: `stored big file.txt (${data.length} bytes)` }).waitFor();
    // The bar was moved by the upload's progress events (the page sets it nowhere else) up to full.
    expect(await page.evaluate<number>("document.getElementById('progress').value")).toBe(1);
    expect(Number(await page.locator('#progress').getAttribute('data-events'))).toBeGreaterThanOrEqual(1);
    expect(readFileSync(path.join(DATA, 'big file.txt')).equals(data)).toBe(true);
    const link = page.locator('#files a', { hasText: 'big file.txt' });
    await link.waitFor();

    // Download: the link's file, as the browser saves it.
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('big file.txt');
    const saved = await download.path();
    expect(readFileSync(saved!).equals(data)).toBe(true);

    // A new folder, then into it and back.
    await page.locator('#folder').fill('photos');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('#files a', { hasText: 'photos/' }).click();
    await page.locator('#cwd', { hasText: '/photos/' }).waitFor();
    expect(existsSync(path.join(DATA, 'photos'))).toBe(true);
    await page.locator('#files a', { hasText: '../' }).click();
    await page.locator('#cwd', { hasText: /^\/$/ }).waitFor();

    // Delete both.
    await page.getByRole('button', { name: 'Delete big file.txt' }).click();
    await page.locator('#status', { hasText: 'deleted big file.txt' }).waitFor();
    await page.getByRole('button', { name: 'Delete photos' }).click();
    await page.locator('#status', { hasText: 'deleted photos' }).waitFor();
    expect(existsSync(path.join(DATA, 'big file.txt'))).toBe(false);
    expect(existsSync(path.join(DATA, 'photos'))).toBe(false);
    await page.locator('#files a').first().waitFor({ state: 'detached' }); // the listing, reloaded, is empty
    expect(problems).toEqual([]);
  });
});
