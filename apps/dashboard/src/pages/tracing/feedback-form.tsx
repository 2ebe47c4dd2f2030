import type { FeedbackResult } from '@switchyard/admin-api';
import { createSignal, For, type JSX, Show } from 'solid-js';
import { api, guarded, messageOf } from '../../api.js';
import { href } from '../../router.js';
import { refreshTraces, score, shortId } from './shared.jsx';

const clamp = (value: number) => Math.max(-1, Math.min(1, value));

/**
 * Rates a response from −1 to 1. The proxy spreads the rating over the response's units by their
 * weights; the form then shows how each unit's score moved.
 */
export function FeedbackForm(props: { responseId: string }): JSX.Element {
  const [value, setValue] = createSignal(1);
  const [text, setText] = createSignal('');
  const [user, setUser] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  const [result, setResult] = createSignal<FeedbackResult | null>(null);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const answer = await guarded(
        api.traces.submitFeedback({
          responseId: props.responseId,
          score: value(),
          ...(text().trim() ? { feedbackText: text().trim() } : {}),
          ...(user().trim() ? { userId: user().trim() } : {}),
        }),
      );
      setResult(answer);
      setText('');
      refreshTraces();
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h3>Rate this response</h3>
      <form class="card feedback-form" onSubmit={submit}>
        <div class="field">
          <label for="feedback-score">Score</label>
          <div class="score-inputs">
            <input
              id="feedback-score"
              type="range"
              min="-1"
              max="1"
              step="0.1"
              value={value()}
              aria-valuetext={score(value())}
              onInput={(event) => setValue(clamp(Number(event.currentTarget.value)))}
            />
            <input
              id="feedback-score-number"
              aria-label="Score as a number"
              type="number"
              min="-1"
              max="1"
              step="0.05"
              value={value()}
              onInput={(event) => {
                const n = Number(event.currentTarget.value);
                if (event.currentTarget.value !== '' && Number.isFinite(n)) setValue(clamp(n));
              }}
            />
          </div>
          <span class="hint">−1 misled, 0 neutral, +1 helped.</span>
        </div>
        <div class="field">
          <label for="feedback-text">Comment</label>
          <textarea
            id="feedback-text"
            rows="2"
            value={text()}
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="feedback-user">User</label>
          <input
            id="feedback-user"
            type="text"
            autocomplete="off"
            value={user()}
            onInput={(event) => setUser(event.currentTarget.value)}
          />
        </div>
        <div class="field buttons">
          <button type="submit" class="primary" disabled={busy()}>
            {busy() ? 'Submitting…' : 'Submit feedback'}
          </button>
        </div>
        <Show when={problem()}>
          <p class="inline-error" role="alert">
            {problem()}
          </p>
        </Show>
      </form>
      <Show when={result()}>{(r) => <FeedbackOutcome result={r()} />}</Show>
    </>
  );
}

function FeedbackOutcome(props: { result: FeedbackResult }): JSX.Element {
  return (
    <div class="notice notice-ok feedback-result" role="status">
      <strong>
        Feedback {score(props.result.score)} recorded: {props.result.contextsUpdated} unit
        {props.result.contextsUpdated === 1 ? '' : 's'} updated, average change{' '}
        {score(props.result.avgScoreChange)}.
      </strong>
      <ul class="notice-list">
        <For each={props.result.units}>
          {(unit) => (
            <li data-unit={unit.unitId}>
              <a href={href.traceUnit(unit.unitId)}>
                <code>{shortId(unit.unitId)}</code>
              </a>{' '}
              (weight {(unit.weight * 100).toFixed(1)}%): {score(unit.oldScore)} →{' '}
              <strong>{score(unit.newScore)}</strong>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
