import { isJsonObject, type JsonObject } from '../jsonrpc.js';
import type { Encoder } from './encoder.js';

/** Where a content block sits: tool results and prompt messages allow more types than sampling. */
export type ContentPlace = 'result' | 'sampling';

function encodeAnnotations(annotations: JsonObject, enc: Encoder): JsonObject {
  if (!('lastModified' in annotations) || enc.features.annotationsLastModified) return annotations;
  const { lastModified: _dropped, ...rest } = annotations;
  enc.dropped('annotations.lastModified');
  return rest;
}

/** `block` with its annotations encoded, and without them when nothing is left. */
export function withAnnotations(block: JsonObject, enc: Encoder): JsonObject {
  if (!isJsonObject(block.annotations)) return block;
  const annotations = encodeAnnotations(block.annotations, enc);
  if (annotations === block.annotations) return block;
  if (Object.keys(annotations).length > 0) return { ...block, annotations };
  const { annotations: _empty, ...rest } = block;
  return rest;
}

/** A text block replacing `from`, keeping its annotations as the target defines them. */
function text(value: string, enc: Encoder, from?: JsonObject): JsonObject {
  const block: JsonObject = { type: 'text', text: value };
  if (isJsonObject(from?.annotations)) block.annotations = from.annotations;
  return withAnnotations(block, enc);
}

/** A `resource_link` as one line of text a model can act on: title, URI, type and description. */
function linkText(link: JsonObject): string {
  const name = typeof link.title === 'string' ? link.title : String(link.name ?? link.uri);
  const details = [link.uri, link.mimeType].filter((v) => typeof v === 'string').join(', ');
  const description = typeof link.description === 'string' ? `: ${link.description}` : '';
  return `Resource link: ${name} (${details})${description}`;
}

/**
 * One content block in the target revision (docs/protocol-versions.md, "What each direction
 * converts or drops"): `audio` becomes an embedded resource with the same bytes where the revision
 * has no audio (a text placeholder in sampling, which allows no resources), a `resource_link`
 * becomes a line of text naming the link, tool-use blocks become text; fields the revision lacks
 * are removed. Every change is reported.
 */
export function encodeContent(block: JsonObject, enc: Encoder, place: ContentPlace): JsonObject {
  const { features } = enc;
  switch (block.type) {
    case 'audio':
      if (features.audioContent) break;
      if (place === 'sampling') {
        enc.dropped('content.audio');
        return text(`[audio (${String(block.mimeType)}) not supported by this client]`, enc, block);
      }
      enc.converted('content.audio');
      return {
        type: 'resource',
        resource: {
          uri: `switchyard:audio/${enc.nextId()}`,
          mimeType: block.mimeType ?? 'application/octet-stream',
          blob: block.data ?? '',
        },
        ...(isJsonObject(block.annotations) ? { annotations: block.annotations } : {}),
      };
    case 'resource_link':
      if (features.resourceLinks) break;
      enc.converted('content.resource_link');
      return text(linkText(block), enc, block);
    case 'tool_use':
    case 'tool_result':
      if (features.samplingTools) break;
      enc.dropped(`content.${block.type}`);
      return text(`[${block.type}] ${JSON.stringify(block)}`, enc);
  }
  const out = withAnnotations(block, enc);
  return features.icons ? out : enc.omit(out, 'icons', `content.${String(block.type)}.icons`);
}

/** A list of content blocks (tool results, prompt messages). */
export function encodeContentList(value: unknown, enc: Encoder, place: ContentPlace): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((block) => (isJsonObject(block) ? encodeContent(block, enc, place) : block));
}

/**
 * Sampling content: a single block in every revision, and also an array of blocks from
 * 2025-11-25. For an older revision an array is joined into one block: kept as is when it has one
 * element, otherwise its text is concatenated (other blocks are dropped and reported).
 */
export function encodeSamplingContent(value: unknown, enc: Encoder): unknown {
  if (isJsonObject(value)) return encodeContent(value, enc, 'sampling');
  if (!Array.isArray(value) || enc.features.samplingTools) {
    return encodeContentList(value, enc, 'sampling');
  }
  const blocks = value.filter(isJsonObject).map((b) => encodeContent(b, enc, 'sampling'));
  if (blocks.length === 1) return blocks[0];
  const texts = blocks.filter((b) => b.type === 'text').map((b) => String(b.text));
  if (texts.length < blocks.length) enc.dropped('sampling.content_array');
  else enc.converted('sampling.content_array');
  return text(texts.join('\n'), enc);
}
