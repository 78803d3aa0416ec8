import type { GbnfJsonSchema } from 'node-llama-cpp'
import { AppError } from '../../shared/result.js'

/**
 * Deepest nesting a client's schema may have. Grammars for deeper schemas grow without bound in rules
 * and sampling time; real tool and response schemas stay far below this.
 */
export const MAX_SCHEMA_DEPTH = 32

/** Largest number of schema nodes (properties, items, alternatives) one schema may have. */
export const MAX_SCHEMA_NODES = 5000

/** Types a JSON schema node may have. */
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'])
const FORMATS = new Set(['date-time', 'time', 'date'])

/** Any JSON value: node-llama-cpp reads a schema without a type as `null`, so "anything" is spelled out. */
const ANY: GbnfJsonSchema = {
  oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'object', additionalProperties: true }, { type: 'array' }],
}

type Node = Record<string, unknown>

/**
 * Turns a client's JSON schema (OpenAI `parameters`, `response_format.json_schema.schema`) into the
 * subset node-llama-cpp turns into a grammar, so that what the model generates always satisfies it:
 * local `$ref`s (`#/$defs/…`, `#/definitions/…`) are inlined, `anyOf` is `oneOf`, `allOf` of one schema
 * is that schema, every listed property is generated (what OpenAI's strict mode requires anyway) and an
 * object without `additionalProperties` gets no extra keys. Constraints a grammar does not express
 * (`pattern`, `minimum`, `multipleOf`…) are not enforced. Throws `BAD_REQUEST` with one sentence for a
 * schema that is invalid, recursive, too deep or too large; `where` names it in that sentence.
 */
export function toGrammarSchema(schema: unknown, where: string): GbnfJsonSchema {
  if (!isNode(schema)) throw bad(`${where} must be a JSON schema object.`)
  const defs = { ...asNode(schema.definitions), ...asNode(schema.$defs) }
  let nodes = 0
  const convert = (node: unknown, depth: number, refs: string[]): GbnfJsonSchema => {
    if (++nodes > MAX_SCHEMA_NODES) throw bad(`${where} has more than ${MAX_SCHEMA_NODES} parts.`)
    if (depth > MAX_SCHEMA_DEPTH) throw bad(`${where} is nested more than ${MAX_SCHEMA_DEPTH} levels deep.`)
    if (node === true) return ANY
    if (!isNode(node)) throw bad(`${where} contains a part that is not a schema object.`)
    const description = typeof node.description === 'string' ? { description: node.description } : {}
    if (typeof node.$ref === 'string') {
      const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(node.$ref)
      if (!match?.[1] || !(match[1] in defs)) throw bad(`${where} refers to ${node.$ref}, which it does not define.`)
      if (refs.includes(match[1])) throw bad(`${where} is recursive (${node.$ref} refers to itself); recursive schemas are not supported.`)
      return convert(defs[match[1]], depth + 1, [...refs, match[1]])
    }
    if ('const' in node) return { const: literal(node.const, where), ...description }
    if (Array.isArray(node.enum)) {
      if (node.enum.length === 0) throw bad(`${where} has an empty enum.`)
      return { enum: node.enum.map((value) => literal(value, where)), ...description }
    }
    const alternatives = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : null
    if (alternatives) {
      if (alternatives.length === 0) throw bad(`${where} has an empty anyOf/oneOf.`)
      return { oneOf: alternatives.map((alternative) => convert(alternative, depth + 1, refs)), ...description }
    }
    if (Array.isArray(node.allOf)) {
      if (node.allOf.length !== 1) throw bad(`${where} uses allOf with ${node.allOf.length} schemas; only one is supported.`)
      return convert(node.allOf[0], depth + 1, refs)
    }
    const types = typesOf(node, where)
    if (types.length === 0) return ANY
    if (types.length > 1) {
      const simple = types.filter((type) => type !== 'object' && type !== 'array')
      if (simple.length === types.length && !('format' in node) && !('minLength' in node) && !('maxLength' in node)) {
        return { type: simple as Array<'string' | 'number' | 'integer' | 'boolean' | 'null'>, ...description }
      }
      return { oneOf: types.map((type) => convert({ ...node, type }, depth + 1, refs)), ...description }
    }
    const type = types[0]!
    if (type === 'object') {
      const properties = asNode(node.properties)
      const additional = node.additionalProperties
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, convert(value, depth + 1, refs)])),
        // Absent means "allowed" in JSON Schema; generating none keeps the arguments valid and short, except
        // for a schema that names no properties at all (any object).
        additionalProperties:
          additional === undefined
            ? Object.keys(properties).length === 0
            : typeof additional === 'boolean'
              ? additional
              : convert(additional, depth + 1, refs),
        ...description,
      }
    }
    if (type === 'array') {
      const minItems = count(node.minItems)
      const maxItems = count(node.maxItems)
      return {
        type: 'array',
        ...(node.items !== undefined && node.items !== true ? { items: convert(node.items, depth + 1, refs) } : {}),
        ...(Array.isArray(node.prefixItems) ? { prefixItems: node.prefixItems.map((item) => convert(item, depth + 1, refs)) } : {}),
        ...(minItems !== undefined ? { minItems } : {}),
        ...(maxItems !== undefined ? { maxItems: Math.max(maxItems, minItems ?? 0) } : {}),
        ...description,
      }
    }
    if (type === 'string') {
      if (typeof node.format === 'string' && FORMATS.has(node.format)) {
        return { type: 'string', format: node.format as 'date-time' | 'time' | 'date', ...description }
      }
      const minLength = count(node.minLength)
      const maxLength = count(node.maxLength)
      return {
        type: 'string',
        ...(minLength !== undefined ? { minLength } : {}),
        ...(maxLength !== undefined ? { maxLength: Math.max(maxLength, minLength ?? 0) } : {}),
        ...description,
      }
    }
    return { type: type as 'number' | 'integer' | 'boolean' | 'null', ...description }
  }
  return convert(schema, 0, [])
}

function typesOf(node: Node, where: string): string[] {
  const declared = node.type
  const list = declared === undefined ? [] : Array.isArray(declared) ? declared : [declared]
  for (const type of list) {
    if (typeof type !== 'string' || !TYPES.has(type)) throw bad(`${where} has an unknown type ${JSON.stringify(type)}.`)
  }
  if (list.length > 0) return [...new Set(list as string[])]
  if (isNode(node.properties) || 'additionalProperties' in node) return ['object']
  if ('items' in node || 'prefixItems' in node) return ['array']
  return []
}

function literal(value: unknown, where: string): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  throw bad(`${where} has a const or enum value that is not a string, number, boolean or null.`)
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function asNode(value: unknown): Node {
  return isNode(value) ? value : {}
}

function bad(message: string): AppError {
  return new AppError('BAD_REQUEST', message)
}
