import { z } from 'zod';

/** One response the tests saw, to check against the OpenAPI document. */
export interface SeenResponse {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
}

type Json = Record<string, unknown>;

interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  readonly components?: { schemas?: Record<string, Json> };
}

/** The document's path template that an actual path falls under (literal segments win). */
export function templateOf(doc: OpenApiDocument, path: string): string | undefined {
  const bare = path.split('?')[0] ?? '';
  if (doc.paths[bare] !== undefined) return bare;
  return Object.keys(doc.paths).find((template) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(bare);
  });
}

/**
 * Inlines `$ref`s and closes objects that list their properties (no undocumented field passes),
 * dropping OpenAPI-only keywords, so zod can read the schema as plain JSON Schema.
 */
function resolve(schema: unknown, doc: OpenApiDocument, depth = 0): unknown {
  if (depth > 40) throw new Error('schema too deep (a reference cycle?)');
  if (Array.isArray(schema)) return schema.map((item) => resolve(item, doc, depth + 1));
  if (schema === null || typeof schema !== 'object') return schema;
  const object = schema as Json;
  if (typeof object.$ref === 'string') {
    const name = object.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (target === undefined) throw new Error(`dangling $ref ${object.$ref}`);
    return resolve(target, doc, depth + 1);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'discriminator' || key === 'example' || key === 'examples') continue;
    out[key] = resolve(value, doc, depth + 1);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** What is wrong with one response against the document, or undefined when it matches. */
export function checkResponse(doc: OpenApiDocument, seen: SeenResponse): string | undefined {
  const where = `${seen.method} ${seen.path} → ${seen.status}`;
  const template = templateOf(doc, seen.path);
  if (template === undefined) return `${where}: path not in the document`;
  const operation = doc.paths[template]?.[seen.method.toLowerCase()];
  if (operation === undefined) return `${where}: method not documented for ${template}`;
  const response = operation.responses[String(seen.status)];
  if (response === undefined) return `${where}: status not documented`;
  const content = response.content as Record<string, { schema: unknown }> | undefined;
  if (seen.status === 204 || seen.status === 304) {
    return content === undefined ? undefined : `${where}: documents a body it never has`;
  }
  const media = content?.[seen.contentType];
  if (media === undefined) return `${where}: ${seen.contentType} not documented`;
  const schema = z.fromJSONSchema(resolve(media.schema, doc) as never);
  const parsed = schema.safeParse(seen.body);
  if (parsed.success) return undefined;
  return `${where}: ${JSON.stringify(parsed.error.issues.slice(0, 3))}`;
}
