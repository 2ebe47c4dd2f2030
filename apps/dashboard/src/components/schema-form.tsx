import { createSignal, For, type JSX, Match, Show, Switch } from 'solid-js';
import { json } from '../format.js';

/** A JSON Schema node, as tools declare their input (MCP 2025-06-18, "Tools"). */
export type Schema = Record<string, unknown>;

type Kind = 'enum' | 'boolean' | 'number' | 'integer' | 'string' | 'object' | 'array' | 'json';

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') as string | undefined;
  if (schema.properties) return 'object';
  return undefined;
}

/** Which input a schema gets; anything the form cannot show well is edited as JSON. */
export function kindOf(schema: Schema): Kind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return 'enum';
  if ('const' in schema) return 'json';
  switch (typeOf(schema)) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'string':
      return 'string';
    case 'object':
      return isPlainObject(schema.properties) ? 'object' : 'json';
    case 'array':
      return isPlainObject(schema.items) ? 'array' : 'json';
    default:
      return 'json';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function propertiesOf(schema: Schema): Array<[string, Schema]> {
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  return Object.entries(properties).map(([k, v]) => [k, isPlainObject(v) ? v : {}]);
}

function requiredOf(schema: Schema): string[] {
  return Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
}

/**
 * The value a form starts with: each default, and each required nested object built the same way.
 * Optional fields without a default stay out, so the call sends only what the user chose.
 */
