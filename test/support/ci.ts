/**
 * CI says so (any value but empty, "0" or "false"): a missing tool (Chromium, openssl) is then a failure,
 * not a skip — CI must not go green by testing nothing; elsewhere such suites skip with a warning.
 */
export const isCI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
