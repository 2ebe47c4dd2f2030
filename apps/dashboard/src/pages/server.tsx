import type { ServerDetail } from '@switchyard/admin-api';
import { createMemo, createResource, For, type JSX, Show } from 'solid-js';
import { api, guarded } from '../api.js';
import { currentTime } from '../clock.js';
import { JsonBlock } from '../components/json-block.jsx';
import { ServerActions } from '../components/server-actions.jsx';
import { StateBadge } from '../components/state-badge.jsx';
import { Async, Empty } from '../components/states.jsx';
import { dateTime, duration, time } from '../format.js';
import { listChangeCount, live } from '../live.js';
import { href } from '../router.js';

/**
 * One server in full: what it offers (tools with their schemas, resources, prompts), what it
 * declared (capabilities, revision, instructions), and what happened to it (errors, state changes).
 */
export default function ServerPage(props: { name: string }) {
  const summary = createMemo(() => live.servers.find((s) => s.name === props.name));
  // Fetched again when the server's lists change or it changes state (its lists come and go).
  const source = () => ({
    name: props.name,
    lists: listChangeCount(props.name),
    state: summary()?.state,
    revision: summary()?.revision,
  });
  const [detail, { refetch }] = createResource(source, ({ name }) => guarded(api.server(name)));

  return (
    <section aria-labelledby="server-title">
      <p class="crumbs">
        <a href={href.overview()}>Overview</a> / <span>{props.name}</span>
      </p>
      <Async resource={detail} what={`server ${props.name}`} retry={refetch}>
        {(server) => <Detail server={{ ...server(), ...(summary() ?? {}) }} />}
      </Async>
    </section>
  );
}

