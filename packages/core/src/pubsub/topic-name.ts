/**
 * Topic names and patterns, MQTT style (MQTT 3.1.1 §4.7): levels separated by `/`; in a pattern `+`
 * matches exactly one level and `#` (last level only) the level it stands at and every level below it,
 * so `a/#` matches `a`, `a/b` and `a/b/c` (§4.7.1.2). A published topic holds no wildcard. Wildcards at
 * the first level do not match topics that start with `$` (§4.7.2), which stay for the system.
 */
import { invalidOption } from '../base/errors';

/** The longest topic or pattern accepted, in UTF-16 units (MQTT allows 65535 bytes; ours are smaller). */
export const MAX_TOPIC_LENGTH = 1024;

/** Checks a topic to publish on: a non-empty string, no `+`, `#` or NUL (MQTT §4.7.3). Returns it. */
export function checkTopic(name: string, topic: unknown): string {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH || /[+#\0]/.test(topic)) {
    throw invalidOption(name, `a topic name of 1 to ${MAX_TOPIC_LENGTH} characters without +, # or NUL (wildcards are for subscriptions)`, topic);
  }
  return topic;
}

/**
 * Checks a subscription pattern: a topic where whole levels may be `+`, and the last level may be `#`
 * (MQTT §4.7.1: `a/+/c`, `a/#`, `#`; not `a+`, `a/#/b`). Returns it.
 */
export function checkPattern(name: string, pattern: unknown): string {
  const allowed = `a topic pattern of 1 to ${MAX_TOPIC_LENGTH} characters: levels separated by /, a whole level may be + (one level) and the last one # (any levels below)`;
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_TOPIC_LENGTH || pattern.includes('\0')) throw invalidOption(name, allowed, pattern);
  if (!/[+#]/.test(pattern)) return pattern;
  const levels = pattern.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l === '+' || (l === '#' && i === levels.length - 1)) continue;
    if (/[+#]/.test(l)) throw invalidOption(name, allowed, pattern);
  }
  return pattern;
}

/** True when `pattern` (already checked) matches the topic `topic`. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === topic) return true;
  if (!/[+#]/.test(pattern)) return false;
  const p = pattern.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (p[0] === '+' || p[0] === '#')) return false;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  // `a/#` matches `a` too: handled above only when `#` is reached; here the lengths must agree.
  return p.length === t.length || (p.length === t.length + 1 && p[p.length - 1] === '#');
}
