// Types for chromium-launch.js, so the TypeScript tests can import the plain-JS module type-checked.
export declare const LAUNCH_ARGS: readonly string[];
export declare const INSTALL_HINT: string;
export declare function findChromium(): string | null;
export declare function launchOptions(executablePath: string): { executablePath: string; headless: true; args: string[] };
// playwright-core's module (resolved from test/; the tests import 'playwright-core' directly instead).
export declare function loadPlaywright(): unknown;
