import type { ResponseDetail, WeightedContext } from '@switchyard/admin-api';
import { createResource, For, type JSX, Show } from 'solid-js';
import { api, guarded } from '../../api.js';
import { Empty } from '../../components/states.jsx';
import { dateTime, percent } from '../../format.js';
import { href } from '../../router.js';
import { FeedbackForm } from './feedback-form.jsx';
import { CloseResponseButton } from './responses.jsx';
import {
  Bars,
  refreshCount,
  StatusBadge,
  score,
  scoreTone,
  shortId,
  TraceAsync,
  TypeTag,
  unitSource,
} from './shared.jsx';

/**
 * One response: which content went into it and how much each weighed, what the answer said it
 * used, and how it was rated (docs/tracing.md, "Weights" and "Feedback").
 */
export function TracingResponse(props: { id: string }): JSX.Element {
  const [data, { refetch }] = createResource(
    () => ({ id: props.id, n: refreshCount() }),
    ({ id }) => guarded(api.traces.response(id)),
  );
  return (
    <>
      <header class="page-head">
        <h2 class="wrap" id="trace-view-title">
          Response <code>{props.id}</code>
        </h2>
        <Show when={data.state === 'ready' || data.state === 'refreshing'}>
          <StatusBadge response={data.latest ?? { status: 'closed' }} />
        </Show>
      </header>
      <TraceAsync resource={data} what={`response ${props.id}`} retry={refetch}>
        {(response) => (
          <>
            <ResponseFacts response={response()} />
            <h3>Contexts ({response().contexts.length})</h3>
            <ContextBars contexts={response().contexts} open={response().status === 'open'} />
            <AnswerView response={response()} />
            <FeedbackView response={response()} />
            <FeedbackForm responseId={response().id} />
          </>
        )}
      </TraceAsync>
    </>
  );
}

function ResponseFacts(props: { response: ResponseDetail }): JSX.Element {
  const r = () => props.response;
  return (
    <>
      <dl class="facts wide">
        <div>
          <dt>Session</dt>
          <dd>
            <a href={href.traceSession(r().sessionId)}>
              <code>{shortId(r().sessionId, 18)}</code>
            </a>
          </dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>{dateTime(r().openedAt)}</dd>
        </div>
        <div>
          <dt>Closed</dt>
          <dd>{r().closedAt === null ? 'still open' : dateTime(r().closedAt ?? 0)}</dd>
        </div>
        <div>
          <dt>Closed by</dt>
          <dd>{r().closeReason ?? '–'}</dd>
        </div>
        <div>
          <dt>Units</dt>
          <dd>{r().unitCount}</dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd>{r().principal ?? '–'}</dd>
        </div>
        <Show when={r().agent || r().model}>
          <div>
            <dt>Agent / model</dt>
            <dd>
              {r().agent ?? '–'} / {r().model ?? '–'}
            </dd>
          </div>
        </Show>
      </dl>
      <Show when={r().status === 'open'}>
        <div class="toolbar">
          <CloseResponseButton sessionId={r().sessionId} />
        </div>
      </Show>
    </>
  );
}

/** The response's units as bars, heaviest first; each label opens the unit. */
function ContextBars(props: { contexts: WeightedContext[]; open: boolean }): JSX.Element {
  const total = () => props.contexts.reduce((sum, c) => sum + c.weight, 0);
  return (
    <Show
      when={props.contexts.length > 0}
      fallback={<Empty>No context went into this response.</Empty>}
    >
      <p class="muted">
        Bar width is the unit's weight in this response; the weights sum to {percent(total())}.
        <Show when={props.open}>
          {' '}
          The response is open: these are the weights closing it would give.
        </Show>
      </p>
      <Bars
        label="Contexts by weight"
        items={props.contexts.map((context) => ({
          key: context.unitId,
          weight: context.weight,
          link: href.traceUnit(context.unitId),
          label: context.unit ? unitSource(context.unit) : context.unitId,
          detail: context.unit ? (
            <>
              <span class="bar-meta">
                <TypeTag type={context.unit.type} /> <span>v{context.unit.version}</span>{' '}
                <span>{context.unit.kind}</span>{' '}
                <span class={`badge ${scoreTone(context.unit)}`}>
                  score {score(context.unit.score)}
                </span>
              </span>
              <span class="muted summary-line">{context.unit.summary}</span>
            </>
          ) : (
            <span class="muted">unit no longer stored</span>
          ),
        }))}
      />
    </Show>
  );
}

function AnswerView(props: { response: ResponseDetail }): JSX.Element {
  const label = (unitId: string) => {
    const unit = props.response.contexts.find((c) => c.unitId === unitId)?.unit;
    return unit ? unitSource(unit) : shortId(unitId);
  };
  return (
    <>
      <h3>Answer</h3>
      <Show
        when={props.response.answer}
        fallback={
          <Empty>
            No answer recorded. An agent says which units it used with the tool{' '}
            <code>tracing__record_answer</code> or <code>POST /api/answers</code>; until then every
            unit retrieved counts.
          </Empty>
        }
      >
        {(answer) => (
          <div class="card answer">
            <p>
              Recorded {dateTime(answer().at)}
              <Show when={answer().agent}> by {answer().agent}</Show>
              <Show when={answer().model}> ({answer().model})</Show>.
            </p>
            <p>Units named ({answer().unitIds.length}):</p>
            <ul class="answer-list">
              <For each={answer().unitIds}>
                {(id) => (
                  <li>
                    <a class="wrap" href={href.traceUnit(id)}>
                      {label(id)}
                    </a>
                  </li>
                )}
              </For>
            </ul>
            <Show when={answer().citations.length > 0}>
              <p>Citations:</p>
              <ul class="answer-list">
                <For each={answer().citations}>
                  {(citation) => (
                    <li>
                      <a class="wrap" href={href.traceUnit(citation.unitId)}>
                        {label(citation.unitId)}
                      </a>
                      <Show when={citation.quote}>
                        <blockquote class="wrap">{citation.quote}</blockquote>
                      </Show>
                      <Show when={citation.note}>
                        <p class="muted wrap">{citation.note}</p>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </div>
        )}
      </Show>
    </>
  );
}

function FeedbackView(props: { response: ResponseDetail }): JSX.Element {
  return (
    <>
      <h3>Feedback ({props.response.feedback.length})</h3>
      <Show
        when={props.response.feedback.length > 0}
        fallback={<Empty>Nobody has rated this response yet.</Empty>}
      >
        <ul class="items feedback-list">
          <For each={props.response.feedback}>
            {(feedback) => (
              <li>
                <strong>{score(feedback.score)}</strong>{' '}
                <span class="muted">
                  {feedback.userId ?? 'anonymous'}, {dateTime(feedback.at)}
                </span>
                <Show when={feedback.feedbackText}>
                  <p class="wrap">{feedback.feedbackText}</p>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}
