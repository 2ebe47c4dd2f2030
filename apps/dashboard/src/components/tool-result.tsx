import { For, Match, Show, Switch } from 'solid-js';
import { JsonBlock } from './json-block.jsx';

type Block = Record<string, unknown> & { type?: unknown };

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * A `tools/call` result as a client would see it (MCP 2025-06-18, "Tools", "Tool Result"): each
 * content block by its type, then `structuredContent`, and a clear flag when `isError` is set.
 */
export function ToolResult(props: { result: Record<string, unknown> }) {
  const content = () =>
    Array.isArray(props.result.content) ? (props.result.content as Block[]) : [];
  return (
    <div class="tool-result">
      <Show when={props.result.isError === true}>
        <p class="notice notice-error" role="alert">
          <strong>The tool reported an error</strong> (<code>isError: true</code>): the text below
          says why.
        </p>
      </Show>
      <Show when={content().length === 0 && props.result.structuredContent === undefined}>
        <p class="muted">The result has no content.</p>
      </Show>
      <ol class="content-blocks">
        <For each={content()}>
          {(block) => (
            <li>
              <span class="content-type">{String(block.type)}</span>
              <ContentBlock block={block} />
            </li>
          )}
        </For>
      </ol>
      <Show when={props.result.structuredContent !== undefined}>
        <h3>Structured content</h3>
        <JsonBlock value={props.result.structuredContent} label="Structured content" />
      </Show>
    </div>
  );
}

function dataUrl(mimeType: unknown, data: unknown): string {
  return `data:${str(mimeType) ?? 'application/octet-stream'};base64,${str(data) ?? ''}`;
}

function ContentBlock(props: { block: Block }) {
  const b = () => props.block;
  return (
    <Switch fallback={<JsonBlock value={b()} label="Content block" />}>
      <Match when={b().type === 'text'}>
        <pre class="text-block">{str(b().text)}</pre>
      </Match>
      <Match when={b().type === 'image'}>
        <img
          class="image-block"
          src={dataUrl(b().mimeType, b().data)}
          alt={`Returned by the tool (${str(b().mimeType) ?? 'unknown type'})`}
        />
      </Match>
      <Match when={b().type === 'audio'}>
        {/* biome-ignore lint/a11y/useMediaCaption: tool audio comes without captions */}
        <audio
          controls
          src={dataUrl(b().mimeType, b().data)}
          aria-label={`Audio returned by the tool (${str(b().mimeType) ?? 'unknown type'})`}
        />
      </Match>
      <Match when={b().type === 'resource_link'}>
        <dl class="facts">
          <div>
            <dt>Link to resource</dt>
            <dd>
              <code class="wrap">{str(b().uri)}</code>
            </dd>
          </div>
          <div>
            <dt>Name</dt>
            <dd>{str(b().title) ?? str(b().name) ?? '–'}</dd>
          </div>
          <Show when={str(b().mimeType)}>
            <div>
              <dt>Type</dt>
              <dd>{str(b().mimeType)}</dd>
            </div>
          </Show>
          <Show when={str(b().description)}>
            <div>
              <dt>Description</dt>
              <dd>{str(b().description)}</dd>
            </div>
          </Show>
        </dl>
      </Match>
      <Match when={b().type === 'resource'}>
        <EmbeddedResource resource={(b().resource ?? {}) as Record<string, unknown>} />
      </Match>
    </Switch>
  );
}

function EmbeddedResource(props: { resource: Record<string, unknown> }) {
  const r = () => props.resource;
  const mime = () => str(r().mimeType);
  return (
    <div class="embedded">
      <p>
        Embedded resource <code class="wrap">{str(r().uri)}</code>
        <Show when={mime()}> ({mime()})</Show>
      </p>
      <Switch fallback={<p class="muted">No contents.</p>}>
        <Match when={str(r().text) !== undefined}>
          <pre class="text-block">{str(r().text)}</pre>
        </Match>
        <Match when={str(r().blob) !== undefined && mime()?.startsWith('image/')}>
          <img
            class="image-block"
            src={dataUrl(mime(), r().blob)}
            alt={`Resource ${str(r().uri)}`}
          />
        </Match>
        <Match when={str(r().blob) !== undefined}>
          <p class="muted">
            Binary contents, {Math.floor(((str(r().blob) ?? '').length * 3) / 4)} bytes.
          </p>
        </Match>
      </Switch>
    </div>
  );
}
