import type { JsonSchema } from '../api/types.js';
import { label } from '../lib/format.js';

export type FormValues = Readonly<Record<string, string>>;

const typeOf = (schema: JsonSchema): string | undefined =>
  Array.isArray(schema.type)
    ? schema.type.find((t) => t !== 'null')
    : (schema.type as string | undefined);

/** The first non-null member of an `anyOf`/`oneOf`, or the schema itself. */
function effective(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf ?? schema.oneOf;
  return options?.find((o) => typeOf(o) !== 'null') ?? schema;
}

/** What the field accepts, in words, from the schema's constraints. */
export function describeField(schema: JsonSchema): string {
  const s = effective(schema);
  const parts: string[] = [];
  if (s.pattern?.startsWith('^\\d{4}-')) parts.push('a date YYYY-MM-DD or an ISO instant');
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < 1e15) parts.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  if (schema.default !== undefined) parts.push(`default ${String(schema.default)}`);
  return parts.join(', ');
}

function Field(props: {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly value: string;
  readonly error?: string | undefined;
  readonly onChange: (value: string) => void;
}) {
  const s = effective(props.schema);
  const id = `param-${props.name}`;
  const hint = describeField(props.schema);
  const described = [hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: props.name,
    'aria-describedby': described || undefined,
    'aria-invalid': props.error ? true : undefined,
  };
  const type = typeOf(s);
  let input;
  if (s.enum !== undefined) {
    input = (
      <select
        {...common}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        <option value="">
          {props.schema.default === undefined
            ? '(none)'
            : `(default: ${String(props.schema.default)})`}
        </option>
        {s.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    );
  } else if (type === 'integer' || type === 'number') {
    input = (
      <input
        {...common}
        type="number"
        inputMode={type === 'integer' ? 'numeric' : 'decimal'}
        step={type === 'integer' ? 1 : 'any'}
        placeholder={props.schema.default === undefined ? '' : String(props.schema.default)}
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    );
  } else {
    const date = s.pattern?.startsWith('^\\d{4}-') ?? false;
    input = (
      <input
        {...common}
        type="text"
        placeholder={
          date
            ? 'YYYY-MM-DD'
            : props.schema.default === undefined
              ? ''
              : String(props.schema.default)
        }
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
    );
  }
  return (
    <div class="field">
      <label for={id}>{label(props.name)}</label>
      {input}
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A form generated from a metric's parameter JSON Schema: a select for each enum, a number input for
 * numbers, a text input otherwise. Empty fields are left out, so the server's defaults apply.
 *
 * @example <SchemaForm schema={metric.params} values={values} onChange={setValues} />
 */
export function SchemaForm(props: {
  readonly schema: JsonSchema;
  readonly values: FormValues;
  readonly errors?: Readonly<Record<string, string>>;
  readonly onChange: (values: FormValues) => void;
}) {
  const properties = Object.entries(props.schema.properties ?? {});
  if (properties.length === 0) return <p class="muted">This metric takes no parameter.</p>;
  return (
    <div class="schema-form">
      {properties.map(([name, schema]) => (
        <Field
          key={name}
          name={name}
          schema={schema}
          value={props.values[name] ?? ''}
          error={props.errors?.[name]}
          onChange={(value) => props.onChange({ ...props.values, [name]: value })}
        />
      ))}
    </div>
  );
}