function Detail(props: { server: ServerDetail }) {
  const s = () => props.server;
  const info = () => s().serverInfo as { name?: unknown; version?: unknown } | null;
  return (
    <>
      <header class="page-head">
        <h1 id="server-title" class="wrap">
          {s().name}
        </h1>
        <StateBadge state={s().state} />
      </header>
      <Show when={s().reason}>
        <p class="reason">{s().reason}</p>
      </Show>
      <div class="toolbar">
        <ServerActions server={s()} />
        <a href={href.logs(s().name)}>Logs</a>
      </div>
      <dl class="facts wide">
        <Fact term="Transport">{s().transport}</Fact>
        <Fact term="Revision">{s().revision ?? '–'}</Fact>
        <Fact term="Server">
          {info() ? `${String(info()?.name ?? '?')} ${String(info()?.version ?? '')}` : '–'}
        </Fact>
        <Fact term="Enabled">{s().enabled ? 'yes' : 'no'}</Fact>
        <Fact term="Up for">
          {s().runningSince !== null ? duration(currentTime() - (s().runningSince ?? 0)) : '–'}
        </Fact>
        <Fact term="Restarts">{s().restarts}</Fact>
        <Fact term="Client sessions">{s().clientSessions}</Fact>
      </dl>
      <Show when={s().instructions}>
        <details class="instructions">
          <summary>Instructions the server gives to clients</summary>
          <p class="prose">{s().instructions}</p>
        </details>
      </Show>
      <Show when={s().listErrors.length > 0}>
        <div class="notice notice-warn">
          <strong>Some lists could not be read</strong>
          <ul>
            <For each={s().listErrors}>
              {(e) => (
                <li>
                  {e.list}: {e.message}
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>

      <ToolList server={s()} />
      <ResourceList server={s()} />
      <PromptList server={s()} />
      <h2>Capabilities</h2>
      <Show when={s().capabilities} fallback={<Empty>Known once the server is connected.</Empty>}>
        <JsonBlock value={s().capabilities} label={`Capabilities of ${s().name}`} />
      </Show>

      <ServerHistory server={s()} />
    </>
  );
}

/** The tools a server offers, each with its schemas. */
function ToolList(props: { server: ServerDetail }) {
  const s = () => props.server;
  return (
    <>
      <h2>Tools ({s().tools.length})</h2>
      <Show when={s().tools.length > 0} fallback={<Empty>{emptyList(s(), 'tools')}</Empty>}>
        <ul class="items">
          <For each={s().tools}>
            {(tool) => (
              <li>
                <details>
                  <summary>
                    <code class="wrap">{tool.exposedAs}</code>
                    <Show when={tool.title}> {tool.title}</Show>
                  </summary>
                  <Show when={tool.description}>
                    <p class="prose">{tool.description}</p>
                  </Show>
                  <p>
                    <a href={href.playground(tool.exposedAs)}>Try it in the playground</a>
                  </p>
                  <h3>Input schema</h3>
                  <JsonBlock value={tool.inputSchema} label={`Input schema of ${tool.name}`} />
                  <Show when={tool.outputSchema}>
                    <h3>Output schema</h3>
                    <JsonBlock value={tool.outputSchema} label={`Output schema of ${tool.name}`} />
                  </Show>
                  <Show when={tool.annotations}>
                    <h3>Annotations</h3>
                    <JsonBlock value={tool.annotations} label={`Annotations of ${tool.name}`} />
                  </Show>
                </details>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}

/** The resources and resource templates a server offers. */
function ResourceList(props: { server: ServerDetail }) {
  const s = () => props.server;
  return (
    <>
      <h2>Resources ({s().resources.length + s().resourceTemplates.length})</h2>
      <Show
        when={s().resources.length + s().resourceTemplates.length > 0}
        fallback={<Empty>{emptyList(s(), 'resources')}</Empty>}
      >
        <ul class="items">
          <For each={s().resources}>
            {(resource) => (
              <li>
                <code class="wrap">{resource.uri}</code> {resource.title ?? resource.name}
                <Show when={resource.mimeType}>
                  {' '}
                  <span class="muted">{resource.mimeType}</span>
                </Show>
                <Show when={resource.description}>
                  <p class="muted prose">{resource.description}</p>
                </Show>
              </li>
            )}
          </For>
          <For each={s().resourceTemplates}>
            {(template) => (
              <li>
                <code class="wrap">{template.uriTemplate}</code> {template.title ?? template.name}{' '}
                <span class="muted">template</span>
                <Show when={template.description}>
                  <p class="muted prose">{template.description}</p>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}

/** The prompts a server offers and their arguments. */
function PromptList(props: { server: ServerDetail }) {
  const s = () => props.server;
  return (
    <>
      <h2>Prompts ({s().prompts.length})</h2>
      <Show when={s().prompts.length > 0} fallback={<Empty>{emptyList(s(), 'prompts')}</Empty>}>
        <ul class="items">
          <For each={s().prompts}>
            {(prompt) => (
              <li>
                <code class="wrap">{prompt.exposedAs}</code>
                <Show when={prompt.title}> {prompt.title}</Show>
                <Show when={prompt.description}>
                  <p class="muted prose">{prompt.description}</p>
                </Show>
                <Show when={(prompt.arguments ?? []).length > 0}>
                  <p class="muted">
                    Arguments:{' '}
                    {(prompt.arguments ?? [])
                      .map((a) => `${a.name}${a.required ? ' (required)' : ''}`)
                      .join(', ')}
                  </p>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}

/** What happened to a server: its recent errors and state changes. */
function ServerHistory(props: { server: ServerDetail }) {
  const s = () => props.server;
  return (
    <div class="columns">
      <div>
        <h2>Recent errors</h2>
        <Show when={s().recentErrors.length > 0} fallback={<Empty>No errors recorded.</Empty>}>
          <ol class="timeline errors">
            <For each={[...s().recentErrors].reverse()}>
              {(error) => (
                <li>
                  <time title={dateTime(error.at)}>{time(error.at)}</time>
                  <span class="wrap">{error.message}</span>
                </li>
              )}
            </For>
          </ol>
        </Show>
      </div>
      <div>
        <h2>State changes</h2>
        <Show when={s().history.length > 0} fallback={<Empty>No state changes yet.</Empty>}>
          <ol class="timeline">
            <For each={[...s().history].reverse()}>
              {(change) => (
                <li>
                  <time title={dateTime(change.at)}>{time(change.at)}</time>
                  <span>
                    <StateBadge state={change.from} /> → <StateBadge state={change.to} />
                    <Show when={change.reason}>
                      <span class="muted wrap"> {change.reason}</span>
                    </Show>
                  </span>
                </li>
              )}
            </For>
          </ol>
        </Show>
      </div>
    </div>
  );
}

function Fact(props: { term: string; children: JSX.Element }) {
  return (
    <div>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function emptyList(server: ServerDetail, what: string): string {
  if (server.state !== 'running' && server.state !== 'degraded')
    return `No ${what} while the server is ${server.state}.`;
  return `This server offers no ${what}.`;
}