export function initialValue(schema: Schema, required = true): unknown {
  if ('default' in schema) return structuredClone(schema.default);
  const kind = kindOf(schema);
  if (kind === 'object') {
    if (!required) return undefined;
    const out: Record<string, unknown> = {};
    const needed = requiredOf(schema);
    for (const [key, child] of propertiesOf(schema)) {
      const value = initialValue(child, needed.includes(key));
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  if (kind === 'array' && required) return [];
  if (kind === 'boolean' && required) return false;
  return undefined;
}

let nextId = 0;
const fieldId = (name: string) => `f${++nextId}-${name.replace(/[^\w-]/g, '_')}`;

interface FieldProps {
  schema: Schema;
  label: string;
  required: boolean;
  /** An item of an array: required while it exists, so not marked as such. */
  item?: boolean;
  initial: unknown;
  onChange: (value: unknown) => void;
}

/**
 * A form for the arguments of a tool, built from its JSON Schema: nested objects as fieldsets,
 * arrays with add and remove, enums as selects, booleans as checkboxes, numbers with their step.
 * Fields are uncontrolled: each starts from `initial` and reports every change upward.
 */
export function SchemaForm(props: {
  schema: Schema;
  initial: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
}) {
  return (
    <Show
      when={propertiesOf(props.schema).length > 0}
      fallback={<p class="muted">This tool takes no arguments.</p>}
    >
      <ObjectFields
        schema={props.schema}
        initial={props.initial}
        onChange={(value) => props.onChange((value ?? {}) as Record<string, unknown>)}
        required
      />
    </Show>
  );
}

function ObjectFields(props: {
  schema: Schema;
  initial: unknown;
  required: boolean;
  onChange: (value: unknown) => void;
}) {
  const current: Record<string, unknown> = isPlainObject(props.initial) ? { ...props.initial } : {};
  const needed = requiredOf(props.schema);
  const set = (key: string, value: unknown) => {
    if (value === undefined) delete current[key];
    else current[key] = value;
    props.onChange(
      !props.required && Object.keys(current).length === 0 ? undefined : { ...current },
    );
  };
  return (
    <div class="fields">
      <For each={propertiesOf(props.schema)}>
        {([key, child]) => (
          <Field
            schema={child}
            label={key}
            required={needed.includes(key)}
            initial={current[key]}
            onChange={(value) => set(key, value)}
          />
        )}
      </For>
    </div>
  );
}

function Field(props: FieldProps) {
  const id = fieldId(props.label);
  const hintId = `${id}-hint`;
  const kind = kindOf(props.schema);
  const description = () =>
    typeof props.schema.description === 'string' ? props.schema.description : undefined;
  const label = (
    <>
      {props.label}
      <Show when={props.required && !props.item}>
        <span class="required"> (required)</span>
      </Show>
    </>
  );
  const hint = (
    <Show when={description()}>
      <span class="hint" id={hintId}>
        {description()}
      </span>
    </Show>
  );
  const describedBy = description() ? hintId : undefined;

  return (
    <Switch>
      <Match when={kind === 'object'}>
        <fieldset class="nested">
          <legend>{label}</legend>
          {hint}
          <ObjectFields
            schema={props.schema}
            initial={props.initial}
            required={props.required}
            onChange={props.onChange}
          />
        </fieldset>
      </Match>
      <Match when={kind === 'array'}>
        <ArrayField {...props} label={props.label} legend={label} hint={hint} />
      </Match>
      <Match when={kind === 'boolean'}>
        <div class="field check">
          <input
            id={id}
            type="checkbox"
            checked={props.initial === true}
            aria-describedby={describedBy}
            onChange={(event) => props.onChange(event.currentTarget.checked)}
          />
          <label for={id}>{label}</label>
          {hint}
        </div>
      </Match>
      <Match when={kind === 'enum'}>
        <EnumField {...props} id={id} labelNode={label} hint={hint} describedBy={describedBy} />
      </Match>
      <Match when={kind === 'number' || kind === 'integer'}>
        <div class="field">
          <label for={id}>{label}</label>
          {hint}
          <input
            id={id}
            type="number"
            inputmode={kind === 'integer' ? 'numeric' : 'decimal'}
            step={kind === 'integer' ? '1' : 'any'}
            min={typeof props.schema.minimum === 'number' ? props.schema.minimum : undefined}
            max={typeof props.schema.maximum === 'number' ? props.schema.maximum : undefined}
            required={props.required}
            value={typeof props.initial === 'number' ? String(props.initial) : ''}
            aria-describedby={describedBy}
            onInput={(event) => {
              const text = event.currentTarget.value;
              const value = event.currentTarget.valueAsNumber;
              if (text === '') props.onChange(undefined);
              else if (!Number.isNaN(value)) props.onChange(value);
            }}
          />
        </div>
      </Match>
      <Match when={kind === 'string'}>
        <div class="field">
          <label for={id}>{label}</label>
          {hint}
          <input
            id={id}
            type="text"
            required={props.required}
            value={typeof props.initial === 'string' ? props.initial : ''}
            aria-describedby={describedBy}
            onInput={(event) => {
              const text = event.currentTarget.value;
              props.onChange(text === '' && !props.required ? undefined : text);
            }}
          />
        </div>
      </Match>
      <Match when={kind === 'json'}>
        <JsonField {...props} id={id} labelNode={label} hint={hint} describedBy={describedBy} />
      </Match>
    </Switch>
  );
}

interface LeafProps extends FieldProps {
  id: string;
  labelNode: JSX.Element;
  hint: JSX.Element;
  describedBy: string | undefined;
}

function EnumField(props: LeafProps) {
  const options = (props.schema.enum as unknown[]) ?? [];
  const start = options.findIndex((o) => JSON.stringify(o) === JSON.stringify(props.initial));
  return (
    <div class="field">
      <label for={props.id}>{props.labelNode}</label>
      {props.hint}
      <select
        id={props.id}
        required={props.required}
        aria-describedby={props.describedBy}
        onChange={(event) => {
          const at = event.currentTarget.value;
          props.onChange(at === '' ? undefined : options[Number(at)]);
        }}
      >
        <option value="" selected={start === -1}>
          {props.required ? 'Choose…' : '(not set)'}
        </option>
        <For each={options}>
          {(option, i) => (
            <option value={String(i())} selected={i() === start}>
              {typeof option === 'string' ? option : JSON.stringify(option)}
            </option>
          )}
        </For>
      </select>
    </div>
  );
}

function JsonField(props: LeafProps) {
  const [error, setError] = createSignal<string | null>(null);
  return (
    <div class="field">
      <label for={props.id}>
        {props.labelNode} <span class="muted">(JSON)</span>
      </label>
      {props.hint}
      <textarea
        id={props.id}
        rows="3"
        required={props.required}
        spellcheck={false}
        aria-describedby={props.describedBy}
        aria-invalid={error() ? 'true' : undefined}
        onInput={(event) => {
          const text = event.currentTarget.value.trim();
          if (text === '') {
            setError(null);
            props.onChange(undefined);
            return;
          }
          try {
            props.onChange(JSON.parse(text));
            setError(null);
          } catch (caught) {
            setError(`Not valid JSON: ${(caught as Error).message}`);
          }
        }}
      >
        {props.initial === undefined ? '' : json(props.initial)}
      </textarea>
      <Show when={error()}>
        <span class="inline-error">{error()}</span>
      </Show>
    </div>
  );
}

function ArrayField(props: FieldProps & { legend: JSX.Element; hint: JSX.Element }) {
  const itemSchema = props.schema.items as Schema;
  let counter = 0;
  const start = Array.isArray(props.initial) ? props.initial : [];
  const [items, setItems] = createSignal(start.map((value) => ({ key: ++counter, value })));
  const emit = () => {
    const values = items().map((item) => item.value);
    props.onChange(values.length === 0 && !props.required ? undefined : values);
  };
  const add = () => {
    setItems((list) => [...list, { key: ++counter, value: initialValue(itemSchema) }]);
    emit();
  };
  const remove = (key: number) => {
    setItems((list) => list.filter((item) => item.key !== key));
    emit();
  };
  return (
    <fieldset class="nested">
      <legend>{props.legend}</legend>
      {props.hint}
      <ol class="array-items">
        <For each={items()}>
          {(item, i) => (
            <li>
              <Field
                schema={itemSchema}
                label={`${props.label} ${i() + 1}`}
                required
                item
                initial={item.value}
                onChange={(value) => {
                  item.value = value;
                  emit();
                }}
              />
              <button
                type="button"
                class="small"
                onClick={() => remove(item.key)}
                aria-label={`Remove ${props.label} ${i() + 1}`}
              >
                Remove
              </button>
            </li>
          )}
        </For>
      </ol>
      <button type="button" class="small" onClick={add}>
        Add {props.label} item
      </button>
    </fieldset>
  );
}
