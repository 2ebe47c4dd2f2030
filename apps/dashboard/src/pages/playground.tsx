import type { RpcExchange } from '@switchyard/admin-api';
import { createEffect, createResource, createSignal, For, on, Show } from 'solid-js';
import { api, guarded, messageOf } from '../api.js';
import { JsonBlock } from '../components/json-block.jsx';
import { initialValue, type Schema, SchemaForm } from '../components/schema-form.jsx';
import { Async, Empty } from '../components/states.jsx';
import { ToolResult } from '../components/tool-result.jsx';
import { json } from '../format.js';

interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Schema;
}

/** Every tool clients see through the proxy, every page of `tools/list`. */
async function listTools(): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const exchange = await guarded(
      api.rpc({ method: 'tools/list', ...(cursor ? { params: { cursor } } : {}) }),
    );
    const { result, error } = exchange.response;
    if (error) throw new Error(`tools/list failed: ${error.message} (${error.code})`);
    tools.push(...((result?.tools as Tool[] | undefined) ?? []));
    cursor = typeof result?.nextCursor === 'string' ? result.nextCursor : undefined;
  } while (cursor);
  return tools.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Call any tool through the proxy, exactly as a client would: pick it, fill the form built from
 * its input schema (or write the arguments as JSON), then read the result and the raw exchange.
 */
export default function PlaygroundPage(props: { tool: string | null }) {
  const [tools, { refetch }] = createResource(listTools);
  return (
    <section aria-labelledby="playground-title">
      <h1 id="playground-title">Playground</h1>
      <Async resource={tools} what="the tools" retry={refetch}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={
              <Empty>
                No tools: no running server offers one. Start a server on the overview, then{' '}
                <button type="button" class="link-button" onClick={refetch}>
                  list the tools again
                </button>
                .
              </Empty>
            }
          >
            <Caller tools={list()} wanted={props.tool} reload={refetch} />
          </Show>
        )}
      </Async>
    </section>
  );
}

function Caller(props: { tools: Tool[]; wanted: string | null; reload: () => void }) {
  const [selected, setSelected] = createSignal(props.wanted ?? props.tools[0]?.name ?? '');
  createEffect(
    on(
      () => props.wanted,
      (wanted) => {
        if (wanted) setSelected(wanted);
      },
      { defer: true },
    ),
  );
  const tool = () => props.tools.find((t) => t.name === selected());
  return (
    <>
      <div class="toolbar">
        <div class="field grow">
          <label for="tool-select">Tool</label>
          <select
            id="tool-select"
            value={selected()}
            onChange={(event) => setSelected(event.currentTarget.value)}
          >
            <For each={props.tools}>
              {(t) => <option value={t.name}>{t.title ? `${t.name} — ${t.title}` : t.name}</option>}
            </For>
          </select>
        </div>
        <button type="button" onClick={props.reload}>
          Reload tools
        </button>
      </div>
      <Show
        when={tool()}
        keyed
        fallback={<Empty>No tool named {selected()}: pick one from the list.</Empty>}
      >
        {(t) => <ToolCall tool={t} />}
      </Show>
    </>
  );
}

function ToolCall(props: { tool: Tool }) {
  const schema = props.tool.inputSchema ?? {};
  const start = (initialValue(schema) ?? {}) as Record<string, unknown>;
  const [args, setArgs] = createSignal<Record<string, unknown>>(start);
  const [raw, setRaw] = createSignal(false);
  const [rawText, setRawText] = createSignal(json(start));
  const [rawError, setRawError] = createSignal<string | null>(null);
  const [formKey, setFormKey] = createSignal(0);
  const [calling, setCalling] = createSignal(false);
  const [exchange, setExchange] = createSignal<RpcExchange | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);

  const parseRaw = (): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(rawText()) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        setRawError('The arguments must be a JSON object, such as {"message": "hi"}.');
        return undefined;
      }
      setRawError(null);
      return value as Record<string, unknown>;
    } catch (caught) {
      setRawError(`Not valid JSON: ${(caught as Error).message}`);
      return undefined;
    }
  };

  const toggle = () => {
    if (raw()) {
      const value = parseRaw();
      if (!value) return;
      setArgs(value);
      setFormKey((k) => k + 1);
      setRaw(false);
    } else {
      setRawText(json(args()));
      setRawError(null);
      setRaw(true);
    }
  };

  const call = async (event: SubmitEvent) => {
    event.preventDefault();
    const params = raw() ? parseRaw() : args();
    if (!params) return;
    setCalling(true);
    setFailure(null);
    try {
      setExchange(
        await guarded(
          api.rpc({ method: 'tools/call', params: { name: props.tool.name, arguments: params } }),
        ),
      );
    } catch (caught) {
      setExchange(null);
      setFailure(messageOf(caught));
    } finally {
      setCalling(false);
    }
  };

  return (
    <div class="playground">
      <form class="card" onSubmit={call} aria-labelledby="args-title">
        <div class="card-head">
          <h2 id="args-title" class="wrap">
            {props.tool.title ?? props.tool.name}
          </h2>
          <button type="button" class="small" aria-pressed={raw()} onClick={toggle}>
            {raw() ? 'Use the form' : 'Edit as JSON'}
          </button>
        </div>
        <Show when={props.tool.description}>
          <p class="prose muted">{props.tool.description}</p>
        </Show>
        <Show
          when={raw()}
          fallback={
            <Show when={formKey() + 1} keyed>
              <SchemaForm schema={schema} initial={args()} onChange={setArgs} />
            </Show>
          }
        >
          <div class="field">
            <label for="raw-args">Arguments (JSON object)</label>
            <textarea
              id="raw-args"
              rows="8"
              spellcheck={false}
              value={rawText()}
              aria-invalid={rawError() ? 'true' : undefined}
              onInput={(event) => setRawText(event.currentTarget.value)}
            />
            <Show when={rawError()}>
              <span class="inline-error" role="alert">
                {rawError()}
              </span>
            </Show>
          </div>
        </Show>
        <details class="schema">
          <summary>Input schema</summary>
          <JsonBlock value={schema} label={`Input schema of ${props.tool.name}`} />
        </details>
        <button type="submit" class="primary" disabled={calling()}>
          {calling() ? 'Calling…' : `Call ${props.tool.name}`}
        </button>
      </form>
      <div class="result" aria-live="polite">
        <Show when={failure()}>
          <div class="notice notice-error" role="alert">
            <strong>The call did not reach the tool</strong>
            <p>{failure()}</p>
          </div>
        </Show>
        <Show when={exchange()}>{(ex) => <Exchange exchange={ex()} />}</Show>
      </div>
    </div>
  );
}

function Exchange(props: { exchange: RpcExchange }) {
  const response = () => props.exchange.response;
  return (
    <section class="card" aria-labelledby="result-title">
      <h2 id="result-title">Result</h2>
      <p class="muted">Answered in {props.exchange.durationMs.toFixed(0)} ms.</p>
      <Show when={response().error}>
        {(error) => (
          <div class="notice notice-error" role="alert">
            <strong>JSON-RPC error {error().code}</strong>
            <p class="wrap">{error().message}</p>
            <Show when={error().data !== undefined}>
              <JsonBlock value={error().data} label="Error data" />
            </Show>
          </div>
        )}
      </Show>
      <Show when={response().result}>{(result) => <ToolResult result={result()} />}</Show>
      <h3>Raw request</h3>
      <JsonBlock value={props.exchange.request} label="Raw request" />
      <h3>Raw response</h3>
      <JsonBlock value={props.exchange.response} label="Raw response" />
    </section>
  );
}
