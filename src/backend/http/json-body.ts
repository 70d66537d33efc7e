import type { Context } from 'hono';
import { apiError } from './errors.js';

export type JsonObjectResult = { ok: true; value: Record<string, unknown> } | { ok: false; response: Response };

/**
 * Reads the request body as one JSON object. The body size is already capped
 * by the bodyLimit middleware; this refuses another media type, malformed
 * JSON and anything but an object with a 4xx ApiErrorBody.
 */
export async function readJsonObject(c: Context): Promise<JsonObjectResult> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return {
      ok: false,
      response: apiError(c, 415, 'unsupported-media-type', 'Send the body as JSON with Content-Type: application/json.'),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(await c.req.text());
  } catch {
    return { ok: false, response: apiError(c, 400, 'invalid-json', 'The request body is not valid JSON; send a JSON object.') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, response: apiError(c, 400, 'invalid-request', 'The request body must be a JSON object.') };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Field messages for keys outside `allowed`; empty when there are none. */
export function unknownFields(value: Record<string, unknown>, allowed: readonly string[]): Record<string, string> {
  // A null prototype, so a field named "__proto__" is reported like any other.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fields[key] = `Unknown field "${key}"; remove it. Allowed fields: ${allowed.join(', ')}.`;
  }
  return fields;
}
